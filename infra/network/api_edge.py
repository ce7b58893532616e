"""The API's HTTPS edge: what the internal Application Load Balancer of the GKE Gateway needs from the platform.

GKE creates the load balancer itself from `workloads/k8s/gateway.yaml` (class gke-l7-rilb); this
component creates what that Gateway names and cannot create: the regional SSL policy with a TLS 1.3
floor, the internal address it listens on, the private DNS name clients use, and the certificate
for that name. The certificate is Google-managed: Certificate Manager requests it from a private CA
of Certificate Authority Service and renews it, so no private key is ever in this program, its state
or the repository. A public CA cannot issue for a `.internal` name, and a DNS authorization would
need the name in public DNS, which this private name never is.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
from pulumi_gcp import certificateauthority as cas
from pulumi_gcp import certificatemanager as cm

from infra.interface import register_declared
from infra.naming import child_opts, data_opts, resource_name
from infra.network.edge_facts import (
    ADDRESS,
    CA_POOL_TIER,
    CERTIFICATE,
    CERTIFICATE_REQUESTER,
    MIN_TLS_VERSION,
    SSL_POLICY,
    TLS13_PROFILE,
    api_domain,
    api_hostname,
)
from infra.placement import Placement

DNS_TTL_SECONDS = 300
# CA Service creates and holds the root's signing key in Cloud HSM; it never leaves it.
ROOT_KEY_ALGORITHM = "EC_P256_SHA256"
ROOT_LIFETIME = f"{10 * 365 * 86400}s"
# Server certificates: 30 days, renewed by Certificate Manager once two thirds of that have passed.
LEAF_KEY_ALGORITHM = "ECDSA_P256"
LEAF_LIFETIME = f"{30 * 86400}s"
LEAF_ROTATION_WINDOW_PERCENT = 66
# The pool issues nothing that lives longer than 90 days, whoever asks.
MAX_LEAF_LIFETIME = f"{90 * 86400}s"


@dataclass(frozen=True)
class ApiEdgeArgs:
    placement: Placement
    """Environment (names, hostname, protection), workload project, region (every resource here is regional)."""
    network_id: pulumi.Input[str]
    """The VPC the private DNS zone of the API's name is visible to."""
    subnet_id: pulumi.Input[str]
    """The private workload subnet the load balancer's address is reserved in."""
    subnet_cidr: str
    """That subnet's primary range: the address is its last usable host, clear of nodes that fill it from the start."""
    privateca_key_id: pulumi.Input[str]
    """CMEK key of the CA pool (issued certificates and revocation lists at rest)."""


def api_vip(subnet_cidr: str) -> str:
    """The load balancer's fixed address: the last usable host of the private subnet."""
    network = ipaddress.IPv4Network(subnet_cidr)
    return str(network.broadcast_address - 1)


class ApiEdge(pulumi.ComponentResource):
    """SSL policy (TLS 1.3 floor), address, private DNS name and private-CA certificate of the API's Gateway."""

    TYPE_TOKEN = "hipaa:network:ApiEdge"

    ssl_policy_name: pulumi.Output[str]
    """The regional SSL policy (`hipaa-<env>-api-tls13`: TLS 1.3 minimum, RESTRICTED) the Gateway's
    GCPGatewayPolicy attaches to its target HTTPS proxy."""
    certificate_name: pulumi.Output[str]
    """The regional Certificate Manager certificate (`hipaa-<env>-api-cert`) the Gateway's HTTPS listener names."""
    address_name: pulumi.Output[str]
    """The internal address (`hipaa-<env>-api-address`) the Gateway listens on."""
    hostname: pulumi.Output[str]
    """The API's private DNS name (`api.hipaa-<env>.internal`), the only name its certificate carries."""

    def __init__(self, name: str, args: ApiEdgeArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        placement = args.placement
        policy = gcp.compute.RegionSslPolicy(
            f"{name}-ssl-policy",
            name=resource_name(placement, SSL_POLICY),
            project=placement.project_id,
            region=placement.region,
            description="API edge: TLS 1.3 only (RESTRICTED is the only profile Google accepts with it)",
            min_tls_version=MIN_TLS_VERSION,
            profile=TLS13_PROFILE,
            opts=child_opts(self),
        )
        address = gcp.compute.Address(
            f"{name}-address",
            name=resource_name(placement, ADDRESS),
            project=placement.project_id,
            region=placement.region,
            subnetwork=args.subnet_id,
            address_type="INTERNAL",
            purpose="GCE_ENDPOINT",
            address=api_vip(args.subnet_cidr),
            description="Internal address of the API's HTTPS Gateway (internal Application Load Balancer)",
            labels=placement.labels,
            opts=child_opts(self),
        )
        hostname = api_hostname(placement.environment)
        zone = gcp.dns.ManagedZone(
            f"{name}-zone",
            name=resource_name(placement, "api-zone"),
            project=placement.project_id,
            dns_name=f"{api_domain(placement.environment)}.",
            description="The API's private name, visible to this VPC only",
            visibility="private",
            private_visibility_config=gcp.dns.ManagedZonePrivateVisibilityConfigArgs(
                networks=[gcp.dns.ManagedZonePrivateVisibilityConfigNetworkArgs(network_url=args.network_id)]
            ),
            labels=placement.labels,
            opts=child_opts(self),
        )
        gcp.dns.RecordSet(
            f"{name}-record",
            project=placement.project_id,
            managed_zone=zone.name,
            name=f"{hostname}.",
            type="A",
            ttl=DNS_TTL_SECONDS,
            rrdatas=[address.address],
            opts=child_opts(self),
        )
        issuance = self._private_ca(name, args)
        certificate = cm.Certificate(
            f"{name}-certificate",
            name=resource_name(placement, CERTIFICATE),
            project=placement.project_id,
            location=placement.region,
            description=f"{hostname}: issued and renewed by Certificate Manager from the private CA",
            managed=cm.CertificateManagedArgs(domains=[hostname], issuance_config=issuance.id),
            labels=placement.labels,
            opts=data_opts(placement, self),
        )
        self.ssl_policy_name = policy.name
        self.certificate_name = certificate.name
        self.address_name = address.name
        self.hostname = pulumi.Output.from_input(hostname)
        register_declared(self)

    def _private_ca(self, name: str, args: ApiEdgeArgs) -> cm.CertificateIssuanceConfig:
        """A root CA in a CMEK pool, and the issuance config Certificate Manager requests certificates through."""
        placement = args.placement
        pool = cas.CaPool(
            f"{name}-ca-pool",
            name=resource_name(placement, "api-ca-pool"),
            project=placement.project_id,
            location=placement.region,
            tier=CA_POOL_TIER,
            encryption_spec=cas.CaPoolEncryptionSpecArgs(cloud_kms_key=args.privateca_key_id),
            # The CA certificate and revocation list stay in the project: nothing is published to a
            # Google-hosted bucket outside it.
            publishing_options=cas.CaPoolPublishingOptionsArgs(publish_ca_cert=False, publish_crl=False),
            issuance_policy=cas.CaPoolIssuancePolicyArgs(
                maximum_lifetime=MAX_LEAF_LIFETIME,
                baseline_values=cas.CaPoolIssuancePolicyBaselineValuesArgs(
                    ca_options=cas.CaPoolIssuancePolicyBaselineValuesCaOptionsArgs(is_ca=False),
                    key_usage=cas.CaPoolIssuancePolicyBaselineValuesKeyUsageArgs(
                        base_key_usage=cas.CaPoolIssuancePolicyBaselineValuesKeyUsageBaseKeyUsageArgs(
                            digital_signature=True, key_encipherment=True
                        ),
                        extended_key_usage=cas.CaPoolIssuancePolicyBaselineValuesKeyUsageExtendedKeyUsageArgs(
                            server_auth=True
                        ),
                    ),
                ),
            ),
            labels=placement.labels,
            opts=data_opts(placement, self),
        )
        authority = cas.Authority(
            f"{name}-root-ca",
            certificate_authority_id=resource_name(placement, "api-root-ca"),
            project=placement.project_id,
            location=placement.region,
            pool=pool.name,
            type="SELF_SIGNED",
            lifetime=ROOT_LIFETIME,
            key_spec=cas.AuthorityKeySpecArgs(algorithm=ROOT_KEY_ALGORITHM),
            config=cas.AuthorityConfigArgs(
                subject_config=cas.AuthorityConfigSubjectConfigArgs(
                    subject=cas.AuthorityConfigSubjectConfigSubjectArgs(
                        organization="HIPAA analytics platform",
                        common_name=f"hipaa-{placement.environment} API root CA",
                    )
                ),
                x509_config=cas.AuthorityConfigX509ConfigArgs(
                    ca_options=cas.AuthorityConfigX509ConfigCaOptionsArgs(is_ca=True, max_issuer_path_length=0),
                    key_usage=cas.AuthorityConfigX509ConfigKeyUsageArgs(
                        base_key_usage=cas.AuthorityConfigX509ConfigKeyUsageBaseKeyUsageArgs(
                            cert_sign=True, crl_sign=True
                        ),
                        extended_key_usage=cas.AuthorityConfigX509ConfigKeyUsageExtendedKeyUsageArgs(),
                    ),
                ),
            ),
            # A deleted root takes every issued certificate with it: prod keeps it, dev stays destroyable.
            deletion_protection=placement.is_prod,
            skip_grace_period=not placement.is_prod,
            ignore_active_certificates_on_deletion=not placement.is_prod,
            labels=placement.labels,
            opts=data_opts(placement, self),
        )
        agent = gcp.projects.ServiceIdentity(
            f"{name}-agent-certificatemanager",
            project=placement.project_id,
            service="certificatemanager.googleapis.com",
            opts=child_opts(self),
        )
        requester = cas.CaPoolIamMember(
            f"{name}-ca-pool-requester",
            ca_pool=pool.id,
            role=CERTIFICATE_REQUESTER,
            member=agent.member,
            opts=child_opts(self),
        )
        return cm.CertificateIssuanceConfig(
            f"{name}-issuance",
            name=resource_name(placement, "api-issuance"),
            project=placement.project_id,
            location=placement.region,
            description="Server certificates of the API from its private CA pool",
            certificate_authority_config=cm.CertificateIssuanceConfigCertificateAuthorityConfigArgs(
                certificate_authority_service_config=cm.CertificateIssuanceConfigCertificateAuthorityConfigCertificateAuthorityServiceConfigArgs(
                    ca_pool=pool.id
                )
            ),
            key_algorithm=LEAF_KEY_ALGORITHM,
            lifetime=LEAF_LIFETIME,
            rotation_window_percentage=LEAF_ROTATION_WINDOW_PERCENT,
            labels=placement.labels,
            # Issuance needs an enabled CA in the pool and the agent's right to request from it.
            opts=child_opts(self, depends_on=[authority, requester]),
        )
