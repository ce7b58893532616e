"""Fixed facts of private access to Google APIs, shared by the Network component, its rules and tests.

Plain data, no Pulumi: the rules (and the policy pack that loads them) import this without the SDK.
"""

from __future__ import annotations

import ipaddress

from infra.config import NetworkRanges

# restricted.googleapis.com: the VIP that serves only APIs VPC Service Controls can protect.
RESTRICTED_VIP_RANGE = "199.36.153.4/30"
RESTRICTED_VIP_ADDRESSES = tuple(str(ip) for ip in ipaddress.IPv4Network(RESTRICTED_VIP_RANGE))
RESTRICTED_VIP_HOST = "restricted.googleapis.com."
INTERNET_GATEWAY = "default-internet-gateway"

# Private zones that send every Google API and registry name to the restricted VIP. Each maps the
# zone's apex to the VIP (A) and every name under it to the apex (CNAME), as Google documents for
# googleapis.com, and for pkg.dev / gcr.io (Artifact Registry, incl. gcr.io repositories).
RESTRICTED_ZONES: dict[str, tuple[str, str]] = {
    # zone purpose: (DNS name, the name its A record carries)
    "googleapis": ("googleapis.com.", RESTRICTED_VIP_HOST),
    "pkg-dev": ("pkg.dev.", "pkg.dev."),
    "gcr-io": ("gcr.io.", "gcr.io."),
}
DNS_TTL_SECONDS = 300

# Google Cloud load balancer health checkers; they reach only the serving ports.
HEALTH_CHECK_RANGES = ("35.191.0.0/16", "130.211.0.0/22")
# 443 for load-balanced node backends, 8443 for the API pods' TLS port behind container-native NEGs.
SERVING_PORTS = ("443", "8443")

FIREWALL_LOG_METADATA = "INCLUDE_ALL_METADATA"
ALLOW_PRIORITY = 1000
# Just above the implied rules (65535): anything not allowed above falls here, and is logged.
DENY_PRIORITY = 65534


def internal_ranges(ranges: NetworkRanges) -> list[str]:
    """Every private range of the environment: workloads, GKE, private services and the build pool."""
    return [
        ranges.primary,
        ranges.gke_pods,
        ranges.gke_services,
        ranges.gke_master,
        ranges.private_service_access,
        ranges.build_pool,
    ]


def flow_sampling(is_prod: bool) -> float:
    """Every flow in prod (forensics on PHI systems); half elsewhere, where the data is synthetic."""
    return 1.0 if is_prod else 0.5
