"""The script tests' warm $PYTHON answers exactly as a cold `python -m` would, and only where it may."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.scripts.warm_python import ROOT, client_path

SYNTHETIC_LOG = "build started\npatient mrn 00123456 admitted\nbuild finished\n"


def both(arguments: list[str], cwd: Path, env: dict[str, str] | None = None) -> list[subprocess.CompletedProcess[str]]:
    """The same command line, warm and cold, from the same place with the same environment."""
    environment = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), **(env or {})}
    return [
        subprocess.run(
            [python, *arguments], cwd=cwd, env=environment, capture_output=True, text=True, timeout=60, check=False
        )
        for python in (client_path(), sys.executable)
    ]


def test_a_gate_answers_warm_as_it_does_cold(tmp_path: Path) -> None:
    (tmp_path / "build.log").write_text(SYNTHETIC_LOG, encoding="utf-8")
    warm, cold = both(["-m", "pipeline.phi", "scan", "--json", "result.json", "--", "build.log"], tmp_path)
    assert (warm.returncode, warm.stdout, warm.stderr) == (cold.returncode, cold.stdout, cold.stderr)
    assert warm.returncode == 1 and "MEDICAL_RECORD_NUMBER" in warm.stdout  # relative paths: the caller's cwd
    assert json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))["files_scanned"] == 1


def test_a_usage_error_keeps_its_exit_code_and_message(tmp_path: Path) -> None:
    warm, cold = both(["-m", "pipeline.verdict", "--bogus"], tmp_path)
    assert (warm.returncode, warm.stdout, warm.stderr) == (cold.returncode, cold.stdout, cold.stderr)
    assert warm.returncode == 2 and "the following arguments are required" in warm.stderr


def test_the_callers_environment_is_the_childs(tmp_path: Path) -> None:
    """The PHI gate reads its model from the environment: an unusable one is reported, warm as cold."""
    warm, cold = both(
        ["-m", "pipeline.phi", "scan", "--", str(tmp_path)], tmp_path, {"PHI_SPACY_MODEL": str(tmp_path / "none")}
    )
    assert (warm.returncode, warm.stderr) == (cold.returncode, cold.stderr)


def test_anything_but_a_pipeline_module_runs_cold(tmp_path: Path) -> None:
    warm, cold = both(["-c", "import sys; print(sys.flags.isolated, sys.argv)"], tmp_path)
    assert warm.stdout == cold.stdout == "0 ['-c']\n"


def test_a_copied_repository_runs_its_own_code_cold(tmp_path: Path) -> None:
    """A test that copies the repository (scripts_copy) must run the copy, not the preloaded original."""
    (tmp_path / "pipeline").mkdir()
    (tmp_path / "pipeline" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "pipeline" / "verdict.py").write_text("print('the copy')\n", encoding="utf-8")
    warm, _ = both(["-m", "pipeline.verdict"], tmp_path, {"PYTHONPATH": str(tmp_path)})
    assert (warm.returncode, warm.stdout) == (0, "the copy\n")
