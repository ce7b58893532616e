"""Monitoring rules: the component passes every rule; each rule fails on a violating resource."""

from __future__ import annotations

from typing import Any

import pytest

from infra.rules import Resource, evaluate
from infra.rules.baseline_alerts import REQUIRED_ALERTS
from infra.rules.monitoring import ALERT_POLICY, CHANNEL, METRIC, RULES, TOPIC, TOPIC_BINDING, TOPIC_MEMBER
from tests.infra.recording import changed
from tests.infra.security.builders import built_monitoring


def ids(resources: list[Resource], environment: str = "prod") -> set[str]:
    return {f.rule_id for f in evaluate(resources, environment, RULES)}


def named(name: str) -> Resource:
    return next(r for r in built_monitoring("prod") if r.name == name)


def replaced(original: Resource, replacement: Resource | None) -> list[Resource]:
    others = [r for r in built_monitoring("prod") if r is not original]
    return others if replacement is None else [*others, replacement]


def violations(name: str, path: str, value: Any) -> set[str]:
    original = named(name)
    return ids(replaced(original, changed(original, path, value)))


def test_component_is_compliant_in_every_environment(stack: str) -> None:
    assert ids(list(built_monitoring(stack)), stack) == set()


@pytest.mark.parametrize(
    ("path", "value", "rule"),
    [
        ("kmsKeyName", None, "MON-01"),
        ("messageStoragePolicy", None, "MON-02"),
        ("messageStoragePolicy.allowedPersistenceRegions", ["us"], "MON-02"),
        ("messageStoragePolicy.allowedPersistenceRegions", ["us-central1", "global"], "MON-02"),
        ("messageStoragePolicy.enforceInTransit", False, "MON-02"),
    ],
)
def test_topic_violation_is_caught(path: str, value: Any, rule: str) -> None:
    assert violations("monitoring-topic", path, value) == {rule}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("member", "allUsers"),
        ("member", "allAuthenticatedUsers"),
        ("role", "roles/pubsub.admin"),
        ("role", "roles/editor"),
    ],
)
def test_public_or_broad_topic_grant_is_caught(path: str, value: str) -> None:
    assert violations("monitoring-publisher-0", path, value) == {"MON-03"}


def test_public_topic_binding_is_caught() -> None:
    binding = Resource(
        TOPIC_BINDING,
        "b",
        "urn:b",
        {"topic": "hipaa-deployments", "role": "roles/pubsub.subscriber", "members": ["group:sec@x.y", "allUsers"]},
    )
    assert ids([*built_monitoring("prod"), binding]) == {"MON-03"}


@pytest.mark.parametrize("alert_id", [a.id for a in REQUIRED_ALERTS])
def test_missing_required_alert_policy_is_caught(alert_id: str) -> None:
    assert ids(replaced(named(f"monitoring-{alert_id}-alert"), None)) == {"MON-04"}


@pytest.mark.parametrize("alert_id", [a.id for a in REQUIRED_ALERTS if a.filter_terms])
def test_missing_or_altered_metric_is_caught(alert_id: str) -> None:
    metric = named(f"monitoring-{alert_id}")
    assert ids(replaced(metric, None)) == {"MON-04"}
    assert ids(replaced(metric, changed(metric, "filter", 'protoPayload.methodName="None"'))) == {"MON-04"}
    assert ids(replaced(metric, changed(metric, "disabled", True))) == {"MON-04"}


@pytest.mark.parametrize("alert_id", [a.id for a in REQUIRED_ALERTS if a.filter_terms])
def test_a_negated_filter_does_not_count_even_with_every_term(alert_id: str) -> None:
    metric = named(f"monitoring-{alert_id}")
    negated = changed(metric, "filter", f"NOT ({metric.inputs['filter']})")
    assert ids(replaced(metric, negated)) == {"MON-04"}


def test_a_metric_under_another_name_with_the_same_detection_counts() -> None:
    """The baseline asks what an alert detects, not what the component calls it."""
    metric = named("monitoring-firewall-change")
    renamed = changed(metric, "name", "hipaa-prod-firewall-watch")
    policy = named("monitoring-firewall-change-alert")
    conditions = [dict(c) for c in policy.inputs["conditions"]]
    for condition in conditions:
        threshold = dict(condition["conditionThreshold"])
        threshold["filter"] = str(threshold["filter"]).replace(str(metric.inputs["name"]), "hipaa-prod-firewall-watch")
        condition["conditionThreshold"] = threshold
    others = [r for r in built_monitoring("prod") if r is not metric and r is not policy]
    assert ids([*others, renamed, changed(policy, "conditions", conditions)]) == set()


def test_a_metric_alert_without_its_condition_is_caught() -> None:
    policy = named("monitoring-audit-export-failure-alert")
    assert ids(replaced(policy, changed(policy, "conditions", []))) == {"MON-04"}


def test_alert_without_channel_is_caught_by_both_rules() -> None:
    assert violations("monitoring-firewall-change-alert", "notificationChannels", []) == {"MON-04", "MON-06"}


def test_disabled_required_alert_is_caught_by_both_rules() -> None:
    assert violations("monitoring-vpc-sc-violation-alert", "enabled", False) == {"MON-04", "MON-06"}


def test_alert_on_another_metric_does_not_count() -> None:
    other = 'metric.type="logging.googleapis.com/user/something-else" AND resource.type="global"'
    assert violations("monitoring-audit-config-change-alert", "conditions.0.conditionThreshold.filter", other) == {
        "MON-04"
    }


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("severity", None),
        ("documentation", None),
        ("documentation.mimeType", "text/plain"),
        ("alertStrategy.autoClose", None),
        ("documentation.content", "Caller was ${log.extracted_label.principal}"),
        ("documentation.subject", "Change on ${resource.label.project_id}"),
    ],
)
def test_incomplete_or_leaky_alert_policy_is_caught(path: str, value: Any) -> None:
    assert violations("monitoring-iam-policy-change-alert", path, value) == {"MON-06"}


def test_missing_security_channel_is_caught() -> None:
    channel = next(r for r in built_monitoring("prod") if r.type == CHANNEL)
    assert ids(replaced(channel, None)) == {"MON-05"}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("type", "email"),
        ("labels.topic", "projects/nwh-security-prd/topics/other"),
        ("labels.topic", "projects/nwh-analytics-prd/topics/hipaa-deployments"),
    ],
)
def test_channel_not_reaching_the_security_topic_is_caught(path: str, value: Any) -> None:
    channel = next(r for r in built_monitoring("prod") if r.type == CHANNEL)
    assert ids(replaced(channel, changed(channel, path, value))) == {"MON-05"}


def test_stack_rules_do_not_apply_where_no_monitoring_is_planned() -> None:
    only_topic = [r for r in built_monitoring("prod") if r.type in (TOPIC, TOPIC_MEMBER)]
    assert ids(only_topic) == set()


def test_monitoring_component_alone_is_caught() -> None:
    component = next(r for r in built_monitoring("prod") if r.type == "hipaa:security:Monitoring")
    assert ids([component]) == {"MON-04", "MON-05"}


def test_rule_types_are_the_ones_the_component_plans() -> None:
    planned = {r.type for r in built_monitoring("prod")}
    assert {TOPIC, TOPIC_MEMBER, CHANNEL, METRIC, ALERT_POLICY} <= planned
