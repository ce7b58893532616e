"""Audit logging: every service audited, and every audit log routed to a locked CMEK bucket in the SIEM project."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.interface import register_declared
from infra.naming import Stack, child_opts, data_opts, log_bucket_id, log_bucket_path_in, siem_sink_name
from infra.placement import Placement
from infra.security.audit_streams import AUDIT_LOG_TYPES, sink_filter

BUCKET_WRITER = "roles/logging.bucketWriter"


def bucket_condition(placement: Stack) -> str:
    """IAM condition limiting a grant to this environment's bucket (Google's documented form)."""
    return f'resource.name.endsWith("locations/{placement.region}/buckets/{log_bucket_id(placement)}")'


@dataclass(frozen=True)
class AuditLoggingArgs:
    placement: Placement
    """Environment (bucket name, lock), workload project (audit config, sink) and region (the bucket's)."""
    siem_project_id: str
    """The separate SIEM project that holds the log bucket the sink writes to."""
    log_retention_days: int
    """Retention of the SIEM log bucket in days (locked outside dev, so it can never be shortened)."""
    logging_key_id: pulumi.Input[str]
    """CMEK key of the log bucket; the SIEM project's logging agent encrypts with it, so pass an output
    that resolves once that agent holds the key (`Kms.key_ids["logging"]` does)."""


class AuditLogging(pulumi.ComponentResource):
    """Audit configs on the workload project and the sink that carries the logs to a locked SIEM bucket."""

    TYPE_TOKEN = "hipaa:security:AuditLogging"

    audit_config_id: pulumi.Output[str]
    """The project's allServices audit config (every log type, no exemptions)."""
    log_bucket_id: pulumi.Output[str]
    """Bucket id of the SIEM log bucket that receives this environment's audit logs (`hipaa-<env>-audit-logs`)."""
    sink_writer_identity: pulumi.Output[str]
    """The sink's own writer identity: the one member allowed to write to that bucket."""

    def __init__(self, name: str, args: AuditLoggingArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        placement = args.placement
        # Data Access logs are off by default; turn every type on for every service, exempting no one.
        audit_config = gcp.projects.IAMAuditConfig(
            f"{name}-all-services",
            project=placement.project_id,
            service="allServices",
            audit_log_configs=[
                gcp.projects.IAMAuditConfigAuditLogConfigArgs(log_type=log_type, exempted_members=[])
                for log_type in AUDIT_LOG_TYPES
            ],
            opts=child_opts(self),
        )
        # Locking is irreversible: a locked bucket's retention can never be shortened and the bucket
        # cannot be deleted while it holds logs. Staging and prod lock; dev stays destroyable.
        locked = placement.environment != "dev"
        log_bucket = gcp.logging.ProjectBucketConfig(
            f"{name}-bucket",
            project=args.siem_project_id,
            location=placement.region,
            bucket_id=log_bucket_id(placement),
            description=f"Audit logs of {placement.project_id} ({placement.environment}), HIPAA retention",
            retention_days=args.log_retention_days,
            locked=locked,
            cmek_settings=gcp.logging.ProjectBucketConfigCmekSettingsArgs(kms_key_name=args.logging_key_id),
            # Log Analytics and its linked BigQuery datasets would open a second read path to the trail.
            enable_analytics=False,
            deletion_policy="PREVENT" if locked else "DELETE",
            opts=data_opts(placement, self),
        )
        sink = gcp.logging.ProjectSink(
            f"{name}-siem-sink",
            name=siem_sink_name(placement),
            project=placement.project_id,
            destination=f"logging.googleapis.com/{log_bucket_path_in(args.siem_project_id, placement)}",
            filter=sink_filter(),
            description="Every Cloud Audit Log and the security platform logs, to the SIEM project",
            # A writer identity of the sink's own, so the grant below names exactly this route.
            unique_writer_identity=True,
            disabled=False,
            exclusions=[],
            opts=child_opts(self, depends_on=[log_bucket]),
        )
        gcp.projects.IAMMember(
            f"{name}-siem-writer",
            project=args.siem_project_id,
            role=BUCKET_WRITER,
            member=sink.writer_identity,
            condition=gcp.projects.IAMMemberConditionArgs(
                title=f"{log_bucket_id(placement)} only",
                description="The sink may write to this environment's audit bucket and no other",
                expression=bucket_condition(placement),
            ),
            opts=child_opts(self),
        )
        self.audit_config_id = audit_config.id
        self.log_bucket_id = log_bucket.bucket_id
        self.sink_writer_identity = sink.writer_identity
        register_declared(self)
