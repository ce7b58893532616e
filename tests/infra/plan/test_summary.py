"""The plan's printout: totals that say what they count and match the README, aligned columns, verdict last."""

from __future__ import annotations

import io

from infra.plan.readme import component_table
from infra.plan.summary import report, resource_lines, summary_lines
from infra.rules import Finding, Resource
from tests.conftest import planned


def _printed(stack: str, resources: list[Resource], findings: list[Finding]) -> list[str]:
    out = io.StringIO()
    report(stack, resources, findings, out)
    return out.getvalue().splitlines()


def test_the_cloud_resource_total_is_the_readmes_total(stack: str) -> None:
    resources = list(planned(stack))
    readme_total = component_table({stack: resources}).splitlines()[-1]
    cloud = next(line for line in resource_lines(resources) if line.startswith("cloud resources"))
    assert readme_total == f"| total | {cloud.split()[-1]} |"


def test_components_are_counted_apart_and_said_to_be_components() -> None:
    resources = list(planned("prod"))
    components = sum(1 for r in resources if r.type.startswith("hipaa:"))
    line = next(line for line in resource_lines(resources) if line.startswith("components"))
    assert line.split()[1] == str(components) and "not cloud resources" in line
    assert (
        summary_lines("prod", resources, [])[0]
        == f"stack prod: {len(resources) - components} cloud resources in {components} components"
    )


def test_columns_stay_aligned_for_a_long_type_name() -> None:
    long_type = "gcp:networksecurity/gatewaySecurityPolicyRule:GatewaySecurityPolicyRuleWithAVeryLongName"
    resources = [Resource(long_type, "a", "urn:a", {}), Resource("gcp:pubsub/topic:Topic", "b", "urn:b", {})]
    lines = resource_lines(resources)  # header, two types, the cloud total: counts end in one column
    assert {len(line) for line in lines[:4]} == {len(long_type) + 2 + 5}


def test_the_verdict_is_the_last_line_and_the_summary_just_before_it() -> None:
    lines = _printed("prod", list(planned("prod")), [])
    assert lines[-1] == "verdict: no violation"
    assert lines[-3].startswith("stack prod: ") and lines[-2].startswith("rules: ")


def test_a_violation_is_listed_and_named_in_the_verdict() -> None:
    finding = Finding("KMS-01", "45 CFR 164.312(a)(2)(iv)", "urn:x", "rotation over 90 days")
    lines = _printed("prod", list(planned("prod")), [finding])
    assert "violation KMS-01 urn:x: rotation over 90 days" in lines
    assert lines[-1] == "verdict: 1 violation(s) of 1 rule(s): the plan breaks a HIPAA rule"
    assert "1 fail" in lines[-2]


def test_a_rule_with_nothing_to_check_is_na_never_pass() -> None:
    lines = _printed("dev", [], [])
    assert not any(" PASS " in line for line in lines)
    assert lines[-2].startswith("rules: ") and "(0 pass, 0 fail" in lines[-2]
