"""What each step installs into /workspace, in one place: the tool-provenance check and the simulator
both read it.

A later step may use a command from here only when it waits (directly or through others) for the
step that installs it and, for a command called by name, has the directory first on its PATH. Each
list names only what the install is known to produce: the binaries the toolchain copies out of the
images of pipeline/images.py, and the console scripts of the pinned requirement files
(tests/pipeline/test_installs.py holds each list to the virtualenv `make` builds from the same files).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pipeline.contract import TOOL_BIN, VENV, WORKSPACE
from pipeline.images import extracted, tools_of


@dataclass(frozen=True)
class WorkspaceInstall:
    step: str  # id of the step that installs
    directory: str  # absolute directory under /workspace
    tools: frozenset[str]
    source: str  # what decides the list

    def paths(self) -> frozenset[str]:
        return frozenset(f"{self.directory}/{tool}" for tool in self.tools)


TOOLCHAIN = "toolchain"
MAKE_TOOL = "make-tool"
PYTHON_VENV = "python-venv"
TOOL_VENVS = "tool-venvs"
PROWLER_VENV = "prowler-venv"

# Makefile targets the build runs (scripts/build-virtualenvs.sh), per step.
VENV_TARGETS: dict[str, tuple[str, ...]] = {
    PYTHON_VENV: (".venv/.installed",),
    TOOL_VENVS: (".venv-tools/.installed", ".tools/semgrep/.installed", ".tools/safety/.installed"),
    PROWLER_VENV: (".tools/prowler/.installed",),
}
SEMGREP_BIN = f"{WORKSPACE}/.tools/semgrep/bin"
SAFETY_BIN = f"{WORKSPACE}/.tools/safety/bin"
PROWLER_BIN = f"{WORKSPACE}/.tools/prowler/bin"
CHECKOV_BIN = f"{WORKSPACE}/.venv-tools/bin"

_PYTHON = frozenset({"python", "python3", "python3.11", "pip", "pip3"})

INSTALLS: tuple[WorkspaceInstall, ...] = (
    WorkspaceInstall(
        TOOLCHAIN,
        TOOL_BIN,
        frozenset().union(*(img.tools for _, img in extracted())),
        "scripts/install-toolchain.sh: the extracted binaries of pipeline/images.py",
    ),
    WorkspaceInstall(
        MAKE_TOOL, TOOL_BIN, frozenset({"make"}), "GNU make copied from the docker-builder image (its Dockerfile-base)"
    ),
    WorkspaceInstall(
        PYTHON_VENV,
        f"{VENV}/bin",
        _PYTHON | {"pytest", "coverage", "ruff", "mypy", "shellcheck", "pylint", "bandit", "pyspark", "spark-submit"},
        "requirements.txt and requirements/*.txt (make .venv/.installed)",
    ),
    WorkspaceInstall(TOOL_VENVS, CHECKOV_BIN, _PYTHON | {"checkov"}, "requirements/tools/checkov.txt"),
    WorkspaceInstall(TOOL_VENVS, SEMGREP_BIN, _PYTHON | {"semgrep"}, "requirements/tools/semgrep.txt"),
    WorkspaceInstall(TOOL_VENVS, SAFETY_BIN, _PYTHON | {"safety"}, "requirements/tools/safety.txt"),
    WorkspaceInstall(PROWLER_VENV, PROWLER_BIN, _PYTHON | {"prowler"}, "requirements/tools/prowler.txt"),
)


def installs_by(step_ids: Iterable[str]) -> tuple[WorkspaceInstall, ...]:
    steps = set(step_ids)
    return tuple(install for install in INSTALLS if install.step in steps)


def provided(step_image: str, before: Iterable[str], path: Iterable[str]) -> tuple[frozenset[str], frozenset[str]]:
    """What a step can run: (commands by name, absolute paths of executables).

    `step_image` is the step's image reference, `before` the ids of the steps it waits for directly
    or not, `path` the directories its command puts first on PATH.
    """
    on_path = set(path)
    earlier = installs_by(before)
    names = set(tools_of(step_image))
    names.update(tool for install in earlier if install.directory in on_path for tool in install.tools)
    paths = frozenset().union(*(install.paths() for install in earlier))
    return frozenset(names), paths
