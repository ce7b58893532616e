"""Monitoring: each test states one property of the security topic or the alerts and fails when it is removed."""

from __future__ import annotations

import dataclasses
import re

import pulumi
import pytest

from infra.plan.mocks import project_number
from infra.security.monitoring import Monitoring
from infra.security.security_alerts import ALERTS, alert
from tests.infra.recording import config_for, of_type, only, record
from tests.infra.security.builders import build_account, built_monitoring, monitoring_args, pubsub_key

TOPIC = "gcp:pubsub/topic:Topic"
MEMBER = "gcp:pubsub/topicIAMMember:TopicIAMMember"
CHANNEL = "gcp:monitoring/notificationChannel:NotificationChannel"
METRIC = "gcp:logging/metric:Metric"
POLICY = "gcp:monitoring/alertPolicy:AlertPolicy"


def topic(environment: str = "prod") -> dict[str, object]:
    return dict(only(list(built_monitoring(environment)), TOPIC).inputs)


def policies(environment: str = "prod") -> dict[str, dict[str, object]]:
    """Alert policy inputs by alert id (the `hipaa-alert` label)."""
    return {
        str(p.inputs["userLabels"]["hipaa-alert"]): dict(p.inputs)
        for p in of_type(list(built_monitoring(environment)), POLICY)
    }


def metrics(environment: str = "prod") -> dict[str, dict[str, object]]:
    return {str(m.inputs["name"]): dict(m.inputs) for m in of_type(list(built_monitoring(environment)), METRIC)}


def test_topic_is_hipaa_deployments_in_the_security_project(stack: str) -> None:
    config = config_for(stack)
    inputs = topic(stack)
    assert inputs["name"] == "hipaa-deployments"
    assert inputs["project"] == config.security_project_id != config.project_id


def test_topic_is_encrypted_with_the_pubsub_key(stack: str) -> None:
    assert topic(stack)["kmsKeyName"] == pubsub_key(stack)


def test_topic_stores_messages_in_the_region_only_enforced_in_transit() -> None:
    assert topic()["messageStoragePolicy"] == {"allowedPersistenceRegions": ["us-central1"], "enforceInTransit": True}


def test_topic_keeps_undelivered_messages_a_week_and_is_labelled() -> None:
    inputs = topic()
    assert inputs["messageRetentionDuration"] == "604800s"
    assert inputs["labels"] == {**config_for("prod").labels, "purpose": "security-notifications"}


def test_publishers_get_publish_and_nothing_more(stack: str) -> None:
    grants = {m.name: dict(m.inputs) for m in of_type(list(built_monitoring(stack)), MEMBER)}
    assert grants["monitoring-publisher-0"] == {
        "project": config_for(stack).security_project_id,
        "topic": "hipaa-deployments",
        "role": "roles/pubsub.publisher",
        "member": build_account(stack),
    }
    assert {g["role"] for g in grants.values()} == {"roles/pubsub.publisher"}


def test_no_publisher_means_no_grant_but_the_monitoring_agent() -> None:
    args = dataclasses.replace(monitoring_args("dev"), publishers=())
    resources = record(lambda: Monitoring("monitoring", args))
    assert [m.name for m in of_type(resources, MEMBER)] == ["monitoring-notification-agent"]


def test_channel_is_pubsub_in_the_environment_project_to_the_security_topic(stack: str) -> None:
    config = config_for(stack)
    channel = dict(only(list(built_monitoring(stack)), CHANNEL).inputs)
    assert channel["project"] == config.project_id
    assert channel["type"] == "pubsub"
    assert channel["labels"] == {"topic": f"projects/{config.security_project_id}/topics/hipaa-deployments"}
    assert channel["enabled"] is True and channel["forceDelete"] is False
    assert channel["userLabels"] == config.labels


def test_environment_projects_notification_agent_may_publish_to_the_topic(stack: str) -> None:
    config = config_for(stack)
    grant = next(m for m in of_type(list(built_monitoring(stack)), MEMBER) if m.name == "monitoring-notification-agent")
    agent = f"service-{project_number(config.project_id)}@gcp-sa-monitoring-notification.iam.gserviceaccount.com"
    assert dict(grant.inputs) == {
        "project": config.security_project_id,
        "topic": "hipaa-deployments",
        "role": "roles/pubsub.publisher",
        "member": f"serviceAccount:{agent}",
    }


# Written out, not read from security_alerts.ALERTS or the rules' baseline: dropping or renaming an
# alert in the component must fail here even if someone edits the list it is built from.
EXPECTED_ALERT_IDS = {
    "kms-key-disabled-or-destroyed",
    "iam-policy-change",
    "vpc-sc-violation",
    "audit-config-change",
    "firewall-change",
    "network-route-change",
    "custom-role-change",
    "log-routing-change",
    "audit-export-failure",
    "pipeline-build-failed",
    "infrastructure-drift",
}


def test_every_alert_has_a_policy() -> None:
    assert set(policies()) == EXPECTED_ALERT_IDS


def test_log_based_metrics_are_delta_counters_in_the_environment_project(stack: str) -> None:
    planned = metrics(stack)
    assert sorted(planned) == sorted(f"hipaa-{stack}-{a.id}" for a in ALERTS if a.log_filter)
    for metric in planned.values():
        assert metric["project"] == config_for(stack).project_id
        assert metric["disabled"] is False
        assert metric["metricDescriptor"]["metricKind"] == "DELTA"  # type: ignore[index]
        assert metric["metricDescriptor"]["valueType"] == "INT64"  # type: ignore[index]


@pytest.mark.parametrize(
    ("alert_id", "expected"),
    [
        (
            "kms-key-disabled-or-destroyed",
            'protoPayload.serviceName="cloudkms.googleapis.com" AND (protoPayload.methodName="DestroyCryptoKeyVersion"'
            ' OR (protoPayload.methodName="UpdateCryptoKeyVersion"'
            ' AND protoPayload.request.cryptoKeyVersion.state="DISABLED"))',
        ),
        (
            "iam-policy-change",
            '(protoPayload.methodName="SetIamPolicy" OR protoPayload.methodName="storage.setIamPermissions"'
            ' OR protoPayload.methodName="google.iam.v1.IAMPolicy.SetIamPolicy")',
        ),
        (
            "vpc-sc-violation",
            'logName:"cloudaudit.googleapis.com%2Fpolicy" AND protoPayload.metadata.@type='
            '"type.googleapis.com/google.cloud.audit.VpcServiceControlAuditMetadata"',
        ),
        (
            "audit-config-change",
            'protoPayload.methodName="SetIamPolicy" AND protoPayload.serviceData.policyDelta.auditConfigDeltas:*',
        ),
        (
            "firewall-change",
            'resource.type="gce_firewall_rule" AND (protoPayload.methodName:"compute.firewalls.insert"'
            ' OR protoPayload.methodName:"compute.firewalls.patch"'
            ' OR protoPayload.methodName:"compute.firewalls.update"'
            ' OR protoPayload.methodName:"compute.firewalls.delete")',
        ),
    ],
)
def test_required_metric_filter_is_the_exact_logging_query(alert_id: str, expected: str) -> None:
    assert metrics()[f"hipaa-prod-{alert_id}"]["filter"] == expected


def test_metric_filters_group_every_or_inside_parentheses() -> None:
    # The Logging query language binds OR tighter than AND; explicit groups keep the meaning obvious.
    innermost = re.compile(r"\(([^()]*)\)")
    for security_alert in ALERTS:
        text = security_alert.log_filter
        while match := innermost.search(text):
            assert not (" OR " in match.group(1) and " AND " in match.group(1)), security_alert.id
            text = text[: match.start()] + "GROUP" + text[match.end() :]
        assert "(" not in text and ")" not in text, security_alert.id
        assert not (" OR " in text and " AND " in text), security_alert.id


def test_each_condition_is_above_zero_in_a_one_minute_window() -> None:
    for alert_id, policy in policies().items():
        for condition in policy["conditions"]:  # type: ignore[attr-defined]
            threshold = condition["conditionThreshold"]
            assert threshold["comparison"] == "COMPARISON_GT", alert_id
            assert threshold["thresholdValue"] == 0, alert_id
            assert threshold["duration"] == "0s", alert_id
            assert threshold["trigger"] == {"count": 1}, alert_id
            assert threshold["aggregations"] == [
                {"alignmentPeriod": "60s", "perSeriesAligner": "ALIGN_DELTA", "crossSeriesReducer": "REDUCE_SUM"}
            ], alert_id
            assert threshold["evaluationMissingData"] == "EVALUATION_MISSING_DATA_INACTIVE", alert_id


def test_conditions_watch_the_metric_on_every_resource_type_its_points_carry() -> None:
    filters = [c["conditionThreshold"]["filter"] for c in policies()["iam-policy-change"]["conditions"]]  # type: ignore[attr-defined]
    metric = 'metric.type="logging.googleapis.com/user/hipaa-prod-iam-policy-change"'
    assert filters == [
        f'{metric} AND resource.type="global"',
        f'{metric} AND resource.type="gcs_bucket"',
        f'{metric} AND resource.type="bigquery_dataset"',
        f'{metric} AND resource.type="pubsub_topic"',
    ]
    vpc = policies()["vpc-sc-violation"]["conditions"][0]["conditionThreshold"]["filter"]  # type: ignore[index]
    assert (
        vpc
        == 'metric.type="logging.googleapis.com/user/hipaa-prod-vpc-sc-violation" AND resource.type="audited_resource"'
    )


def test_export_failure_watches_the_built_in_sink_error_metric() -> None:
    condition = policies()["audit-export-failure"]["conditions"][0]["conditionThreshold"]  # type: ignore[index]
    assert (
        condition["filter"]
        == 'metric.type="logging.googleapis.com/exports/error_count" AND resource.type="logging_sink"'
    )


def test_a_failed_or_timed_out_build_is_alerted_as_a_warning() -> None:
    """A failed build never reaches the report or notify steps; the alert is what records it."""
    failed = alert("pipeline-build-failed")
    assert failed.log_filter == 'resource.type="build" AND (textPayload="ERROR" OR textPayload="TIMEOUT")'
    assert failed.severity == "WARNING"
    conditions = policies()["pipeline-build-failed"]["conditions"]
    assert isinstance(conditions, list)
    filters = [c["conditionThreshold"]["filter"] for c in conditions]
    metric = 'metric.type="logging.googleapis.com/user/hipaa-prod-pipeline-build-failed"'
    assert filters == [f'{metric} AND resource.type="build"', f'{metric} AND resource.type="global"']


def test_every_alert_notifies_the_security_channel_with_severity_and_auto_close() -> None:
    channel = only(list(built_monitoring("prod")), CHANNEL)
    channel_id = f"projects/nwh-analytics-prd/notificationChannels/{project_number(channel.name)}"
    for alert_id, policy in policies().items():
        assert policy["notificationChannels"] == [channel_id], alert_id
        assert policy["enabled"] is True and policy["combiner"] == "OR", alert_id
        assert policy["severity"] == alert(alert_id).severity, alert_id
        assert policy["alertStrategy"] == {"autoClose": "1800s", "notificationPrompts": ["OPENED", "CLOSED"]}, alert_id


@pytest.mark.parametrize(
    ("alert_id", "severity"),
    [
        ("kms-key-disabled-or-destroyed", "CRITICAL"),
        ("vpc-sc-violation", "CRITICAL"),
        ("audit-config-change", "CRITICAL"),
        ("iam-policy-change", "ERROR"),
        ("firewall-change", "ERROR"),
    ],
)
def test_required_alert_severity(alert_id: str, severity: str) -> None:
    assert policies()[alert_id]["severity"] == severity


def test_runbook_is_markdown_tells_what_to_do_and_quotes_no_log_content(stack: str) -> None:
    config = config_for(stack)
    for alert_id, policy in policies(stack).items():
        documentation = policy["documentation"]
        content = documentation["content"]  # type: ignore[index]
        assert documentation["mimeType"] == "text/markdown", alert_id  # type: ignore[index]
        assert documentation["subject"] == f"[HIPAA {stack}] {alert(alert_id).title}", alert_id  # type: ignore[index]
        assert content.startswith(f"## {alert(alert_id).title} ({stack})"), alert_id
        assert alert(alert_id).action in content, alert_id
        assert f"projects/{config.siem_project_id}/locations/us-central1/buckets/hipaa-{stack}-audit-logs" in content
        assert "45 CFR 164.308(a)(6)(ii)" in content
        assert "Never copy log entries" in content
        assert "${" not in content, alert_id


def test_alert_policies_carry_the_platform_labels() -> None:
    for alert_id, policy in policies().items():
        assert policy["userLabels"] == {**config_for("prod").labels, "hipaa-alert": alert_id}


@pulumi.runtime.test  # type: ignore[untyped-decorator]
def test_component_exposes_topic_channel_and_policies(mocked: None) -> pulumi.Output[None]:
    """Pulumi's own style: build the component under mocks and assert on its declared outputs; the
    channel's topic label and the topic's key are asserted on the recorded inputs above."""
    monitoring = Monitoring("unit", monitoring_args("prod"))
    assert set(monitoring.alert_policy_ids) == EXPECTED_ALERT_IDS

    def check(values: list[object]) -> None:
        topic_id, channel_id = values
        assert topic_id == "projects/nwh-security-prd/topics/hipaa-deployments"
        assert channel_id == f"projects/nwh-analytics-prd/notificationChannels/{project_number('unit-channel')}"

    return pulumi.Output.all(monitoring.topic_id, monitoring.channel_id).apply(check)


def test_alert_definition_needs_exactly_one_source_and_a_known_id() -> None:
    from infra.security.security_alerts import SecurityAlert

    with pytest.raises(ValueError, match="exactly one of log_filter or metric_type"):
        SecurityAlert("both", "t", "ERROR", ("global",), "act", log_filter="x", metric_type="y")
    with pytest.raises(ValueError, match="exactly one of log_filter or metric_type"):
        SecurityAlert("neither", "t", "ERROR", ("global",), "act")
    with pytest.raises(KeyError, match="no-such-alert"):
        alert("no-such-alert")
