"""The offline plan: every stack plans with zero rule violations; the CLI keeps its contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.__main__ import main
from infra.plan.resources import from_preview, to_preview
from infra.rules import all_rules, evaluate
from tests.conftest import planned


def test_every_stack_plans_without_violation(stack: str) -> None:
    findings = evaluate(planned(stack), stack)
    assert findings == [], "\n".join(f"{f.rule_id} {f.urn}: {f.message}" for f in findings)


def test_every_rule_has_id_citation_and_reason() -> None:
    for rule in all_rules():
        assert rule.id and rule.reason
        assert rule.citation.startswith("45 CFR 164.3")


def test_plan_cli_writes_preview_json_and_check_reads_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "preview.json"
    assert main(["plan", "--stack", "prod", "--json", str(out)]) == 0
    document = json.loads(out.read_text())
    step = document["steps"][0]
    assert step["op"] == "create" and {"type", "urn", "inputs", "protect"} <= set(step["newState"])
    assert document["changeSummary"]["create"] == len(document["steps"])
    assert main(["check", str(out)]) == 0
    assert capsys.readouterr().out.rstrip().endswith("verdict: no violation")


def test_check_fails_on_a_violating_preview(tmp_path: Path) -> None:
    out = tmp_path / "preview.json"
    document = to_preview(list(planned("prod")))  # what `plan --json` writes, without planning again
    for step in document["steps"]:
        if step["newState"]["type"] == "gcp:kms/cryptoKey:CryptoKey":
            step["newState"]["inputs"]["rotationPeriod"] = "31536000s"
    out.write_text(json.dumps(document))
    assert main(["check", str(out)]) == 1


@pytest.mark.parametrize("content", ["", "{not json", "[]", '{"steps": []}', '{"steps": [{"op": "create"}]}'])
def test_check_rejects_malformed_preview_with_exit_2(tmp_path: Path, content: str) -> None:
    out = tmp_path / "preview.json"
    out.write_text(content)
    assert main(["check", str(out)]) == 2


def test_check_missing_file_exits_2(tmp_path: Path) -> None:
    assert main(["check", str(tmp_path / "absent.json")]) == 2


def test_the_preview_keeps_what_each_resource_waits_for() -> None:
    plan = list(planned("prod"))
    assert [r.dependencies for r in from_preview(to_preview(plan))] == [r.dependencies for r in plan]


def test_check_refuses_a_preview_that_records_no_dependencies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without dependencies CMK-02 cannot tell whether a key grant comes first: a finding, not a pass."""
    document = to_preview(list(planned("prod")))
    for step in document["steps"]:
        step["newState"].pop("dependencies", None)
    out = tmp_path / "preview.json"
    out.write_text(json.dumps(document))
    assert main(["check", str(out)]) == 1
    assert "CMK-02" in capsys.readouterr().out
