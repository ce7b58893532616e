"""Which logs leave the environment for the SIEM project: defined once for the sink, its rules and tests.

Pure data, no Pulumi import, so the HIPAA rules can read it cheaply.
"""

from __future__ import annotations

# The audit log types every service must write for allServices (Admin Activity is always on).
AUDIT_LOG_TYPES = ("ADMIN_READ", "DATA_READ", "DATA_WRITE")

# Every Cloud Audit Log stream: who changed what (activity), who read or wrote data (data_access),
# what Google's systems did (system_event) and what a policy refused, VPC-SC violations included (policy).
AUDIT_LOG_IDS = (
    "cloudaudit.googleapis.com/activity",
    "cloudaudit.googleapis.com/data_access",
    "cloudaudit.googleapis.com/system_event",
    "cloudaudit.googleapis.com/policy",
)

# Platform logs an investigator needs besides the audit logs, each with the reason it is kept.
# Deliberately not routed: load balancer request logs and workload stdout/stderr (URLs, headers and
# application output can carry PHI, and the SIEM is not a PHI store), and Dataproc job output.
PLATFORM_LOG_IDS: dict[str, str] = {
    "cloudaudit.googleapis.com/access_transparency": "Google personnel accessing the project's content",
    "compute.googleapis.com/vpc_flows": "network flows of the private subnets, for breach scoping",
    "compute.googleapis.com/firewall": "connections allowed or denied by logged firewall rules",
    "dns.googleapis.com/dns_queries": "DNS lookups from the VPC, where exfiltration by DNS shows",
}


def sink_filter() -> str:
    """The Cloud Logging query of the SIEM sink: every audit stream and the platform logs above."""
    return " OR ".join(f'log_id("{log_id}")' for log_id in (*AUDIT_LOG_IDS, *PLATFORM_LOG_IDS))
