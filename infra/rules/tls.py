"""Rules for TLS in transit at the platform's load balancers: TLS 1.3 only, and no plain-HTTP listener.

Every SSL policy the plan creates has a TLS 1.3 floor (`minTlsVersion: TLS_1_3`, which the Compute
API accepts only with the RESTRICTED profile); every target HTTPS or SSL proxy names an SSL policy
(without one, Google's default policy lets clients in with TLS 1.0); no target HTTP proxy is planned.
The API's own load balancer is created by GKE from `workloads/k8s/gateway.yaml`, whose policy is the
planned `RegionSslPolicy`; `scripts/validate-encryption.sh` checks every proxy and policy live.
"""

from __future__ import annotations

from infra.rules import Context, Resource, Rule

# The floor, and the only profile the Compute API accepts with it; infra/network/edge_facts.py plans
# the same pair (rules import no component package, tests/infra/network/test_api_edge.py ties them).
MIN_TLS_VERSION = "TLS_1_3"
TLS13_PROFILE = "RESTRICTED"

SSL_POLICY = "gcp:compute/sSLPolicy:SSLPolicy"
REGION_SSL_POLICY = "gcp:compute/regionSslPolicy:RegionSslPolicy"
HTTPS_PROXY = "gcp:compute/targetHttpsProxy:TargetHttpsProxy"
REGION_HTTPS_PROXY = "gcp:compute/regionTargetHttpsProxy:RegionTargetHttpsProxy"
SSL_PROXY = "gcp:compute/targetSSLProxy:TargetSSLProxy"
HTTP_PROXY = "gcp:compute/targetHttpProxy:TargetHttpProxy"
REGION_HTTP_PROXY = "gcp:compute/regionTargetHttpProxy:RegionTargetHttpProxy"
TRANSMISSION = "45 CFR 164.312(e)(1)"


def tls13_floor(resource: Resource, _: Context) -> str | None:
    version = resource.inputs.get("minTlsVersion") or "TLS_1_0"
    profile = resource.inputs.get("profile") or "COMPATIBLE"
    problems = []
    if version != MIN_TLS_VERSION:
        problems.append(f"minimum TLS version is {version}, not {MIN_TLS_VERSION}")
    if profile != TLS13_PROFILE:
        problems.append(f"profile is {profile}, not {TLS13_PROFILE} (the only profile Google accepts with TLS 1.3)")
    return "; ".join(problems) or None


def proxy_has_ssl_policy(resource: Resource, _: Context) -> str | None:
    if not resource.inputs.get("sslPolicy"):
        return "TLS proxy has no SSL policy: Google's default policy accepts TLS 1.0"
    return None


def no_plain_http_proxy(resource: Resource, _: Context) -> str | None:
    return f"target HTTP proxy {resource.inputs.get('name') or resource.name}: a plain-HTTP listener"


RULES = [
    Rule(
        "TLS-01",
        TRANSMISSION,
        "every SSL policy requires TLS 1.3 (RESTRICTED profile)",
        (SSL_POLICY, REGION_SSL_POLICY),
        tls13_floor,
    ),
    Rule(
        "TLS-02",
        TRANSMISSION,
        "every target HTTPS or SSL proxy carries an SSL policy",
        (HTTPS_PROXY, REGION_HTTPS_PROXY, SSL_PROXY),
        proxy_has_ssl_policy,
    ),
    Rule("TLS-03", TRANSMISSION, "no plain-HTTP listener", (HTTP_PROXY, REGION_HTTP_PROXY), no_plain_http_proxy),
]
