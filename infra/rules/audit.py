"""Rules for the audit trail: everything audited, routed out of the workload project, kept and locked."""

from __future__ import annotations

import re

from infra.rules import Context, Resource, Rule, dig
from infra.rules.baseline import AUDIT_LOG_IDS, AUDIT_LOG_TYPES, INVESTIGATION_LOG_IDS, MIN_LOG_RETENTION_DAYS

AUDIT_CONFIG = "gcp:projects/iAMAuditConfig:IAMAuditConfig"
SINK = "gcp:logging/projectSink:ProjectSink"
BUCKET = "gcp:logging/projectBucketConfig:ProjectBucketConfig"
PROJECT_MEMBER = "gcp:projects/iAMMember:IAMMember"
COMPONENT = "hipaa:security:AuditLogging"
# The stacks the stack rules judge: those planning any of these. Once the component is wired into the
# platform, adding "hipaa:platform:HipaaPlatform" here makes the whole area mandatory for every stack.
# The platform plans every area, so on a platform stack the area is mandatory.
SCOPE = ("hipaa:platform:HipaaPlatform", COMPONENT, AUDIT_CONFIG, SINK, BUCKET)
BUCKET_WRITER = "roles/logging.bucketWriter"
AUDIT = "45 CFR 164.312(b)"
_DESTINATION_PROJECT = re.compile(r"^logging\.googleapis\.com/projects/([^/]+)/")
_ONE_BUCKET = re.compile(r'^resource\.name\.endsWith\("locations/[a-z0-9-]+/buckets/[A-Za-z0-9_.-]+"\)$')


def all_types_no_exemptions(resource: Resource, _: Context) -> str | None:
    configs = resource.inputs.get("auditLogConfigs") or []
    exempted = sorted({str(m) for c in configs for m in (c.get("exemptedMembers") or [])})
    if exempted:
        return f"audit logging exempts {', '.join(exempted)}"
    if resource.inputs.get("service") == "allServices":
        missing = set(AUDIT_LOG_TYPES) - {c.get("logType") for c in configs}
        if missing:
            return f"allServices audit config lacks {', '.join(sorted(missing))}"
    return None


def _routes_elsewhere(sink: Resource, project: str) -> bool:
    match = _DESTINATION_PROJECT.match(str(sink.inputs.get("destination") or ""))
    return (
        sink.inputs.get("project") == project
        and sink.inputs.get("disabled") is not True
        and match is not None
        and match.group(1) != project
    )


def audited_and_routed_out(context: Context) -> list[str]:
    audited = sorted(
        {
            str(c.inputs.get("project"))
            for c in context.of_type(AUDIT_CONFIG)
            if c.inputs.get("service") == "allServices"
        }
    )
    if not audited:
        return ["audit logging is planned without an allServices audit config"]
    sinks = context.of_type(SINK)
    return [
        f"project {project}: no enabled sink routes its logs to a log bucket in another project"
        for project in audited
        if not any(_routes_elsewhere(sink, project) for sink in sinks)
    ]


def _exports(sink: Resource) -> bool:
    """A sink whose destination is in another project: the audit trail's way out to the SIEM."""
    match = _DESTINATION_PROJECT.match(str(sink.inputs.get("destination") or ""))
    return match is None or match.group(1) != sink.inputs.get("project")


def sink_takes_all_audit_logs(resource: Resource, _: Context) -> str | None:
    if not _exports(resource):
        return None  # a route inside the project (e.g. build logs to their CMEK bucket) is not the trail
    if resource.inputs.get("disabled") is True:
        return "sink is disabled"
    active = [e.get("name") for e in resource.inputs.get("exclusions") or [] if e.get("disabled") is not True]
    if active:
        return f"sink drops entries through exclusions {', '.join(map(str, active))}"
    sink_filter = str(resource.inputs.get("filter") or "")
    if not sink_filter:
        return None  # an empty filter routes every log entry
    required = (*AUDIT_LOG_IDS, *INVESTIGATION_LOG_IDS)
    missing = [log_id for log_id in required if f'log_id("{log_id}")' not in sink_filter]
    return f"sink filter leaves out {', '.join(missing)}" if missing else None


def unique_writer(resource: Resource, _: Context) -> str | None:
    if resource.inputs.get("uniqueWriterIdentity") is not True and not resource.inputs.get("customWriterIdentity"):
        return "sink writes as the shared Cloud Logging identity, not its own"
    return None


def bucket_cmek(resource: Resource, _: Context) -> str | None:
    return None if dig(resource.inputs, "cmekSettings.kmsKeyName") else "log bucket is not CMEK-encrypted"


def bucket_retention(resource: Resource, context: Context) -> str | None:
    minimum = MIN_LOG_RETENTION_DAYS.get(context.environment, max(MIN_LOG_RETENTION_DAYS.values()))
    days = resource.inputs.get("retentionDays")
    if not isinstance(days, int | float) or days < minimum:
        return f"log bucket retains {days or 'the default 30'} days, below the {context.environment} minimum {minimum}"
    return None


def bucket_locked(resource: Resource, context: Context) -> str | None:
    if context.environment != "dev" and resource.inputs.get("locked") is not True:
        return f"{context.environment} log bucket retention is not locked"
    return None


def writer_limited_to_one_bucket(resource: Resource, _: Context) -> str | None:
    if resource.inputs.get("role") != BUCKET_WRITER:
        return None
    expression = str(dig(resource.inputs, "condition.expression") or "")
    if not _ONE_BUCKET.match(expression):
        return "logging.bucketWriter is granted project-wide, not conditioned to one log bucket"
    return None


RULES = [
    Rule(
        "AUD-01",
        AUDIT,
        "allServices writes ADMIN_READ, DATA_READ and DATA_WRITE audit logs and no one is exempted",
        (AUDIT_CONFIG,),
        all_types_no_exemptions,
    ),
    Rule(
        "AUD-02",
        AUDIT,
        "every audited project routes its logs to a log bucket in another (SIEM) project",
        stack_check=audited_and_routed_out,
        scope=SCOPE,
    ),
    Rule(
        "AUD-03",
        "45 CFR 164.308(a)(1)(ii)(D)",
        "the sink is enabled, excludes nothing and takes every Cloud Audit Log stream and the network logs an"
        " investigation needs",
        (SINK,),
        sink_takes_all_audit_logs,
    ),
    Rule(
        "AUD-04",
        "45 CFR 164.308(a)(4)(ii)(B)",
        "the sink writes with a writer identity of its own",
        (SINK,),
        unique_writer,
    ),
    Rule("AUD-05", "45 CFR 164.312(a)(2)(iv)", "audit log buckets are CMEK-encrypted", (BUCKET,), bucket_cmek),
    Rule(
        "AUD-06",
        "45 CFR 164.316(b)(2)(i)",
        "audit logs are kept at least the environment's minimum retention",
        (BUCKET,),
        bucket_retention,
    ),
    Rule(
        "AUD-07",
        "45 CFR 164.312(c)(1)",
        "audit log retention is locked outside dev, so no one can shorten it",
        (BUCKET,),
        bucket_locked,
    ),
    Rule(
        "AUD-08",
        "45 CFR 164.308(a)(4)(ii)(B)",
        "log bucket writers are conditioned to a single bucket",
        (PROJECT_MEMBER,),
        writer_limited_to_one_bucket,
    ),
]
