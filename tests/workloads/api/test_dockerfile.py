"""The API Dockerfile builds in a pool with no route out: bases by ARG registry and digest, pip through
the index it is given with the token as a BuildKit secret, no frontend image pulled from Docker Hub."""

from __future__ import annotations

import re

from tests.workloads.api.dockerfile import FROMS, GLOBAL_ARGS, INSTRUCTIONS, TEXT


def test_every_base_comes_from_a_registry_argument_and_is_pinned_by_digest() -> None:
    assert len(FROMS) == 2
    for reference in FROMS:
        match = re.fullmatch(r"\$\{(\w+_REGISTRY)\}/[a-z0-9._/-]+(:[\w.-]+)?@sha256:[0-9a-f]{64}", reference)
        assert match is not None, reference
        assert match.group(1) in GLOBAL_ARGS


def test_the_registry_defaults_are_the_public_registries_so_local_builds_work() -> None:
    assert GLOBAL_ARGS == {"PYTHON_REGISTRY": "docker.io/library", "DISTROLESS_REGISTRY": "gcr.io/distroless"}


def test_no_syntax_directive_pulls_a_frontend_image() -> None:
    assert not re.search(r"^#\s*syntax\s*=", TEXT, flags=re.MULTILINE | re.IGNORECASE)


def test_every_pip_run_that_reads_an_index_uses_the_given_one_and_mounts_the_token_as_a_secret() -> None:
    runs = [line for line in INSTRUCTIONS if line.startswith("RUN ") and "pip " in line]
    reading = [run for run in runs if "--no-index" not in run.split("&&")[0]]
    assert len(reading) == 2
    for run in reading:
        assert run.startswith("RUN --mount=type=secret,id=netrc,target=/root/.netrc,required=false ")
        assert '--index-url "${PIP_INDEX_URL}"' in run
    assert "ARG PIP_INDEX_URL=https://pypi.org/simple/" in INSTRUCTIONS


def test_dependencies_are_hash_locked_wheels() -> None:
    install = next(line for line in INSTRUCTIONS if "-r requirements.lock" in line)
    assert "--require-hashes" in install and "--only-binary=:all:" in install and "--no-deps" in install


def test_the_runtime_is_non_root_distroless() -> None:
    assert FROMS[-1].startswith("${DISTROLESS_REGISTRY}/python3-debian12:nonroot@sha256:")
    assert "USER 65532:65532" in INSTRUCTIONS
