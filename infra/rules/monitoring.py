"""Rules for security monitoring: the notification topic is protected, and every required alert pages it."""

from __future__ import annotations

import re

from infra.rules import Context, Resource, Rule, dig
from infra.rules.baseline_alerts import REQUIRED_ALERTS, RequiredAlert

TOPIC = "gcp:pubsub/topic:Topic"
TOPIC_MEMBER = "gcp:pubsub/topicIAMMember:TopicIAMMember"
TOPIC_BINDING = "gcp:pubsub/topicIAMBinding:TopicIAMBinding"
CHANNEL = "gcp:monitoring/notificationChannel:NotificationChannel"
METRIC = "gcp:logging/metric:Metric"
ALERT_POLICY = "gcp:monitoring/alertPolicy:AlertPolicy"
COMPONENT = "hipaa:security:Monitoring"
# The stacks the stack rules judge: those planning any of these. Once the component is wired into the
# platform, adding "hipaa:platform:HipaaPlatform" here makes the whole area mandatory for every stack.
# The platform plans every area, so on a platform stack the area is mandatory.
SCOPE = ("hipaa:platform:HipaaPlatform", COMPONENT, ALERT_POLICY, METRIC, CHANNEL)
INCIDENT = "45 CFR 164.308(a)(6)(ii)"
_REGION = re.compile(r"^[a-z]+-[a-z]+[0-9]$")
_SECURITY_TOPIC = re.compile(r"^projects/([^/]+)/topics/hipaa-deployments$")
# Template variables that copy log or label content into a notification.
_LOG_CONTENT = re.compile(r"\$\{(log\.|metric\.label|resource\.label)")
_PUBLIC = ("allUsers", "allAuthenticatedUsers")
# `NOT x`, `-x` and `!=` in the Logging query language: a filter using them is not judged by its terms.
_NEGATION = re.compile(r"(^|[\s(])(NOT\s|-[A-Za-z\"])|!=")
_TOPIC_ROLES = ("roles/pubsub.publisher", "roles/pubsub.subscriber", "roles/pubsub.viewer")


def topic_cmek(resource: Resource, _: Context) -> str | None:
    return None if resource.inputs.get("kmsKeyName") else "topic is not CMEK-encrypted"


def topic_regional(resource: Resource, _: Context) -> str | None:
    regions = dig(resource.inputs, "messageStoragePolicy.allowedPersistenceRegions") or []
    if not regions or not all(_REGION.match(str(region)) for region in regions):
        return f"topic messages may be stored outside named regions ({', '.join(map(str, regions)) or 'any'})"
    if dig(resource.inputs, "messageStoragePolicy.enforceInTransit") is not True:
        return "topic storage policy is not enforced in transit"
    return None


def topic_grants(resource: Resource, _: Context) -> str | None:
    members = resource.inputs.get("members") or [resource.inputs.get("member")]
    public = [str(m) for m in members if m in _PUBLIC]
    if public:
        return f"topic is open to {', '.join(public)}"
    role = resource.inputs.get("role")
    return None if role in _TOPIC_ROLES else f"topic grants {role}, more than publish, subscribe or view"


def _counts_terms(metric: Resource, required: RequiredAlert) -> bool:
    """An enabled log metric whose filter names every term; a negation could invert a term, so none."""
    text = str(metric.inputs.get("filter") or "")
    return (
        metric.inputs.get("disabled") is not True
        and all(term in text for term in required.filter_terms)
        and not _NEGATION.search(text)
    )


def _alert_problem(context: Context, required: RequiredAlert) -> str | None:
    if required.filter_terms:
        metrics = [m for m in context.of_type(METRIC) if _counts_terms(m, required)]
        if not metrics:
            return f"has no enabled log-based metric whose filter names {', '.join(required.filter_terms)}"
        metric_types = {f"logging.googleapis.com/user/{m.inputs.get('name')}" for m in metrics}
    else:
        metric_types = {required.metric_type}
    policies = [
        p
        for p in context.of_type(ALERT_POLICY)
        if any(
            f'metric.type="{metric_type}"' in str(dig(c, "conditionThreshold.filter") or "")
            for c in p.inputs.get("conditions") or []
            for metric_type in metric_types
        )
    ]
    if not policies:
        return "has no alert policy on its metric"
    if not any(p.inputs.get("notificationChannels") and p.inputs.get("enabled") is not False for p in policies):
        return "alert policy is disabled or notifies no channel"
    return None


def required_alerts_present(context: Context) -> list[str]:
    problems = []
    for required in REQUIRED_ALERTS:
        problem = _alert_problem(context, required)
        if problem:
            problems.append(f"required alert {required.id} {problem}")
    return problems


def security_channel_present(context: Context) -> list[str]:
    for channel in context.of_type(CHANNEL):
        match = _SECURITY_TOPIC.match(str(dig(channel.inputs, "labels.topic") or ""))
        if channel.inputs.get("type") == "pubsub" and match and match.group(1) != channel.inputs.get("project"):
            return []
    return ["no Pub/Sub notification channel targets the security project's hipaa-deployments topic"]


def alert_policy_complete(resource: Resource, _: Context) -> str | None:
    inputs = resource.inputs
    missing = []
    if inputs.get("enabled") is not True:
        missing.append("enabled")
    if not inputs.get("notificationChannels"):
        missing.append("a notification channel")
    if inputs.get("severity") not in ("CRITICAL", "ERROR", "WARNING"):
        missing.append("a severity")
    if not dig(inputs, "documentation.content") or dig(inputs, "documentation.mimeType") != "text/markdown":
        missing.append("markdown documentation")
    if not dig(inputs, "alertStrategy.autoClose"):
        missing.append("auto-close")
    if missing:
        return f"alert policy lacks {', '.join(missing)}"
    text = f"{dig(inputs, 'documentation.subject') or ''} {dig(inputs, 'documentation.content')}"
    if _LOG_CONTENT.search(text):
        return "alert documentation copies log or label content into notifications"
    return None


RULES = [
    Rule("MON-01", "45 CFR 164.312(a)(2)(iv)", "Pub/Sub topics are CMEK-encrypted", (TOPIC,), topic_cmek),
    Rule(
        "MON-02",
        "45 CFR 164.308(a)(1)(ii)(B)",
        "Pub/Sub topics store messages only in named regions, enforced in transit",
        (TOPIC,),
        topic_regional,
    ),
    Rule(
        "MON-03",
        "45 CFR 164.312(a)(1)",
        "topics are never public and grant no more than publish, subscribe or view",
        (TOPIC_MEMBER, TOPIC_BINDING),
        topic_grants,
    ),
    Rule(
        "MON-04",
        "45 CFR 164.308(a)(1)(ii)(D)",
        "the baseline security alerts (keys, IAM, perimeter, audit trail, network, roles, build) exist and notify",
        stack_check=required_alerts_present,
        scope=SCOPE,
    ),
    Rule(
        "MON-05",
        INCIDENT,
        "alerts reach the security team through the security project's hipaa-deployments topic",
        stack_check=security_channel_present,
        scope=SCOPE,
    ),
    Rule(
        "MON-06",
        INCIDENT,
        "every alert policy is enabled, notifies, has a severity, markdown runbook and auto-close, "
        "and quotes no log content",
        (ALERT_POLICY,),
        alert_policy_complete,
    ),
]
