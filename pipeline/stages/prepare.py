"""Tools for every later step: static binaries out of pinned images, GNU make, and the virtualenvs.

The Cloud SDK image has neither docker (removed in 531.0.0) nor make (533.0.0) nor jq, and its
Debian python3 has no ensurepip (pipeline/images.py says where each list comes from). So the
toolchain runs on Google's Docker builder and copies the static binaries out of their images, GNU make
is copied out of that builder too, and scripts/build-virtualenvs.sh creates each virtualenv without
ensurepip and then runs the Makefile's own rule for it, so the build installs exactly the pinned sets
`make test` uses, from the Artifact Registry PyPI mirror.
"""

from __future__ import annotations

from pipeline.contract import TOOL_BIN
from pipeline.images import extracted
from pipeline.installs import MAKE_TOOL, PROWLER_VENV, PYTHON_VENV, TOOL_VENVS, TOOLCHAIN, VENV_TARGETS
from pipeline.model import Stage
from pipeline.steps import script_step, shell_step
from pipeline.substitutions import ENV, PYPI_MIRROR

__all__ = ["MAKE_TOOL", "PROWLER_VENV", "PYTHON_VENV", "TOOLCHAIN", "TOOL_VENVS", "stage", "toolchain_args"]


# pip installs from the mirror: the project's set (PySpark, spaCy, Great Expectations) is the largest.
_VENV_TIMEOUTS = {PYTHON_VENV: 900, TOOL_VENVS: 900, PROWLER_VENV: 600}


def toolchain_args() -> tuple[str, ...]:
    """ENV, BIN_DIR, then one IMAGE PATH_IN_IMAGE SMOKE_COMMAND triple per extracted tool image."""
    triples = [(img.ref, str(img.extract), str(img.smoke_test)) for _, img in extracted()]
    return (ENV, TOOL_BIN, *(word for triple in triples for word in triple))


def stage(after: str) -> Stage:
    # scripts/install-toolchain.sh copies each static binary out of its image (never run) and
    # proves it runs, so a distroless or FROM-scratch tool image still yields its tool.
    toolchain = script_step(
        TOOLCHAIN, "install-toolchain.sh", toolchain_args(), wait_for=(after,), timeout=600, image_key="docker-builder"
    )
    # GNU make for the virtualenv steps: the builder's own (Ubuntu 20.04, glibc 2.31: runs on Debian 12).
    make = shell_step(
        MAKE_TOOL,
        (f"mkdir -p {TOOL_BIN} && cp /usr/bin/make {TOOL_BIN}/make",),
        wait_for=(after,),
        timeout=60,
        image_key="docker-builder",
    )
    # The project's virtualenv; the tool virtualenvs (Checkov and Semgrep for the unit tests and the
    # semgrep gate, Safety for python-quality); Prowler's alone, so the longest gate starts early.
    venvs = [
        script_step(
            step_id,
            "build-virtualenvs.sh",
            (ENV, PYPI_MIRROR, *targets),
            wait_for=(MAKE_TOOL,),
            timeout=_VENV_TIMEOUTS[step_id],
        )
        for step_id, targets in VENV_TARGETS.items()
    ]
    return Stage("prepare", (toolchain, make, *venvs))
