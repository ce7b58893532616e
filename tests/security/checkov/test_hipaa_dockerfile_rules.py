"""The Dockerfile HIPAA rules in-process, one property per case (the Checkov fixtures show the wiring).

Dockerfiles are given as instruction lists, the shape Checkov hands the checks (keyword, arguments,
start line); the project's own Dockerfile is read the same way.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hipaa_dockerfile_rules import (
    Finding,
    Instruction,
    hardened_runtime_base,
    non_root_runtime_user,
    parse_args,
    pinned_bases,
    stages,
    substitute,
)

PROJECT_DOCKERFILE = Path(__file__).resolve().parents[3] / "workloads" / "api" / "Dockerfile"
PY = "docker.io/library/python:3.11-slim@sha256:" + "52" * 32
DISTROLESS = "gcr.io/distroless/python3-debian12:nonroot@sha256:" + "7d" * 32


def dockerfile(*lines: str) -> list[Instruction]:
    """One instruction per line (no continuations), lines counted from 0 as Checkov counts them."""
    instructions = []
    for number, line in enumerate(lines):
        keyword, _, value = line.partition(" ")
        instructions.append(Instruction(keyword.upper(), value, number))
    return instructions


def read(path: Path) -> list[Instruction]:
    """A Dockerfile with continuations joined, comments and blank lines left out."""
    instructions, pending, start = [], "", 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        start = start if pending else number
        pending += line.rstrip("\\").strip() + " "
        if not line.endswith("\\"):
            keyword, _, value = pending.strip().partition(" ")
            instructions.append(Instruction(keyword.upper(), value.strip(), start))
            pending = ""
    return instructions


GOOD = dockerfile(
    "ARG DISTROLESS=gcr.io/distroless",
    f"FROM {PY} AS build",
    "RUN python -m compileall /src",
    "FROM ${DISTROLESS}/python3-debian12:nonroot@sha256:" + "7d" * 32,
    "COPY --from=build /src /app",
    "USER 65532:65532",
)


def test_the_projects_dockerfile_and_a_compliant_one_pass_every_rule() -> None:
    for instructions in (read(PROJECT_DOCKERFILE), GOOD):
        assert pinned_bases(instructions) == []
        assert hardened_runtime_base(instructions) == []
        assert non_root_runtime_user(instructions) == []


@pytest.mark.parametrize(
    ("lines", "finding"),
    [
        (("FROM python:3.11-slim AS build", f"FROM {DISTROLESS}"), Finding("FROM build: base image not pinned", 0)),
        ((f"FROM {PY}", "FROM python@${DIGEST}"), Finding("FROM stage: base image not pinned", 1)),
        (("FROM ${BASE}@sha256:" + "52" * 32,), Finding("FROM stage: base image names its image through", 0)),
        ((f"FROM {PY}", "COPY --from=busybox:1.36 /bin/sh /sh"), Finding("COPY --from image not pinned", 1)),
        ((f"FROM {PY}", "RUN --mount=type=bind,from=alpine,target=/a true"), Finding("RUN --from image not", 1)),
        ((), Finding("no FROM instruction", 0)),
    ],
)
def test_unpinned_or_unresolvable_images_fail(lines: tuple[str, ...], finding: Finding) -> None:
    findings = pinned_bases(dockerfile(*lines))
    assert [(f.problem.startswith(finding.problem), f.line) for f in findings] == [(True, finding.line)]


def test_scratch_stages_stage_indexes_and_literal_digests_behind_a_registry_argument_pass() -> None:
    assert (
        pinned_bases(
            dockerfile(
                "ARG REGISTRY=docker.io/library",
                "FROM ${REGISTRY}/python:3.11@sha256:" + "52" * 32 + " AS Build",
                "FROM scratch",
                "COPY --from=0 /a /a",
                "COPY --from=build /b /b",
                "FROM --platform=linux/amd64 build AS final",
            )
        )
        == []
    )


@pytest.mark.parametrize(
    "runtime",
    [
        "FROM " + PY,
        "FROM gcr.io/distroless/python3-debian12:debug-nonroot@sha256:" + "7d" * 32,
        "FROM cgr.dev/chainguard/python@sha256:" + "7d" * 32,
        "FROM ${UNSET}/python3-debian12@sha256:" + "7d" * 32,
        "FROM us-central1-docker.pkg.dev/p-roject1/hipaa-prod-dockerhub-mirror/library/python@sha256:" + "7d" * 32,
    ],
)
def test_a_runtime_base_that_is_not_distroless_or_scratch_fails(runtime: str) -> None:
    assert hardened_runtime_base(dockerfile(f"FROM {DISTROLESS} AS build", runtime, "USER 1000")) == [
        Finding("runtime stage is not built on a distroless (non-debug) or scratch base", 1)
    ]


def test_the_runtime_base_is_followed_through_the_stages_it_extends() -> None:
    extends = dockerfile(f"FROM {PY} AS base", "FROM base AS final", "USER 1000")
    assert hardened_runtime_base(extends) == [
        Finding("runtime stage is not built on a distroless (non-debug) or scratch base", 0)
    ]
    mirrored = "us-central1-docker.pkg.dev/nwh-analytics-prd/hipaa-prod-gcr-mirror/distroless/static:nonroot"
    assert hardened_runtime_base(dockerfile(f"FROM {mirrored} AS base", "FROM base", "USER 1000")) == []
    assert hardened_runtime_base(dockerfile(f"FROM {PY} AS build", "FROM scratch")) == []


@pytest.mark.parametrize(
    ("lines", "problem", "line"),
    [
        ((f"FROM {PY} AS build", "USER 65532", f"FROM {DISTROLESS}"), "runtime stage sets no USER", 2),
        ((f"FROM {DISTROLESS}", "USER root"), "last USER is not a numeric UID", 1),
        ((f"FROM {DISTROLESS}", "USER nonroot"), "last USER is not a numeric UID", 1),
        ((f"FROM {DISTROLESS}", "USER 65532", "USER 0:0"), "last USER is root (UID 0)", 2),
        ((f"FROM {DISTROLESS}", "USER ${UID}"), "last USER is not a numeric UID", 1),
        (("ARG UID=65532", f"FROM {DISTROLESS}", "USER ${UID}"), "last USER is not a numeric UID", 2),
        ((), "no FROM instruction", 0),
    ],
)
def test_the_runtime_stage_must_end_as_a_numeric_non_root_user(lines: tuple[str, ...], problem: str, line: int) -> None:
    assert [(f.problem.startswith(problem), f.line) for f in non_root_runtime_user(dockerfile(*lines))] == [
        (True, line)
    ]


def test_a_user_from_a_stage_argument_takes_its_default_or_the_global_one() -> None:
    assert (
        non_root_runtime_user(dockerfile("ARG UID=65532", f"FROM {DISTROLESS}", "ARG UID", "USER ${UID}:${UID}")) == []
    )
    assert non_root_runtime_user(dockerfile(f"FROM {DISTROLESS}", "ARG UID=1000", "USER $UID")) == []
    assert non_root_runtime_user(dockerfile(f"FROM {DISTROLESS}", "ARG UID=0", "USER $UID")) == [
        Finding("last USER is root (UID 0)", 2)
    ]


def test_arguments_and_stages_are_read_as_docker_reads_them() -> None:
    assert parse_args('A=1 B "C=two words"') == {"A": "1", "B": None, "C": "two words"}
    assert parse_args('A="unbalanced') == {"A": '"unbalanced'}
    assert substitute("${A}/x:${B:-latest}", {"A": "reg", "B": None}) == "reg/x:latest"
    assert substitute("$A/x", {}) is None
    global_args, found = stages(dockerfile("ARG A=1", "FROM x AS One", "ARG B", "FROM one"))
    assert global_args == {"A": "1"}
    assert [(s.base, s.alias, len(s.body)) for s in found] == [("x", "one", 1), ("one", "", 0)]
