"""The security alerts every PHI environment carries, as the rules require them.

Owned by the rules (see infra/rules/baseline.py for why). An alert is required by what it must
detect, not by the component's wording: a log-based alert needs an enabled log metric whose filter
names every term below, a metric alert a condition on the named built-in metric. Sources: the CIS
Google Cloud Platform Foundation Benchmark, section 2 (log metric filters and alerts, cited as
CIS 2.x), Cloud Audit Logs method names, and 45 CFR 164.308(a)(1)(ii)(D) information system
activity review and 164.308(a)(6)(ii) security incident response.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RequiredAlert:
    id: str
    why: str
    filter_terms: tuple[str, ...] = ()  # every one appears in the log metric's filter
    metric_type: str = ""  # or the built-in metric the condition watches

    def __post_init__(self) -> None:
        if bool(self.filter_terms) == bool(self.metric_type):
            raise ValueError(f"required alert {self.id} needs exactly one of filter_terms or metric_type")


REQUIRED_ALERTS: tuple[RequiredAlert, ...] = (
    RequiredAlert(
        "kms-key-disabled-or-destroyed",
        "a disabled or destroyed key version makes PHI unreadable (164.308(a)(7) contingency)",
        ("cloudkms.googleapis.com", "DestroyCryptoKeyVersion", "UpdateCryptoKeyVersion", "DISABLED"),
    ),
    RequiredAlert(
        "iam-policy-change",
        "who may reach PHI changed (CIS 2.4, 2.10: project and bucket IAM changes)",
        ("SetIamPolicy", "storage.setIamPermissions"),
    ),
    RequiredAlert(
        "vpc-sc-violation",
        "a request refused at the perimeter may be exfiltration",
        ("cloudaudit.googleapis.com%2Fpolicy", "VpcServiceControlAuditMetadata"),
    ),
    RequiredAlert(
        "audit-config-change",
        "the audit trail itself was changed (CIS 2.5)",
        ("SetIamPolicy", "auditConfigDeltas"),
    ),
    RequiredAlert(
        "firewall-change",
        "a firewall rule changed (CIS 2.7)",
        (
            'resource.type="gce_firewall_rule"',
            "compute.firewalls.insert",
            "compute.firewalls.patch",
            "compute.firewalls.delete",
        ),
    ),
    RequiredAlert(
        "network-route-change",
        "a route, network or peering changed (CIS 2.8, 2.9)",
        (
            "gce_route",
            "gce_network",
            "compute.routes.insert",
            "compute.routes.delete",
            "compute.networks.insert",
            "compute.networks.patch",
            "compute.networks.delete",
            "compute.networks.addPeering",
            "compute.networks.removePeering",
        ),
    ),
    RequiredAlert(
        "custom-role-change",
        "a custom role's permissions changed (CIS 2.6)",
        (
            'resource.type="iam_role"',
            "google.iam.admin.v1.CreateRole",
            "google.iam.admin.v1.UpdateRole",
            "google.iam.admin.v1.DeleteRole",
        ),
    ),
    RequiredAlert(
        "log-routing-change",
        "a sink, log bucket or exclusion changed, which can stop the audit trail (164.312(b))",
        (
            "logging.googleapis.com",
            "CreateSink",
            "UpdateSink",
            "DeleteSink",
            "UpdateBucket",
            "DeleteBucket",
            "CreateExclusion",
            "UpdateExclusion",
        ),
    ),
    RequiredAlert(
        "audit-export-failure",
        "entries the SIEM sink could not write are lost to the audit trail (164.312(b))",
        metric_type="logging.googleapis.com/exports/error_count",
    ),
    RequiredAlert(
        "pipeline-build-failed",
        "a refused or failed build is the security team's record of a blocked change",
        ('resource.type="build"', 'textPayload="ERROR"', 'textPayload="TIMEOUT"'),
    ),
    RequiredAlert(
        "infrastructure-drift",
        "a resource changed outside the pipeline, or the daily drift check could not run (164.308(a)(1)(ii)(D))",
        ('resource.type="build"', "check-drift.sh: FAIL:"),
    ),
)
