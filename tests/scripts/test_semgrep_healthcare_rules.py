"""security/semgrep/healthcare.yml: well-formed rules, each shown to fire and to stay quiet."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.scripts.fakes import PROJECT_ROOT

RULES = PROJECT_ROOT / "security" / "semgrep" / "healthcare.yml"
CASES = PROJECT_ROOT / "tests" / "semgrep" / "healthcare.py"
EXPECTED = {
    "phi-in-log-call",
    "phi-in-print",
    "phi-in-exception-message",
    "tls-verification-disabled",
    "plain-http-endpoint",
    "hardcoded-gcp-service-account-key",
    "bigquery-query-built-by-string-formatting",
    "phi-dataframe-written-to-local-csv",
    "requests-without-timeout",
}


def rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    assert isinstance(document, dict) and isinstance(document["rules"], list)
    return document["rules"]


def test_every_required_healthcare_rule_is_there_once() -> None:
    ids = [rule["id"] for rule in rules()]
    assert sorted(ids) == sorted(EXPECTED)


@pytest.mark.parametrize("rule", rules(), ids=lambda rule: rule["id"])
def test_rule_shape_and_hipaa_citation(rule: dict[str, Any]) -> None:
    assert rule["languages"] == ["python"]
    assert rule["severity"] in {"ERROR", "WARNING"}
    assert re.search(r"45 CFR 164\.3\d\d", " ".join(rule["message"].split()))
    assert rule["metadata"]["hipaa"].startswith("164.3")
    assert any(key in rule for key in ("pattern", "patterns", "pattern-either"))


@pytest.mark.parametrize("rule_id", sorted(EXPECTED))
def test_every_rule_has_positive_and_negative_cases(rule_id: str) -> None:
    cases = CASES.read_text(encoding="utf-8")
    assert f"# ruleid: {rule_id}\n" in cases
    assert f"# ok: {rule_id}\n" in cases


SEMGREP = PROJECT_ROOT / ".tools" / "semgrep" / "bin" / "semgrep"


def _semgrep() -> str:
    """The pinned semgrep of the tools virtualenv (`make .tools/semgrep/.installed`). A missing
    semgrep fails the test: a rules test that skips proves nothing about the rules."""
    if not SEMGREP.exists():
        pytest.fail(f"semgrep is not installed at {SEMGREP}: run `make .tools/semgrep/.installed`")
    return str(SEMGREP)


def test_semgrep_test_passes_on_the_annotated_cases(tmp_path: Path) -> None:
    semgrep = _semgrep()
    shutil.copy(RULES, tmp_path / "healthcare.yml")
    shutil.copy(CASES, tmp_path / "healthcare.py")
    completed = subprocess.run(
        [semgrep, "--metrics=off", "--disable-version-check", "--test", str(tmp_path)],
        capture_output=True,
        text=True,
        env={**os.environ, "SEMGREP_ENABLE_VERSION_CHECK": "0"},
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert f"{len(EXPECTED)}/{len(EXPECTED)}: " in completed.stdout + completed.stderr


def test_a_missing_semgrep_fails_instead_of_skipping(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys.modules[__name__], "SEMGREP", tmp_path / "absent" / "semgrep")
    with pytest.raises(pytest.fail.Exception, match="semgrep is not installed at"):
        _semgrep()
