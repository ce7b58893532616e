"""AuditLogging: each test states one property of the audit trail and fails when it is removed."""

from __future__ import annotations

import pulumi
import pytest

from infra.config import MIN_LOG_RETENTION_DAYS
from infra.plan.mocks import project_number
from infra.security.audit_logging import AuditLogging
from tests.infra.recording import config_for, only, protected_names
from tests.infra.security.builders import audit_logging_args, built_audit_logging, logging_key

AUDIT_CONFIG = "gcp:projects/iAMAuditConfig:IAMAuditConfig"
BUCKET = "gcp:logging/projectBucketConfig:ProjectBucketConfig"
SINK = "gcp:logging/projectSink:ProjectSink"
MEMBER = "gcp:projects/iAMMember:IAMMember"


def inputs(kind: str, environment: str = "prod") -> dict[str, object]:
    return dict(only(list(built_audit_logging(environment)), kind).inputs)


def test_every_service_writes_every_audit_log_type_with_no_exemption(stack: str) -> None:
    audit = inputs(AUDIT_CONFIG, stack)
    assert audit["project"] == config_for(stack).project_id
    assert audit["service"] == "allServices"
    assert audit["auditLogConfigs"] == [
        {"logType": "ADMIN_READ", "exemptedMembers": []},
        {"logType": "DATA_READ", "exemptedMembers": []},
        {"logType": "DATA_WRITE", "exemptedMembers": []},
    ]


def test_log_bucket_is_in_the_siem_project_and_region(stack: str) -> None:
    config = config_for(stack)
    bucket = inputs(BUCKET, stack)
    assert bucket["project"] == config.siem_project_id != config.project_id
    assert bucket["location"] == "us-central1"
    assert bucket["bucketId"] == f"hipaa-{stack}-audit-logs"


def test_log_bucket_is_encrypted_with_the_logging_key(stack: str) -> None:
    assert inputs(BUCKET, stack)["cmekSettings"] == {"kmsKeyName": logging_key(stack)}


@pytest.mark.parametrize(("environment", "days"), [("dev", 30), ("staging", 365), ("prod", 2190)])
def test_retention_is_the_configured_days_and_at_least_the_minimum(environment: str, days: int) -> None:
    assert inputs(BUCKET, environment)["retentionDays"] == days
    assert days >= MIN_LOG_RETENTION_DAYS[environment]


@pytest.mark.parametrize(("environment", "locked"), [("dev", False), ("staging", True), ("prod", True)])
def test_retention_is_locked_outside_dev(environment: str, locked: bool) -> None:
    bucket = inputs(BUCKET, environment)
    assert bucket["locked"] is locked
    assert bucket["deletionPolicy"] == ("PREVENT" if locked else "DELETE")


def test_log_analytics_stays_off() -> None:
    assert inputs(BUCKET)["enableAnalytics"] is False


def protected(environment: str) -> set[str]:
    """Logical names of the resources the engine is told to protect (the monitor sees `protect`)."""
    args = audit_logging_args(environment)
    flags = protected_names(lambda: AuditLogging("audit", args))
    return {name for name, flag in flags.items() if flag}


def test_bucket_is_protected_in_prod_and_destroyable_in_dev() -> None:
    assert protected("prod") == {"audit-bucket"}
    assert protected("dev") == set()


def test_sink_routes_from_the_workload_project_to_the_siem_bucket(stack: str) -> None:
    config = config_for(stack)
    sink = inputs(SINK, stack)
    assert sink["project"] == config.project_id
    assert sink["name"] == f"hipaa-{stack}-siem-sink"
    assert sink["destination"] == (
        f"logging.googleapis.com/projects/{config.siem_project_id}/locations/us-central1/buckets/hipaa-{stack}-audit-logs"
    )


def test_sink_has_its_own_writer_identity_is_enabled_and_excludes_nothing() -> None:
    sink = inputs(SINK)
    assert sink["uniqueWriterIdentity"] is True
    assert sink["disabled"] is False
    assert sink["exclusions"] == []


def test_sink_takes_every_audit_log_stream_and_the_security_platform_logs() -> None:
    assert inputs(SINK)["filter"] == (
        'log_id("cloudaudit.googleapis.com/activity")'
        ' OR log_id("cloudaudit.googleapis.com/data_access")'
        ' OR log_id("cloudaudit.googleapis.com/system_event")'
        ' OR log_id("cloudaudit.googleapis.com/policy")'
        ' OR log_id("cloudaudit.googleapis.com/access_transparency")'
        ' OR log_id("compute.googleapis.com/vpc_flows")'
        ' OR log_id("compute.googleapis.com/firewall")'
        ' OR log_id("dns.googleapis.com/dns_queries")'
    )


def test_sink_filter_leaves_out_request_and_workload_logs_that_can_carry_phi() -> None:
    sink_filter = str(inputs(SINK)["filter"])
    for log_id in ("requests", "stdout", "stderr", "dataproc"):
        assert log_id not in sink_filter


def test_writer_identity_may_write_to_this_bucket_only(stack: str) -> None:
    config = config_for(stack)
    grant = inputs(MEMBER, stack)
    agent = f"service-{project_number(config.project_id)}@gcp-sa-logging.iam.gserviceaccount.com"
    assert grant == {
        "project": config.siem_project_id,
        "role": "roles/logging.bucketWriter",
        "member": f"serviceAccount:{agent}",
        "condition": {
            "title": f"hipaa-{stack}-audit-logs only",
            "description": "The sink may write to this environment's audit bucket and no other",
            "expression": f'resource.name.endsWith("locations/us-central1/buckets/hipaa-{stack}-audit-logs")',
        },
    }


def test_component_creates_nothing_else() -> None:
    assert sorted(r.type for r in built_audit_logging("prod")) == sorted(
        ["hipaa:security:AuditLogging", AUDIT_CONFIG, BUCKET, SINK, MEMBER]
    )


def test_sink_destination_is_the_siem_bucket_which_is_locked_in_prod() -> None:
    assert inputs(SINK)["destination"] == (
        "logging.googleapis.com/projects/nwh-siem-prd/locations/us-central1/buckets/hipaa-prod-audit-logs"
    )
    assert inputs(BUCKET)["bucketId"] == "hipaa-prod-audit-logs"
    assert inputs(BUCKET)["locked"] is True


@pulumi.runtime.test  # type: ignore[untyped-decorator]
def test_outputs_name_the_siem_bucket_and_the_sinks_own_writer(mocked: None) -> pulumi.Output[None]:
    """Pulumi's own style: build the component under mocks and assert on its declared outputs."""
    audit = AuditLogging("unit", audit_logging_args("prod"))

    def check(values: list[object]) -> None:
        bucket_id, writer = values
        assert bucket_id == "hipaa-prod-audit-logs"
        number = project_number("nwh-analytics-prd")
        assert writer == f"serviceAccount:service-{number}@gcp-sa-logging.iam.gserviceaccount.com"

    return pulumi.Output.all(audit.log_bucket_id, audit.sink_writer_identity).apply(check)
