"""Tools for every later step: static binaries out of pinned images, and the Python virtualenv."""

from __future__ import annotations

from pipeline.contract import TOOL_BIN
from pipeline.images import extracted
from pipeline.model import Stage
from pipeline.steps import script_step, shell_step
from pipeline.substitutions import ENV, PYPI_MIRROR

TOOLCHAIN = "toolchain"
PYTHON_VENV = "python-venv"


def toolchain_args() -> tuple[str, ...]:
    """ENV, BIN_DIR, then one IMAGE PATH_IN_IMAGE SMOKE_COMMAND triple per extracted tool image."""
    triples = [(img.ref, str(img.extract), str(img.smoke_test)) for _, img in extracted()]
    return (ENV, TOOL_BIN, *(word for triple in triples for word in triple))


def stage(after: str) -> Stage:
    # scripts/install-toolchain.sh copies each static binary out of its image (never run) and
    # proves it runs, so a distroless or FROM-scratch tool image still yields its tool.
    toolchain = script_step(TOOLCHAIN, "install-toolchain.sh", toolchain_args(), wait_for=(after,), timeout=600)
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
