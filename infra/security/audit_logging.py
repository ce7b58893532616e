"""Audit logging: every service audited, and every audit log routed to a locked CMEK bucket in the SIEM project."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from infra.config import PlatformConfig
from infra.naming import child_opts, data_opts, log_bucket_id, log_bucket_path, siem_sink_name
from infra.security.audit_streams import AUDIT_LOG_TYPES, sink_filter

BUCKET_WRITER = "roles/logging.bucketWriter"


def bucket_condition(config: PlatformConfig) -> str:
    """IAM condition limiting a grant to this environment's bucket (Google's documented form)."""
    return f'resource.name.endsWith("locations/{config.region}/buckets/{log_bucket_id(config)}")'


class AuditLogging(pulumi.ComponentResource):
    """Audit configs on the workload project and the sink that carries the logs out of it.

    The SIEM bucket is encrypted by the SIEM project's logging agent; `logging_key_id` should be
    an output that resolves once that agent holds the key (`Kms.key_id("logging")` does).
    """

    def __init__(
        self,
        name: str,
        config: PlatformConfig,
        *,
        logging_key_id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("hipaa:security:AuditLogging", name, None, opts)
        # Data Access logs are off by default; turn every type on for every service, exempting no one.
        self.audit_config = gcp.projects.IAMAuditConfig(
            f"{name}-all-services",
            project=config.project_id,
            service="allServices",
            audit_log_configs=[
                gcp.projects.IAMAuditConfigAuditLogConfigArgs(log_type=log_type, exempted_members=[])
                for log_type in AUDIT_LOG_TYPES
            ],
            opts=child_opts(self),
        )
        # Locking is irreversible: a locked bucket's retention can never be shortened and the bucket
        # cannot be deleted while it holds logs. Staging and prod lock; dev stays destroyable.
        locked = config.environment != "dev"
        self.log_bucket = gcp.logging.ProjectBucketConfig(
            f"{name}-bucket",
            project=config.siem_project_id,
            location=config.region,
            bucket_id=log_bucket_id(config),
            description=f"Audit logs of {config.project_id} ({config.environment}), HIPAA retention",
            retention_days=config.log_retention_days,
            locked=locked,
            cmek_settings=gcp.logging.ProjectBucketConfigCmekSettingsArgs(kms_key_name=logging_key_id),
            # Log Analytics and its linked BigQuery datasets would open a second read path to the trail.
            enable_analytics=False,
            deletion_policy="PREVENT" if locked else "DELETE",
            opts=data_opts(config, self),
        )
        self.sink = gcp.logging.ProjectSink(
            f"{name}-siem-sink",
            name=siem_sink_name(config),
            project=config.project_id,
            destination=f"logging.googleapis.com/{log_bucket_path(config)}",
            filter=sink_filter(),
            description="Every Cloud Audit Log and the security platform logs, to the SIEM project",
            # A writer identity of the sink's own, so the grant below names exactly this route.
            unique_writer_identity=True,
            disabled=False,
            exclusions=[],
            opts=child_opts(self, depends_on=[self.log_bucket]),
        )
        self.writer_grant = gcp.projects.IAMMember(
            f"{name}-siem-writer",
            project=config.siem_project_id,
            role=BUCKET_WRITER,
            member=self.sink.writer_identity,
            condition=gcp.projects.IAMMemberConditionArgs(
                title=f"{log_bucket_id(config)} only",
                description="The sink may write to this environment's audit bucket and no other",
                expression=bucket_condition(config),
            ),
            opts=child_opts(self),
        )
        self.register_outputs(
            {
                "auditConfig": self.audit_config.id,
                "logBucket": self.log_bucket.id,
                "sink": self.sink.id,
                "writerIdentity": self.sink.writer_identity,
            }
        )
