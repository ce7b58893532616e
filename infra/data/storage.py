"""Storage: the platform's HIPAA buckets (PHI landing, curated, reports, backups, artifacts) and their access log."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.data.buckets import delete_after, hipaa_bucket, move_after
from infra.interface import register_declared
from infra.naming import child_opts
from infra.placement import Placement

ACCESS_LOGS = "access-logs"
# Google's usage-log writer; with uniform bucket-level access it needs object create on the log bucket.
USAGE_LOG_WRITER = "group:cloud-storage-analytics@google.com"
# Wheels and scanner databases are rebuilt by every pipeline run; older copies only cost and confuse.
ARTIFACT_RETENTION_DAYS = {"dev": 30, "staging": 90, "prod": 365}
# Cold classes charge for early deletion (Coldline 90 days), so only long-lived objects move there.
COLD_AFTER_DAYS = 90


def _aging(retention_days: int) -> list[gcp.storage.BucketLifecycleRuleArgs]:
    """Move to Coldline after 90 days when objects live long enough to pay for it, delete at retention."""
    rules = [move_after(COLD_AFTER_DAYS, "COLDLINE")] if retention_days > 2 * COLD_AFTER_DAYS else []
    return [*rules, delete_after(retention_days)]


@dataclass(frozen=True)
class StorageArgs:
    placement: Placement
    """Environment (retention, protection), workload project (names, buckets) and region (bucket location)."""
    storage_key_id: pulumi.Input[str]
    """CMEK key of every bucket; pass one that resolves once Cloud Storage's agent holds it."""
    log_retention_days: int
    """How long access logs are retained (and locked in prod) before they are deleted."""
    report_retention_days: int
    """How long compliance reports are retained (and locked in prod) before they are deleted."""


def lifecycle_rules(args: StorageArgs) -> dict[str, list[gcp.storage.BucketLifecycleRuleArgs]]:
    """Per purpose, the rules that fit it; every versioned bucket also expires noncurrent versions."""
    return {
        # Landed source files are read once by the curation job, kept for reprocessing.
        "phi-raw": [move_after(30, "NEARLINE")],
        "curated": [],
        "reports": _aging(args.report_retention_days),
        # Backups are rarely read: Nearline, then Coldline, then Archive; never deleted by age.
        "backups": [move_after(30, "NEARLINE"), move_after(90, "COLDLINE"), move_after(365, "ARCHIVE")],
        "artifacts": [delete_after(ARTIFACT_RETENTION_DAYS[args.placement.environment])],
    }


class Storage(pulumi.ComponentResource):
    """The HIPAA buckets, one per purpose, each logging its usage to the access-log bucket."""

    TYPE_TOKEN = "hipaa:data:Storage"

    bucket_names: dict[str, pulumi.Output[str]]
    """Bucket name per purpose: `access-logs` and each purpose of `lifecycle_rules` (`reports`, `backups`, ...)."""

    def __init__(self, name: str, args: StorageArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        access_logs = hipaa_bucket(
            f"{name}-{ACCESS_LOGS}",
            args.placement,
            purpose=ACCESS_LOGS,
            key_id=args.storage_key_id,
            parent=self,
            lifecycle_rules=_aging(args.log_retention_days),
            # Access logs are audit evidence: nobody may delete or rewrite them before retention ends.
            retention_days=args.log_retention_days,
            log_access=False,
        )
        log_writer = gcp.storage.BucketIAMMember(
            f"{name}-{ACCESS_LOGS}-writer",
            bucket=access_logs.name,
            role="roles/storage.objectCreator",
            member=USAGE_LOG_WRITER,
            opts=child_opts(self),
        )
        self.bucket_names = {ACCESS_LOGS: access_logs.name}
        for purpose, rules in lifecycle_rules(args).items():
            self.bucket_names[purpose] = hipaa_bucket(
                f"{name}-{purpose}",
                args.placement,
                purpose=purpose,
                key_id=args.storage_key_id,
                parent=self,
                lifecycle_rules=rules,
                # Compliance reports are evidence: retained, and locked in prod, instead of versioned.
                retention_days=args.report_retention_days if purpose == "reports" else None,
                depends_on=[access_logs, log_writer],
            ).name
        register_declared(self)
