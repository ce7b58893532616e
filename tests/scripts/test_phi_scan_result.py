"""The PHI gate reads the scan's own result: a scan that scanned no file is never clean, whatever its exit code.

`pipeline.phi` refuses to scan nothing (tests/pipeline/test_phi_cli.py); these tests hold the shell side
to the same rule when the result says otherwise, with a stand-in for the scanner ($PYTHON) that writes
the given result and exits with the given code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.scripts.fakes import FakeTools

SCRIPT = "run-phi-detection.sh"
FILTER = 'resource.type="build" AND resource.labels.build_id="b-123"'
LOG = [
    {
        "textPayload": 'Step #3 - "unit-tests": 412 passed',
        "resource": {"type": "build", "labels": {"build_id": "b-123", "project_id": "nwh-analytics-prd"}},
        "timestamp": "2026-11-24T15:00:00Z",
        "severity": "INFO",
    }
]
# Writes $FAKE_PHI_RESULT to the path after --json and exits $FAKE_PHI_EXIT, as `python -m pipeline.phi scan` would.
SCANNER = """#!/usr/bin/env bash
set -Eeuo pipefail
while (($#)); do
  if [[ "$1" == --json ]]; then printf '%s' "$FAKE_PHI_RESULT" >"$2"; fi
  shift
done
exit "$FAKE_PHI_EXIT"
"""


def scanner(tmp_path: Path) -> str:
    path = tmp_path / "fake-python"
    path.write_text(SCANNER, encoding="utf-8")
    path.chmod(0o755)
    return str(path)


def result(**changes: Any) -> str:
    document = {"mode": "pattern-only", "files_scanned": 2, "files_skipped": 0, "findings": [], **changes}
    return json.dumps({k: v for k, v in document.items() if v is not None})


def run(tmp_path: Path, scan_result: str, exit_code: int) -> tuple[int, str, dict[str, Any]]:
    tools = FakeTools(tmp_path).on("gcloud", ["logging", "read", FILTER], stdout=LOG)
    outputs = tmp_path / "outputs"
    outputs.mkdir()
    (outputs / "junit.xml").write_text('<testsuite tests="1"/>\n', encoding="utf-8")
    env = {"PYTHON": scanner(tmp_path), "FAKE_PHI_RESULT": scan_result, "FAKE_PHI_EXIT": str(exit_code)}
    completed = tools.run(SCRIPT, "prod", str(outputs), env=env)
    return completed.returncode, completed.reason, tools.evidence_of("phi-detection")


def test_the_stand_in_passes_a_scan_that_scanned_files(tmp_path: Path) -> None:
    code, _, evidence = run(tmp_path, result(), 0)
    assert (code, evidence["status"], evidence["checked"]) == (0, "pass", 2)


@pytest.mark.parametrize("exit_code", [0, 1])
def test_a_scan_of_no_file_is_never_clean(tmp_path: Path, exit_code: int) -> None:
    code, reason, evidence = run(tmp_path, result(files_scanned=0), exit_code)
    assert code == 1
    assert reason == f"{SCRIPT}: FAIL: PHI scan scanned no file; a scan of nothing is never clean"
    assert evidence["status"] == "fail"


@pytest.mark.parametrize(
    "scan_result",
    [
        result(files_scanned=None),
        result(files_scanned="3"),
        result(files_scanned=-1),
        result(files_scanned=1.5),
        "",
        " \n",
        result() + result(),
    ],
    ids=["missing", "a-string", "negative", "fractional", "empty", "blank", "two-documents"],
)
def test_an_empty_or_malformed_result_is_never_clean(tmp_path: Path, scan_result: str) -> None:
    code, reason, evidence = run(tmp_path, scan_result, 0)
    assert (code, reason) == (1, f"{SCRIPT}: FAIL: PHI scan wrote no result or a malformed one")
    assert evidence["status"] == "fail"
