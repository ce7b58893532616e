"""Scoped stack rules: judged only where their area is planned, and then never reported as a pass unchecked."""

from __future__ import annotations

import io

import pytest

from infra.plan import summary
from infra.rules import Context, Resource, Rule, evaluate

AREA = "hipaa:security:Example"


def always_fails(_: Context) -> list[str]:
    return ["area incomplete"]


SCOPED = Rule("TST-01", "45 CFR 164.312(b)", "example", stack_check=always_fails, scope=(AREA,))
UNSCOPED = Rule("TST-02", "45 CFR 164.312(b)", "example", stack_check=always_fails)


def resource(type_token: str) -> Resource:
    return Resource(type_token, "r", f"urn:{type_token}::r", {})


def test_scoped_stack_rule_judges_only_stacks_that_plan_its_area() -> None:
    assert evaluate([resource("gcp:kms/keyRing:KeyRing")], "prod", [SCOPED]) == []
    assert [f.rule_id for f in evaluate([resource(AREA)], "prod", [SCOPED])] == ["TST-01"]


def test_unscoped_stack_rule_judges_every_stack_even_an_empty_one() -> None:
    assert [f.rule_id for f in evaluate([], "prod", [UNSCOPED])] == ["TST-02"]


def test_scope_belongs_to_stack_rules_only() -> None:
    with pytest.raises(ValueError, match="has a scope but is not a stack rule"):
        Rule("TST-03", "45 CFR 164.312(b)", "x", (AREA,), lambda _r, _c: None, scope=(AREA,))


def _row(out: str, rule_id: str) -> list[str]:
    return next(line.split()[:3] for line in out.splitlines() if line.startswith(rule_id))


def test_out_of_scope_stack_rule_is_reported_not_applicable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(summary, "all_rules", lambda: [SCOPED])
    out = io.StringIO()
    summary.report("prod", [resource("gcp:kms/keyRing:KeyRing")], [], out)
    assert _row(out.getvalue(), "TST-01") == ["TST-01", "n/a", "0"]
    out = io.StringIO()
    summary.report("prod", [resource(AREA)], evaluate([resource(AREA)], "prod", [SCOPED]), out)
    assert _row(out.getvalue(), "TST-01") == ["TST-01", "FAIL", "1"]


def test_unscoped_stack_rule_is_reported_over_the_whole_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(summary, "all_rules", lambda: [UNSCOPED])
    out = io.StringIO()
    summary.report("prod", [resource("gcp:kms/keyRing:KeyRing"), resource(AREA)], [], out)
    assert _row(out.getvalue(), "TST-02") == ["TST-02", "PASS", "2"]
