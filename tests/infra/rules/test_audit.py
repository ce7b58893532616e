"""Audit rules: the component passes every rule; each rule fails on a violating resource."""

from __future__ import annotations

from typing import Any

import pytest

from infra.rules import Resource, evaluate
from infra.rules.audit import AUDIT_CONFIG, BUCKET, PROJECT_MEMBER, RULES, SINK
from tests.infra.recording import changed
from tests.infra.security.builders import built_audit_logging


def ids(resources: list[Resource], environment: str = "prod") -> set[str]:
    return {f.rule_id for f in evaluate(resources, environment, RULES)}


def component(kind: str, environment: str = "prod") -> Resource:
    return next(r for r in built_audit_logging(environment) if r.type == kind)


def stack_with(replacement: Resource | None, kind: str, environment: str = "prod") -> list[Resource]:
    """The component's resources with the one of `kind` replaced (or dropped when None)."""
    others = [r for r in built_audit_logging(environment) if r.type != kind]
    return others if replacement is None else [*others, replacement]


def violations(kind: str, path: str, value: Any, environment: str = "prod", judged_in: str | None = None) -> set[str]:
    """Rule ids failing when one input of the component's resource of `kind` is changed."""
    resource = changed(component(kind, environment), path, value)
    return ids(stack_with(resource, kind, environment), judged_in or environment)


def test_component_is_compliant_in_every_environment(stack: str) -> None:
    assert ids(list(built_audit_logging(stack)), stack) == set()


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("auditLogConfigs", [{"logType": "ADMIN_READ"}, {"logType": "DATA_WRITE"}]),
        ("auditLogConfigs.1.exemptedMembers", ["user:oncall@northwind-health.example"]),
    ],
)
def test_audit_config_violation_is_caught(path: str, value: Any) -> None:
    assert violations(AUDIT_CONFIG, path, value) == {"AUD-01"}


def test_service_specific_config_may_list_fewer_types_but_never_exempt() -> None:
    storage_only = changed(component(AUDIT_CONFIG), "service", "storage.googleapis.com")
    fewer = changed(storage_only, "auditLogConfigs", [{"logType": "DATA_READ"}])
    exempting = changed(storage_only, "auditLogConfigs", [{"logType": "DATA_READ", "exemptedMembers": ["group:x@y.z"]}])
    full = list(built_audit_logging("prod"))
    assert ids([*full, fewer]) == set()
    assert ids([*full, exempting]) == {"AUD-01"}


def test_missing_sink_is_caught_by_the_stack_rule() -> None:
    assert ids(stack_with(None, SINK)) == {"AUD-02"}


def test_sink_into_the_workload_project_itself_is_caught() -> None:
    local = changed(
        component(SINK),
        "destination",
        "logging.googleapis.com/projects/nwh-analytics-prd/locations/us-central1/buckets/hipaa-prod-audit-logs",
    )
    assert ids(stack_with(local, SINK)) == {"AUD-02"}


def test_sink_in_another_project_does_not_count_for_the_workload_project() -> None:
    elsewhere = changed(component(SINK), "project", "nwh-security-prd")
    assert ids(stack_with(elsewhere, SINK)) == {"AUD-02"}


def test_audit_area_without_an_all_services_config_is_caught() -> None:
    assert ids(stack_with(None, AUDIT_CONFIG)) == {"AUD-02"}


def test_stack_rule_does_not_apply_where_no_audit_area_is_planned() -> None:
    assert ids([]) == set()


@pytest.mark.parametrize(
    ("path", "value", "rule"),
    [
        ("exclusions", [{"name": "drop-data-access", "filter": "log_id(x)"}], "AUD-03"),
        ("filter", 'log_id("cloudaudit.googleapis.com/activity")', "AUD-03"),
        ("uniqueWriterIdentity", False, "AUD-04"),
    ],
)
def test_sink_violation_is_caught(path: str, value: Any, rule: str) -> None:
    assert violations(SINK, path, value) == {rule}


def test_disabled_sink_fails_both_the_sink_rule_and_the_routing_stack_rule() -> None:
    assert violations(SINK, "disabled", True) == {"AUD-02", "AUD-03"}


def test_disabled_exclusion_and_empty_filter_are_accepted() -> None:
    sink = changed(component(SINK), "exclusions", [{"name": "paused", "filter": "x", "disabled": True}])
    assert ids(stack_with(changed(sink, "filter", ""), SINK)) == set()


@pytest.mark.parametrize(
    ("path", "value", "rule"),
    [
        ("cmekSettings", None, "AUD-05"),
        ("cmekSettings.kmsKeyName", "", "AUD-05"),
        ("retentionDays", 2189, "AUD-06"),
        ("retentionDays", None, "AUD-06"),
        ("locked", False, "AUD-07"),
    ],
)
def test_bucket_violation_is_caught(path: str, value: Any, rule: str) -> None:
    assert violations(BUCKET, path, value) == {rule}


@pytest.mark.parametrize(("environment", "days"), [("dev", 29), ("staging", 364)])
def test_retention_minimum_follows_the_environment(environment: str, days: int) -> None:
    assert violations(BUCKET, "retentionDays", days, environment) == {"AUD-06"}


def test_unlocked_bucket_is_allowed_in_dev_only() -> None:
    assert violations(BUCKET, "locked", False, "staging", judged_in="dev") == set()
    assert violations(BUCKET, "locked", False, "staging") == {"AUD-07"}


@pytest.mark.parametrize(
    "expression",
    [
        None,
        "true",
        'resource.name.startsWith("projects/nwh-siem-prd")',
        'resource.type == "logging.googleapis.com/Bucket"',
    ],
)
def test_unconditioned_or_broad_bucket_writer_is_caught(expression: str | None) -> None:
    assert violations(PROJECT_MEMBER, "condition.expression", expression) == {"AUD-08"}


def test_other_project_roles_are_not_this_rules_business() -> None:
    assert violations(PROJECT_MEMBER, "role", "roles/logging.viewer") == set()


def test_a_route_inside_the_project_is_not_judged_as_the_audit_export() -> None:
    """The build-log sink keeps build logs in the project's own CMEK bucket; AUD-03 judges exports."""
    sink = component(SINK)
    local = changed(
        changed(sink, "destination", "logging.googleapis.com/projects/nwh-analytics-prd/locations/us/buckets/b"),
        "filter",
        'resource.type="build"',
    )
    assert {f.rule_id for f in evaluate([local], "prod", [r for r in RULES if r.id == "AUD-03"])} == set()
    assert violations(SINK, "filter", 'resource.type="build"') >= {"AUD-03"}
