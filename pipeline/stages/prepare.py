"""Tools for every later step: static binaries out of pinned images, and the Python virtualenv."""

from __future__ import annotations

from pipeline.contract import TOOL_BIN
from pipeline.images import extracted
from pipeline.model import Stage
from pipeline.steps import shell_step
from pipeline.substitutions import PYPI_MIRROR

TOOLCHAIN = "toolchain"
PYTHON_VENV = "python-venv"


def toolchain_lines() -> tuple[str, ...]:
    # `docker create` never starts the container (the trailing word is a dummy command); `docker cp`
    # copies the binary out, so a distroless or FROM-scratch tool image still yields its tool.
    takes = [f'take "{img.ref}" {img.extract}' for _, img in extracted()]
    smoke = " && ".join(f"{TOOL_BIN}/{img.smoke_test} >/dev/null" for _, img in extracted())
    return (
        f"set -Eeuo pipefail; mkdir -p {TOOL_BIN}",
        'take() { local c; c=$$(docker create "$$1" none); '
        f'docker cp "$$c:$$2" {TOOL_BIN}/; docker rm "$$c" >/dev/null; }}',
        "; ".join(takes[:2]),
        "; ".join(takes[2:]),
        smoke,
    )


def stage(after: str) -> Stage:
    toolchain = shell_step(TOOLCHAIN, toolchain_lines(), wait_for=(after,), timeout=600)
    # The Makefile's own install rule, so the build gets exactly the pinned set `make test` uses;
    # pip reads the index from PIP_INDEX_URL and the short-lived token from a private netrc file.
    host = PYPI_MIRROR.removeprefix("https://").split("/", 1)[0]
    venv = shell_step(
        PYTHON_VENV,
        (
            "set -Eeuo pipefail; export NETRC=$$(mktemp); trap 'rm -f \"$$NETRC\"' EXIT",
            f"printf 'machine %s login oauth2accesstoken password %s\\n' \"{host}\""
            ' "$$(gcloud auth print-access-token)" >"$$NETRC"',
            "make .venv/.installed PYTHON=python3",
        ),
        wait_for=(after,),
        timeout=900,
        extra_env=(f"PIP_INDEX_URL={PYPI_MIRROR}",),
    )
    return Stage("prepare", (toolchain, venv))
