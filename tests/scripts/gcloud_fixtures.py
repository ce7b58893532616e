"""Recorded-shape gcloud and bq answers for the validation-script tests.

Each script's compliant world lives as JSON files under `fixtures/<script-stem>/`, shaped like
the tool's `--format=json` output (synthetic names and numbers only). A test builds a `Scenario`
of named answers from them, breaks one (a violating value, a tool error, empty or malformed
output), installs it into `FakeTools` and runs the script.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.evidence import validate
from tests.scripts.fakes import FakeTools, Result

FIXTURES = Path(__file__).parent / "fixtures"

# The prod stack's names (Pulumi.prod.yaml), and synthetic project numbers for them.
PROJECT = "nwh-analytics-prd"
SIEM_PROJECT = "nwh-siem-prd"
SECURITY_PROJECT = "nwh-security-prd"
PROJECT_NUMBER = "731522004816"
SIEM_NUMBER = "731522004817"
SECURITY_NUMBER = "731522004818"
KEYRING = f"projects/{PROJECT}/locations/us-central1/keyRings/hipaa-prod-keyring"
PERIMETER = "accessPolicies/482915736021/servicePerimeters/hipaa_prod_perimeter"
REGION = "us-central1"

# How a tool can let a script down; each must fail the gate with one line saying so.
BROKEN: dict[str, dict[str, Any]] = {
    "error": {"exit": 1},
    "empty": {"stdout": ""},
    "malformed": {"stdout": '[{"name": "truncated'},
}
ERRORS = {
    "gcloud": "ERROR: (gcloud) PERMISSION_DENIED: The caller does not have permission\n",
    "bq": "BigQuery error in ls operation: Access Denied: the caller does not have permission\n",
}
BROKEN_REASON = {"error": "failed (exit 1)", "empty": "printed nothing", "malformed": "printed malformed JSON"}


def load(stem: str, name: str) -> Any:
    """One fixture file of a script (`fixtures/<stem>/<name>.json`), a fresh copy to change."""
    return json.loads((FIXTURES / stem / f"{name}.json").read_text(encoding="utf-8"))


@dataclass
class Answer:
    tool: str
    match: list[str]
    data: Any = None  # JSON-encoded on install; a str is printed as it is
    exit: int = 0
    stderr: str = ""
    raw: str | None = None  # printed instead of data (empty or malformed output)
    times: int | None = None  # answers this often, then later answers with the same tokens take over


@dataclass
class Scenario:
    """Named answers for one run; later `add`s with the same name replace earlier ones."""

    answers: dict[str, Answer] = field(default_factory=dict)

    def add(self, name: str, tool: str, match: list[str], data: Any, times: int | None = None) -> Scenario:
        self.answers[name] = Answer(tool, match, data, times=times)
        return self

    def __getitem__(self, name: str) -> Any:
        """The answer's JSON data, to change in place."""
        return self.answers[name].data

    def __setitem__(self, name: str, data: Any) -> None:
        self.answers[name].data = data

    def break_answer(self, name: str, how: str) -> Scenario:
        """Make one answer fail as BROKEN[how] describes."""
        answer = self.answers[name]
        broken = BROKEN[how]
        answer.exit = broken.get("exit", 0)
        answer.stderr = ERRORS[answer.tool] if answer.exit else ""
        answer.raw = broken.get("stdout", "")
        return self

    def install(self, tools: FakeTools) -> FakeTools:
        for answer in self.answers.values():
            stdout = answer.raw if answer.raw is not None else answer.data
            tools.on(
                answer.tool, answer.match, stdout=stdout, exit=answer.exit, stderr=answer.stderr, times=answer.times
            )
        return tools

    def copy(self) -> Scenario:
        return Scenario(copy.deepcopy(self.answers))


def project_answers(scenario: Scenario, *projects: tuple[str, str]) -> Scenario:
    """`gcloud projects describe ID --format=json` for each (project id, number)."""
    for project_id, number in projects:
        scenario.add(
            f"project {project_id}",
            "gcloud",
            ["projects", "describe", project_id],
            {
                "createTime": "2026-01-12T09:30:11.204Z",
                "lifecycleState": "ACTIVE",
                "name": project_id,
                "parent": {"id": "318204417725", "type": "folder"},
                "projectId": project_id,
                "projectNumber": number,
            },
        )
    return scenario


def failed(result: Result, gate: str) -> dict[str, Any]:
    """Assert the gate failed (exit 1, fail evidence) and return its evidence."""
    assert result.returncode == 1, result.stderr
    evidence = result.tools.evidence_of(gate)
    assert evidence["status"] == "fail", evidence
    _readable_by_the_report(evidence, gate)
    return evidence


def passed(result: Result, gate: str) -> dict[str, Any]:
    """Assert the gate passed (exit 0, pass evidence, nothing violated) and return its evidence."""
    assert result.returncode == 0, result.stderr
    evidence = result.tools.evidence_of(gate)
    assert evidence["status"] == "pass" and evidence["violations"] == [], evidence
    assert result.reason.endswith(f"PASS: {gate}: {evidence['checked']} checked, 0 violations")
    _readable_by_the_report(evidence, gate)
    return evidence


def _readable_by_the_report(evidence: dict[str, Any], gate: str) -> None:
    """A live gate's inventory counts, as the shell wrote them, must be what the compliance report
    accepts (pipeline/evidence.py): counts that add up and agree with the status."""
    if "inventory" in evidence:
        validate(evidence, gate, evidence["environment"], evidence["build_id"], f"{gate}.json")


def violated(result: Result, gate: str, expected: str) -> list[str]:
    """Assert the gate failed on violations, one of which is `expected`; return them all."""
    evidence = failed(result, gate)
    assert expected in evidence["violations"], evidence["violations"]
    assert f"violation: {expected}" in result.stderr
    count = len(evidence["violations"])
    assert result.reason.endswith(f"FAIL: {gate}: {count} violation(s) in {evidence['checked']} checked")
    return list(evidence["violations"])


def failed_closed(result: Result, gate: str, what: str, tool: str, how: str) -> None:
    """Assert a broken tool answer (BROKEN[how]) failed the gate with exactly one line naming it."""
    evidence = failed(result, gate)
    detail = f"{tool} {BROKEN_REASON[how]}" + (f": {ERRORS[tool].strip()}" if how == "error" else "")
    script = result.reason.split(":", 1)[0]
    assert result.reason == f"{script}: FAIL: {what}: {detail}"
    assert evidence["violations"][-1] == f"{what}: {detail}"


def usage_failed(result: Result, usage: str) -> None:
    """Assert a missing or malformed argument exited 2 with the usage line and no evidence."""
    assert result.returncode == 2, result.stderr
    assert result.reason == f"usage: {usage}"
    assert not result.tools.evidence.exists() or not any(result.tools.evidence.iterdir())
    assert result.tools.calls() == []
