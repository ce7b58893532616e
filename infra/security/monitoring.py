"""Monitoring: the security team's hipaa-deployments topic, and security alerts that page it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.interface import register_declared
from infra.naming import SECURITY_TOPIC_ID, Stack, child_opts, data_opts, resource_name
from infra.placement import Placement
from infra.security.security_alerts import ALERTS, SecurityAlert

PUBLISHER = "roles/pubsub.publisher"
# Cloud Monitoring's notification agent, which publishes to Pub/Sub channels (created with the first one).
NOTIFICATION_AGENT = "service-{n}@gcp-sa-monitoring-notification.iam.gserviceaccount.com"
# Undelivered notifications stay a week, long enough to outlast a weekend outage of the consumer.
MESSAGE_RETENTION = "604800s"
# A short window: one matching entry in a minute opens an incident.
ALIGNMENT_PERIOD = "60s"
# An incident with no new matching entries closes after half an hour.
AUTO_CLOSE = "1800s"


@dataclass(frozen=True)
class MonitoringArgs:
    placement: Placement
    """Environment (names, titles), workload project (channel, metrics, alerts), region (topic storage), labels."""
    security_project_id: str
    """The security project that owns the `hipaa-deployments` topic."""
    audit_log_bucket: str
    """Full name of the SIEM log bucket holding the audit entries, named in every runbook
    (`projects/<siem>/locations/<region>/buckets/<id>`)."""
    pubsub_key_id: pulumi.Input[str]
    """CMEK key of the topic; the security project's Pub/Sub agent must hold it."""
    publishers: Sequence[pulumi.Input[str]] = ()
    """Members (`serviceAccount:EMAIL`) that may publish to the topic: the pipeline's notify step."""


def metric_name(placement: Stack, security_alert: SecurityAlert) -> str:
    return resource_name(placement, security_alert.id)


def metric_type(placement: Stack, security_alert: SecurityAlert) -> str:
    if security_alert.metric_type:
        return security_alert.metric_type
    return f"logging.googleapis.com/user/{metric_name(placement, security_alert)}"


def runbook(args: MonitoringArgs, security_alert: SecurityAlert) -> str:
    """Responder guidance in markdown; it names where to look and never interpolates log content."""
    placement = args.placement
    source = (
        f"the log-based metric `{metric_name(placement, security_alert)}` (Logging > Log-based metrics > View logs)"
        if security_alert.log_filter
        else f"the metric `{security_alert.metric_type}` in Metrics Explorer"
    )
    steps = [security_alert.action]
    if security_alert.log_filter:
        steps = [
            "Find the entries in the SIEM bucket: who (principal), what (method, resource) and when.",
            f"Match the change to an approved change record or a pipeline build notified on `{SECURITY_TOPIC_ID}`.",
            *steps,
        ]
    steps.append(
        "Unexplained: open a security incident per the incident response procedure (45 CFR 164.308(a)(6)(ii)), "
        "preserve the entries, and notify the privacy officer if PHI may be involved."
    )
    return "\n".join(
        [
            f"## {security_alert.title} ({placement.environment})",
            "",
            f"Project `{placement.project_id}`. Source: {source}; the audit entries are in the SIEM bucket "
            f"`{args.audit_log_bucket}`.",
            "",
            *(f"{number}. {step}" for number, step in enumerate(steps, start=1)),
            "",
            "Never copy log entries, request bodies or data values into tickets, chat or this incident; "
            "refer to entries by their `insertId`.",
        ]
    )


def threshold_condition(
    placement: Stack, security_alert: SecurityAlert, resource_type: str
) -> gcp.monitoring.AlertPolicyConditionArgs:
    """Above zero in one window: every single matching entry is worth a look."""
    return gcp.monitoring.AlertPolicyConditionArgs(
        display_name=f"{security_alert.title} [{resource_type}]",
        condition_threshold=gcp.monitoring.AlertPolicyConditionConditionThresholdArgs(
            filter=f'metric.type="{metric_type(placement, security_alert)}" AND resource.type="{resource_type}"',
            comparison="COMPARISON_GT",
            threshold_value=0,
            duration="0s",
            aggregations=[
                gcp.monitoring.AlertPolicyConditionConditionThresholdAggregationArgs(
                    alignment_period=ALIGNMENT_PERIOD,
                    per_series_aligner="ALIGN_DELTA",
                    cross_series_reducer="REDUCE_SUM",
                )
            ],
            trigger=gcp.monitoring.AlertPolicyConditionConditionThresholdTriggerArgs(count=1),
            # No matching entries means nothing happened: the condition goes quiet and the incident closes.
            evaluation_missing_data="EVALUATION_MISSING_DATA_INACTIVE",
        ),
    )


class Monitoring(pulumi.ComponentResource):
    """The security topic, the channel that feeds it and one alert policy per security alert."""

    TYPE_TOKEN = "hipaa:security:Monitoring"

    topic_id: pulumi.Output[str]
    """The security team's topic (`projects/<security>/topics/hipaa-deployments`), CMEK, region-pinned."""
    channel_id: pulumi.Output[str]
    """The Pub/Sub notification channel every alert policy notifies."""
    alert_policy_ids: dict[str, pulumi.Output[str]]
    """Alert policy per security alert id (`infra/security/security_alerts.py`)."""

    def __init__(self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        placement = args.placement
        topic = gcp.pubsub.Topic(
            f"{name}-topic",
            name=SECURITY_TOPIC_ID,
            project=args.security_project_id,
            kms_key_name=args.pubsub_key_id,
            message_storage_policy=gcp.pubsub.TopicMessageStoragePolicyArgs(
                allowed_persistence_regions=[placement.region], enforce_in_transit=True
            ),
            message_retention_duration=MESSAGE_RETENTION,
            labels={**placement.labels, "purpose": "security-notifications"},
            opts=data_opts(placement, self),
        )
        for index, member in enumerate(args.publishers):
            gcp.pubsub.TopicIAMMember(
                f"{name}-publisher-{index}",
                project=args.security_project_id,
                topic=topic.name,
                role=PUBLISHER,
                member=member,
                opts=child_opts(self),
            )
        channel = gcp.monitoring.NotificationChannel(
            f"{name}-channel",
            project=placement.project_id,
            type="pubsub",
            display_name=f"HIPAA {placement.environment} security team ({SECURITY_TOPIC_ID})",
            description="Security alerts of this environment, to the security project's topic",
            labels={"topic": topic.id},
            enabled=True,
            force_delete=False,
            user_labels=placement.labels,
            opts=child_opts(self),
        )
        number = gcp.organizations.get_project_output(project_id=placement.project_id).number
        gcp.pubsub.TopicIAMMember(
            f"{name}-notification-agent",
            project=args.security_project_id,
            topic=topic.name,
            role=PUBLISHER,
            member=number.apply(lambda n: "serviceAccount:" + NOTIFICATION_AGENT.format(n=n)),
            # The agent exists once the project has its first Pub/Sub channel.
            opts=child_opts(self, depends_on=[channel]),
        )
        self.alert_policy_ids = {}
        for security_alert in ALERTS:
            depends: list[pulumi.Resource] = []
            if security_alert.log_filter:
                metric = gcp.logging.Metric(
                    f"{name}-{security_alert.id}",
                    name=metric_name(placement, security_alert),
                    project=placement.project_id,
                    description=f"Count of log entries: {security_alert.title}",
                    filter=security_alert.log_filter,
                    metric_descriptor=gcp.logging.MetricMetricDescriptorArgs(
                        metric_kind="DELTA", value_type="INT64", unit="1", display_name=security_alert.title
                    ),
                    disabled=False,
                    opts=child_opts(self),
                )
                depends.append(metric)
            policy = gcp.monitoring.AlertPolicy(
                f"{name}-{security_alert.id}-alert",
                project=placement.project_id,
                display_name=f"[HIPAA {placement.environment}] {security_alert.title}",
                combiner="OR",
                enabled=True,
                severity=security_alert.severity,
                conditions=[
                    threshold_condition(placement, security_alert, kind) for kind in security_alert.resource_types
                ],
                notification_channels=[channel.id],
                documentation=gcp.monitoring.AlertPolicyDocumentationArgs(
                    subject=f"[HIPAA {placement.environment}] {security_alert.title}",
                    content=runbook(args, security_alert),
                    mime_type="text/markdown",
                ),
                alert_strategy=gcp.monitoring.AlertPolicyAlertStrategyArgs(
                    auto_close=AUTO_CLOSE, notification_prompts=["OPENED", "CLOSED"]
                ),
                user_labels={**placement.labels, "hipaa-alert": security_alert.id},
                opts=child_opts(self, depends_on=depends),
            )
            self.alert_policy_ids[security_alert.id] = policy.id
        self.topic_id = topic.id
        self.channel_id = channel.id
        register_declared(self)
