"""A removed fake leaves no tool of that name on the scripts' PATH, even where the machine has one.

The pipeline's unit-tests step runs this suite with cosign, trivy and pulumi in /workspace/bin and
bandit in .venv/bin: a test of a missing tool must not depend on the machine lacking it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.scripts.fakes import FakeTools


def _installed(directory: Path, name: str, says: str) -> None:
    tool = directory / name
    tool.write_text(f"#!/bin/sh\necho {says}\n", encoding="utf-8")
    tool.chmod(0o755)


def test_a_removed_tool_is_missing_though_the_machine_has_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    machine = tmp_path / "machine-bin"
    machine.mkdir()
    _installed(machine, "cosign", "real-cosign")
    _installed(machine, "neighbour", "neighbour-ran")
    monkeypatch.setenv("PATH", f"{machine}:/usr/bin:/bin")
    tools = FakeTools(tmp_path / "fakes").remove("cosign")
    env = tools.environment()
    lookup = subprocess.run(["bash", "-c", "command -v cosign"], env=env, capture_output=True, text=True, check=False)
    assert lookup.returncode == 1 and lookup.stdout == ""
    # The rest of that directory stays reachable, by the same name.
    neighbour = subprocess.run(["bash", "-c", "neighbour"], env=env, capture_output=True, text=True, check=False)
    assert neighbour.stdout == "neighbour-ran\n"
    # A directory without the tool is left on PATH as it is.
    assert "/usr/bin" in env["PATH"].split(":") and str(machine) not in env["PATH"].split(":")


def test_a_tool_that_is_not_faked_cannot_be_removed(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a faked tool"):
        FakeTools(tmp_path).remove("ls")
