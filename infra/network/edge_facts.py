"""Fixed facts of the API's HTTPS edge, shared by the components, the rules, the tests and the shell.

Plain data, no Pulumi: the rules (and the policy pack that loads them) import this without the SDK.
Clients reach the API only through an internal Application Load Balancer that GKE creates for the
Gateway in `workloads/k8s/gateway.yaml` (class `gke-l7-rilb`); these names are how the manifests and
the platform meet.
"""

from __future__ import annotations

# Google's SSL policies accept a TLS 1.3 floor only with the RESTRICTED profile
# (https://cloud.google.com/load-balancing/docs/use-ssl-policies: "If you set the minimum TLS version
# of an SSL policy to 1.3, the policy must use the RESTRICTED profile"; the Compute API's
# SslPolicy.minTlsVersion says the same). With a 1.3 floor the profile's TLS 1.2 suites never apply.
MIN_TLS_VERSION = "TLS_1_3"
TLS13_PROFILE = "RESTRICTED"

# The regional internal Application Load Balancer runs its Envoy proxies in this subnet.
PROXY_ONLY_PURPOSE = "REGIONAL_MANAGED_PROXY"
PROXY_ONLY_ROLE = "ACTIVE"
GATEWAY_CLASS = "gke-l7-rilb"
# GKE installs the Gateway API CRDs only when the cluster asks for them.
GATEWAY_API_CHANNEL = "CHANNEL_STANDARD"

# The API pods' TLS port, which the load balancer's proxies and health checks reach through the
# Gateway's container-native NEGs: the hop inside the VPC is TLS too (Service appProtocol HTTPS).
API_BACKEND_PORT = 8443
API_HTTPS_PORT = 443

# The CA pool keeps every certificate it issues (ENTERPRISE tier), so issuance can be audited and revoked.
CA_POOL_TIER = "ENTERPRISE"
# The role the Certificate Manager service agent needs on the CA pool to request certificates.
CERTIFICATE_REQUESTER = "roles/privateca.certificateRequester"


def api_domain(environment: str) -> str:
    """The private DNS domain of an environment's API (`hipaa-prod.internal`); `.internal` is reserved
    for private use, so no public CA can issue for it and no public resolver answers for it."""
    return f"hipaa-{environment}.internal"


def api_hostname(environment: str) -> str:
    """The API's hostname, the one name its certificate carries (`api.hipaa-prod.internal`)."""
    return f"api.{api_domain(environment)}"


def edge_name(environment: str, purpose: str) -> str:
    """Names of the edge's resources, as the Kubernetes manifests spell them with `__ENVIRONMENT__`."""
    return f"hipaa-{environment}-{purpose}"


# What the Gateway manifests name, by purpose (edge_name gives the full name).
SSL_POLICY = "api-tls13"
CERTIFICATE = "api-cert"
ADDRESS = "api-address"
PROXY_ONLY_SUBNET = "proxy-only"
