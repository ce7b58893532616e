"""Monitoring: the security team's hipaa-deployments topic, and security alerts that page it."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_gcp as gcp

from infra.config import PlatformConfig
from infra.naming import SECURITY_TOPIC_ID, child_opts, data_opts, log_bucket_path, resource_name
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


def metric_name(config: PlatformConfig, security_alert: SecurityAlert) -> str:
    return resource_name(config, security_alert.id)


def metric_type(config: PlatformConfig, security_alert: SecurityAlert) -> str:
    if security_alert.metric_type:
        return security_alert.metric_type
    return f"logging.googleapis.com/user/{metric_name(config, security_alert)}"


def runbook(config: PlatformConfig, security_alert: SecurityAlert) -> str:
    """Responder guidance in markdown; it names where to look and never interpolates log content."""
    source = (
        f"the log-based metric `{metric_name(config, security_alert)}` (Logging > Log-based metrics > View logs)"
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
            f"## {security_alert.title} ({config.environment})",
            "",
            f"Project `{config.project_id}`. Source: {source}; the audit entries are in the SIEM bucket "
            f"`{log_bucket_path(config)}`.",
            "",
            *(f"{number}. {step}" for number, step in enumerate(steps, start=1)),
            "",
            "Never copy log entries, request bodies or data values into tickets, chat or this incident; "
            "refer to entries by their `insertId`.",
        ]
    )


def threshold_condition(
    config: PlatformConfig, security_alert: SecurityAlert, resource_type: str
) -> gcp.monitoring.AlertPolicyConditionArgs:
    """Above zero in one window: every single matching entry is worth a look."""
    return gcp.monitoring.AlertPolicyConditionArgs(
        display_name=f"{security_alert.title} [{resource_type}]",
        condition_threshold=gcp.monitoring.AlertPolicyConditionConditionThresholdArgs(
            filter=f'metric.type="{metric_type(config, security_alert)}" AND resource.type="{resource_type}"',
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

    def __init__(
        self,
        name: str,
        config: PlatformConfig,
        *,
        pubsub_key_id: pulumi.Input[str],
        publishers: Sequence[pulumi.Input[str]] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("hipaa:security:Monitoring", name, None, opts)
        self.topic = gcp.pubsub.Topic(
            f"{name}-topic",
            name=SECURITY_TOPIC_ID,
            project=config.security_project_id,
            kms_key_name=pubsub_key_id,
            message_storage_policy=gcp.pubsub.TopicMessageStoragePolicyArgs(
                allowed_persistence_regions=[config.region], enforce_in_transit=True
            ),
            message_retention_duration=MESSAGE_RETENTION,
            labels={**config.labels, "purpose": "security-notifications"},
            opts=data_opts(config, self),
        )
        for index, member in enumerate(publishers):
            gcp.pubsub.TopicIAMMember(
                f"{name}-publisher-{index}",
                project=config.security_project_id,
                topic=self.topic.name,
                role=PUBLISHER,
                member=member,
                opts=child_opts(self),
            )
        self.channel = gcp.monitoring.NotificationChannel(
            f"{name}-channel",
            project=config.project_id,
            type="pubsub",
            display_name=f"HIPAA {config.environment} security team ({SECURITY_TOPIC_ID})",
            description="Security alerts of this environment, to the security project's topic",
            labels={"topic": self.topic.id},
            enabled=True,
            force_delete=False,
            user_labels=config.labels,
            opts=child_opts(self),
        )
        number = gcp.organizations.get_project_output(project_id=config.project_id).number
        gcp.pubsub.TopicIAMMember(
            f"{name}-notification-agent",
            project=config.security_project_id,
            topic=self.topic.name,
            role=PUBLISHER,
            member=number.apply(lambda n: "serviceAccount:" + NOTIFICATION_AGENT.format(n=n)),
            # The agent exists once the project has its first Pub/Sub channel.
            opts=child_opts(self, depends_on=[self.channel]),
        )
        self.metrics: dict[str, gcp.logging.Metric] = {}
        self.alert_policies: dict[str, gcp.monitoring.AlertPolicy] = {}
        for security_alert in ALERTS:
            depends: list[pulumi.Resource] = []
            if security_alert.log_filter:
                self.metrics[security_alert.id] = gcp.logging.Metric(
                    f"{name}-{security_alert.id}",
                    name=metric_name(config, security_alert),
                    project=config.project_id,
                    description=f"Count of log entries: {security_alert.title}",
                    filter=security_alert.log_filter,
                    metric_descriptor=gcp.logging.MetricMetricDescriptorArgs(
                        metric_kind="DELTA", value_type="INT64", unit="1", display_name=security_alert.title
                    ),
                    disabled=False,
                    opts=child_opts(self),
                )
                depends.append(self.metrics[security_alert.id])
            self.alert_policies[security_alert.id] = gcp.monitoring.AlertPolicy(
                f"{name}-{security_alert.id}-alert",
                project=config.project_id,
                display_name=f"[HIPAA {config.environment}] {security_alert.title}",
                combiner="OR",
                enabled=True,
                severity=security_alert.severity,
                conditions=[
                    threshold_condition(config, security_alert, kind) for kind in security_alert.resource_types
                ],
                notification_channels=[self.channel.id],
                documentation=gcp.monitoring.AlertPolicyDocumentationArgs(
                    subject=f"[HIPAA {config.environment}] {security_alert.title}",
                    content=runbook(config, security_alert),
                    mime_type="text/markdown",
                ),
                alert_strategy=gcp.monitoring.AlertPolicyAlertStrategyArgs(
                    auto_close=AUTO_CLOSE, notification_prompts=["OPENED", "CLOSED"]
                ),
                user_labels={**config.labels, "hipaa-alert": security_alert.id},
                opts=child_opts(self, depends_on=depends),
            )
        self.register_outputs(
            {
                "topic": self.topic.id,
                "channel": self.channel.id,
                "alertPolicies": {key: policy.id for key, policy in self.alert_policies.items()},
            }
        )
