"""The security alerts every environment carries, defined once for the Monitoring component, its rules and tests.

Each alert counts matching log entries with a log-based metric (or watches a built-in metric) and
pages the security topic when the count in a one-minute window is above zero. Pure data, no Pulumi.

Points of a log-based metric carry the log entry's monitored resource when Cloud Monitoring knows
that type (`audited_resource`, `logging_sink`, `gcs_bucket`, ...) and `global` otherwise (`project`,
`gce_firewall_rule`, `iam_role`, `cloudkms_cryptokeyversion`, ...). An alert condition must name one
resource type, so each alert has one condition per type its entries can carry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["CRITICAL", "ERROR", "WARNING"]


def _any(field: str, operator: str, values: tuple[str, ...]) -> str:
    """`(field="a" OR field="b")`; parenthesized because the query language binds OR tighter than AND."""
    return "(" + " OR ".join(f'{field}{operator}"{value}"' for value in values) + ")"


@dataclass(frozen=True)
class SecurityAlert:
    id: str
    title: str
    severity: Severity
    resource_types: tuple[str, ...]
    # What the responder checks and does, beyond the common steps every alert's runbook carries.
    action: str
    log_filter: str = ""  # a Cloud Logging query: the alert counts it with a log-based metric
    metric_type: str = ""  # or a built-in Cloud Monitoring metric

    def __post_init__(self) -> None:
        if bool(self.log_filter) == bool(self.metric_type):
            raise ValueError(f"alert {self.id} needs exactly one of log_filter or metric_type")


_CLOUD_ALERTS: tuple[SecurityAlert, ...] = (
    SecurityAlert(
        "kms-key-disabled-or-destroyed",
        "CMEK key version disabled or scheduled for destruction",
        "CRITICAL",
        ("global",),
        "A disabled or destroyed key version makes the data it protects unreadable. If the change is "
        "not approved, re-enable the version or restore it with `gcloud kms keys versions restore` "
        "before its scheduled destruction time.",
        log_filter='protoPayload.serviceName="cloudkms.googleapis.com" AND ('
        'protoPayload.methodName="DestroyCryptoKeyVersion" OR ('
        'protoPayload.methodName="UpdateCryptoKeyVersion" AND '
        'protoPayload.request.cryptoKeyVersion.state="DISABLED"))',
    ),
    SecurityAlert(
        "iam-policy-change",
        "IAM policy changed",
        "ERROR",
        ("global", "gcs_bucket", "bigquery_dataset", "pubsub_topic"),
        "Compare the binding deltas with the approved access list; remove any grant that no change "
        "record or pipeline build explains, and review what the new member accessed since.",
        log_filter=_any(
            "protoPayload.methodName",
            "=",
            ("SetIamPolicy", "storage.setIamPermissions", "google.iam.v1.IAMPolicy.SetIamPolicy"),
        ),
    ),
    SecurityAlert(
        "vpc-sc-violation",
        "VPC Service Controls violation",
        "CRITICAL",
        ("audited_resource",),
        "A request was refused at the service perimeter. Identify the caller and the service from "
        "the policy-denied audit log; a caller from inside the organization may be misconfigured, "
        "an unknown one may be an exfiltration attempt and is escalated at once.",
        log_filter='logName:"cloudaudit.googleapis.com%2Fpolicy" AND '
        'protoPayload.metadata.@type="type.googleapis.com/google.cloud.audit.VpcServiceControlAuditMetadata"',
    ),
    SecurityAlert(
        "audit-config-change",
        "Audit logging configuration changed",
        "CRITICAL",
        ("global",),
        "Audit logs are the record HIPAA requires. Restore the allServices audit config with all three "
        "log types and no exemptions (`pulumi up` of this stack does), then find out who changed it.",
        log_filter='protoPayload.methodName="SetIamPolicy" AND '
        "protoPayload.serviceData.policyDelta.auditConfigDeltas:*",
    ),
    SecurityAlert(
        "firewall-change",
        "VPC firewall rule changed",
        "ERROR",
        ("global",),
        "Check that the rule still denies ingress from outside the private ranges and egress to the "
        "internet; delete or revert any rule no change record explains.",
        log_filter='resource.type="gce_firewall_rule" AND '
        + _any(
            "protoPayload.methodName",
            ":",
            (
                "compute.firewalls.insert",
                "compute.firewalls.patch",
                "compute.firewalls.update",
                "compute.firewalls.delete",
            ),
        ),
    ),
    SecurityAlert(
        "network-route-change",
        "VPC network, peering or route changed",
        "ERROR",
        ("global",),
        "A new route or peering can open a path around the perimeter. Verify it against the network "
        "design and remove it if unexplained.",
        log_filter=_any("resource.type", "=", ("gce_route", "gce_network"))
        + " AND "
        + _any(
            "protoPayload.methodName",
            ":",
            (
                "compute.routes.insert",
                "compute.routes.delete",
                "compute.networks.insert",
                "compute.networks.patch",
                "compute.networks.delete",
                "compute.networks.addPeering",
                "compute.networks.removePeering",
                "compute.networks.updatePeering",
            ),
        ),
    ),
    SecurityAlert(
        "custom-role-change",
        "Custom IAM role changed",
        "WARNING",
        ("global",),
        "A changed custom role changes every grant of it. Compare the role's permissions with the "
        "approved definition and revert unexplained additions.",
        log_filter='resource.type="iam_role" AND '
        + _any(
            "protoPayload.methodName",
            "=",
            (
                "google.iam.admin.v1.CreateRole",
                "google.iam.admin.v1.UpdateRole",
                "google.iam.admin.v1.DeleteRole",
                "google.iam.admin.v1.UndeleteRole",
            ),
        ),
    ),
    SecurityAlert(
        "log-routing-change",
        "Log sink, bucket or exclusion changed",
        "CRITICAL",
        ("logging_sink", "global"),
        "A changed sink, bucket or exclusion can stop audit logs from reaching the SIEM project. "
        "Confirm the SIEM sink's filter and destination are unchanged (`pulumi preview` shows drift) "
        "and that no exclusion drops audit entries.",
        log_filter='protoPayload.serviceName="logging.googleapis.com" AND '
        + _any(
            "protoPayload.methodName",
            ":",
            (
                "ConfigServiceV2.CreateSink",
                "ConfigServiceV2.UpdateSink",
                "ConfigServiceV2.DeleteSink",
                "ConfigServiceV2.UpdateBucket",
                "ConfigServiceV2.DeleteBucket",
                "ConfigServiceV2.CreateExclusion",
                "ConfigServiceV2.UpdateExclusion",
                "ConfigServiceV2.UpdateSettings",
                "ConfigServiceV2.UpdateCmekSettings",
            ),
        ),
    ),
    SecurityAlert(
        "audit-export-failure",
        "Audit log export to the SIEM project failing",
        "CRITICAL",
        ("logging_sink",),
        "Entries the sink could not write are lost to the SIEM. The usual cause is the sink's writer "
        "identity losing `roles/logging.bucketWriter` on the SIEM bucket, or the bucket's key being "
        "unusable; restore the grant or the key and confirm new entries arrive.",
        metric_type="logging.googleapis.com/exports/error_count",
    ),
    SecurityAlert(
        "pipeline-build-failed",
        "Delivery pipeline build failed or timed out",
        "WARNING",
        # Entries of a build carry the `build` resource; a condition per type, as for the others.
        ("build", "global"),
        "A failed build stops at its first failing step, before the compliance report and the "
        "deployment notification run, so this alert is the security team's record of it. Read the "
        "failed step (its id is the gate id) and its one-line reason with `gcloud builds describe "
        "BUILD_ID`; in staging and prod attach both to the release record before any rerun.",
        # Cloud Build ends the log of a failed build with a line that is exactly ERROR (TIMEOUT for
        # a build that ran out of time). A step printing the bare word alone would count too, which
        # errs toward alerting.
        log_filter='resource.type="build" AND (textPayload="ERROR" OR textPayload="TIMEOUT")',
    ),
)

DRIFT_ALERT = SecurityAlert(
    "infrastructure-drift",
    "Infrastructure changed outside the pipeline (drift)",
    "ERROR",
    ("build", "global"),
    "The daily drift build found the environment different from its stack, or could not check it. "
    "Its log lists each drifted resource's URN (`gcloud builds log BUILD_ID`). Find who changed it in "
    "the admin activity audit log; revert it with the pipeline (a release, or `pulumi up` of the last "
    "one), or record the approved change and deploy it. A check that could not run is drift unknown: "
    "rerun the drift trigger once the cause is fixed.",
    # scripts/check-drift.sh ends a failed check with this prefix (scripts/lib/gate.sh, core.sh die).
    log_filter='resource.type="build" AND textPayload:"check-drift.sh: FAIL:"',
)
ALERTS: tuple[SecurityAlert, ...] = (*_CLOUD_ALERTS, DRIFT_ALERT)


def alert(alert_id: str) -> SecurityAlert:
    for candidate in ALERTS:
        if candidate.id == alert_id:
            return candidate
    raise KeyError(f"unknown alert {alert_id!r}")
