"""What the steps install into /workspace, held to what the pinned installs really produce."""

from __future__ import annotations

import os
import re

import pytest

from pipeline.images import extracted, image
from pipeline.installs import INSTALLS, MAKE_TOOL, PYTHON_VENV, TOOLCHAIN, VENV_TARGETS, provided
from pipeline.render import ROOT

VENV_INSTALLS = [i for i in INSTALLS if i.step in VENV_TARGETS]


def test_the_toolchain_installs_exactly_the_extracted_binaries() -> None:
    toolchain = next(i for i in INSTALLS if i.step == TOOLCHAIN)
    assert toolchain.tools == frozenset().union(*(img.tools for _, img in extracted()))
    assert {"jq", "trivy", "cosign", "pulumi", "docker", "docker-buildx"} <= toolchain.tools


def test_every_virtualenv_install_is_one_of_its_steps_makefile_targets() -> None:
    for install in VENV_INSTALLS:
        directory = install.directory.removeprefix("/workspace/").removesuffix("/bin")
        assert f"{directory}/.installed" in VENV_TARGETS[install.step], install.directory
        # The Makefile names the virtualenv (`SAFETY_VENV := .tools/safety`) whose target the step builds.
        assert re.search(rf"^[A-Z_]+ := {re.escape(directory)}$", _makefile(), re.M), directory


def _makefile() -> str:
    return (ROOT / "Makefile").read_text(encoding="utf-8")


@pytest.mark.parametrize("install", VENV_INSTALLS, ids=lambda i: i.directory)
def test_each_declared_command_is_in_the_virtualenv_make_builds(install: object) -> None:
    directory = ROOT / str(getattr(install, "directory", "")).removeprefix("/workspace/")
    if not (directory / "python").exists():
        # Built only by the pipeline (Safety, Prowler): the pin is what decides the command.
        requirement = {"safety": "safety.txt", "prowler": "prowler.txt"}[directory.parent.name]
        pins = (ROOT / "requirements" / "tools" / requirement).read_text(encoding="utf-8")
        assert f"{directory.parent.name}==" in pins
        return
    missing = [t for t in getattr(install, "tools", ()) if not os.access(directory / t, os.X_OK)]
    assert missing == []


def test_a_command_counts_only_behind_its_install_and_on_path() -> None:
    sdk = image("cloud-sdk")
    names, paths = provided(sdk, {PYTHON_VENV}, ["/workspace/.venv/bin"])
    assert "pytest" in names and "/workspace/.venv/bin/pytest" in paths
    names, _ = provided(sdk, {PYTHON_VENV}, [])
    assert "pytest" not in names
    names, paths = provided(sdk, set(), ["/workspace/.venv/bin", "/workspace/bin"])
    assert "pytest" not in names and not paths
    assert "make" in provided(sdk, {MAKE_TOOL}, ["/workspace/bin"])[0]
