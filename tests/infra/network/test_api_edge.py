"""ApiEdge: what the API's Gateway needs to serve TLS 1.3 only, with a certificate from a private CA."""

from __future__ import annotations

from infra.network import edge_facts
from infra.network.api_edge import api_vip
from infra.rules import dig, evaluate
from infra.rules import tls as tls_rules
from infra.rules.tls import RULES
from tests.infra.network.builders import api_edge_args, built_api_edge
from tests.infra.recording import config_for, only

SSL_POLICY = "gcp:compute/regionSslPolicy:RegionSslPolicy"
CERTIFICATE = "gcp:certificatemanager/certificate:Certificate"
ISSUANCE = "gcp:certificatemanager/certificateIssuanceConfig:CertificateIssuanceConfig"
CA_POOL = "gcp:certificateauthority/caPool:CaPool"
AUTHORITY = "gcp:certificateauthority/authority:Authority"
REQUESTER = "gcp:certificateauthority/caPoolIamMember:CaPoolIamMember"
ADDRESS = "gcp:compute/address:Address"
ZONE = "gcp:dns/managedZone:ManagedZone"
RECORD = "gcp:dns/recordSet:RecordSet"


def inputs(type_token: str, environment: str = "prod") -> dict[str, object]:
    return dict(only(list(built_api_edge(environment)), type_token).inputs)


def test_the_ssl_policy_accepts_tls_1_3_only_and_passes_the_tls_rules(stack: str) -> None:
    policy = inputs(SSL_POLICY, stack)
    assert (policy["name"], policy["minTlsVersion"], policy["profile"]) == (
        f"hipaa-{stack}-api-tls13",
        "TLS_1_3",
        "RESTRICTED",
    )
    assert policy["region"] == "us-central1" and "customFeatures" not in policy
    assert evaluate(list(built_api_edge(stack)), stack, RULES) == []


def test_the_certificate_is_google_managed_for_the_private_name_from_the_private_ca(stack: str) -> None:
    certificate = inputs(CERTIFICATE, stack)
    managed = certificate["managed"]
    assert isinstance(managed, dict)
    assert managed["domains"] == [f"api.hipaa-{stack}.internal"]
    assert str(managed["issuanceConfig"]).endswith(f"/certificateIssuanceConfigs/hipaa-{stack}-api-issuance")
    assert "selfManaged" not in certificate  # no private key in the program or its state
    issuance = inputs(ISSUANCE, stack)
    assert dig(issuance, "certificateAuthorityConfig.certificateAuthorityServiceConfig.caPool").endswith(
        f"/caPools/hipaa-{stack}-api-ca-pool"
    )
    assert (issuance["keyAlgorithm"], issuance["lifetime"]) == ("ECDSA_P256", f"{30 * 86400}s")


def test_the_ca_pool_is_cmek_encrypted_publishes_nothing_and_issues_only_server_certificates() -> None:
    pool = inputs(CA_POOL)
    assert pool["tier"] == "ENTERPRISE"
    assert list(pool["encryptionSpec"]) == ["cloudKmsKey"]  # type: ignore[call-overload]
    assert str(dig(pool, "encryptionSpec.cloudKmsKey")).endswith("/cryptoKeys/privateca-cmek")
    assert pool["publishingOptions"] == {"publishCaCert": False, "publishCrl": False}
    assert dig(pool, "issuancePolicy.baselineValues.caOptions") == {"isCa": False}
    assert dig(pool, "issuancePolicy.baselineValues.keyUsage.extendedKeyUsage") == {"serverAuth": True}


def test_only_the_certificate_manager_agent_may_request_certificates() -> None:
    grant = inputs(REQUESTER)
    assert grant["role"] == "roles/privateca.certificateRequester"
    assert "gcp-sa-certificatemanager" in str(grant["member"])


def test_the_root_ca_is_kept_in_prod_and_destroyable_in_dev() -> None:
    assert inputs(AUTHORITY)["deletionProtection"] is True
    assert inputs(AUTHORITY, "dev")["deletionProtection"] is False
    assert inputs(AUTHORITY)["type"] == "SELF_SIGNED"


def test_the_private_name_resolves_to_the_internal_address_in_the_vpc_only(stack: str) -> None:
    address = inputs(ADDRESS, stack)
    assert address["addressType"] == "INTERNAL"
    assert address["address"] == api_vip(config_for(stack).ranges.primary)
    zone = inputs(ZONE, stack)
    assert (zone["dnsName"], zone["visibility"]) == (f"hipaa-{stack}.internal.", "private")
    record = inputs(RECORD, stack)
    assert (record["name"], record["type"]) == (f"api.hipaa-{stack}.internal.", "A")


def test_the_rules_hold_policies_to_the_floor_the_edge_plans() -> None:
    assert (tls_rules.MIN_TLS_VERSION, tls_rules.TLS13_PROFILE) == (
        edge_facts.MIN_TLS_VERSION,
        edge_facts.TLS13_PROFILE,
    )


def test_the_address_is_the_last_usable_host_of_the_subnet() -> None:
    assert api_vip("10.30.0.0/20") == "10.30.15.254"


def test_every_edge_resource_lives_in_the_workload_project_and_region(stack: str) -> None:
    # Inside the VPC-SC perimeter's project, in the region of the Gateway's regional load balancer.
    placement = config_for(stack).placement
    # Cloud resources only (not the component itself); a CA pool grant has no project of its own.
    resources = [r for r in built_api_edge(stack) if r.type.startswith("gcp:") and r.type != REQUESTER]
    assert len(resources) == 9
    assert {r.name: r.inputs.get("project") for r in resources} == {r.name: placement.project_id for r in resources}
    regional = {SSL_POLICY: "region", ADDRESS: "region", CERTIFICATE: "location", ISSUANCE: "location"}
    regional |= {CA_POOL: "location", AUTHORITY: "location"}
    assert {kind: inputs(kind, stack).get(field) for kind, field in regional.items()} == dict.fromkeys(
        regional, placement.region
    )


def test_prod_protects_the_ca_pool_root_ca_and_certificate_from_destroy(stack: str) -> None:
    protected = {r.type for r in built_api_edge(stack) if r.protect}
    assert protected == ({CA_POOL, AUTHORITY, CERTIFICATE} if stack == "prod" else set())


def test_every_labelled_edge_resource_carries_the_phi_inventory_labels(stack: str) -> None:
    labels = {"compliance": "hipaa", "data-classification": "phi", "environment": stack, "managed-by": "pulumi"}
    labelled = (ADDRESS, ZONE, CERTIFICATE, ISSUANCE, CA_POOL, AUTHORITY)
    assert {kind: inputs(kind, stack).get("labels") for kind in labelled} == dict.fromkeys(labelled, labels)


def test_the_address_is_reserved_in_the_private_subnet(stack: str) -> None:
    assert inputs(ADDRESS, stack)["subnetwork"] == api_edge_args(stack).subnet_id


def test_the_api_zone_is_visible_to_this_vpc_only(stack: str) -> None:
    network = api_edge_args(stack).network_id
    assert inputs(ZONE, stack)["privateVisibilityConfig"] == {"networks": [{"networkUrl": network}]}


def test_the_api_name_resolves_to_the_reserved_internal_address_only(stack: str) -> None:
    assert inputs(RECORD, stack)["rrdatas"] == [api_vip(config_for(stack).ranges.primary)]
