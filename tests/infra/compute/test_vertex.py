"""Vertex: each test states one property of the Workbench instance, endpoint or metadata store."""

from __future__ import annotations

from typing import Any

from infra.compute.vertex import WORKBENCH_ROLES, peered_network
from infra.plan.mocks import project_number
from tests.infra.compute.builders import NETWORK, SUBNET, VERTEX_KEY, built_vertex
from tests.infra.recording import of_type, only

WORKBENCH = "gcp:workbench/instance:Instance"
ENDPOINT = "gcp:vertex/aiEndpoint:AiEndpoint"
STORE = "gcp:vertex/aiMetadataStore:AiMetadataStore"
SA = "hipaa-prod-workbench@nwh-analytics-prd.iam.gserviceaccount.com"


def workbench(environment: str = "prod") -> dict[str, Any]:
    return dict(only(list(built_vertex(environment)), WORKBENCH).inputs)


def test_workbench_has_no_public_ip_and_no_proxy() -> None:
    inputs = workbench()
    assert inputs["gceSetup"]["disablePublicIp"] is True
    assert inputs["gceSetup"]["enableIpForwarding"] is False
    assert inputs["disableProxyAccess"] is True
    assert inputs["gceSetup"]["networkInterfaces"] == [{"network": NETWORK, "subnet": SUBNET, "nicType": "GVNIC"}]


def test_workbench_admits_only_google_identities(stack: str) -> None:
    # Third-party (workforce federation) identities would reach PHI without a Google account the
    # org's groups, access levels and audit logs govern.
    assert workbench(stack)["enableThirdPartyIdentity"] is False


def test_workbench_disks_use_the_vertex_key() -> None:
    setup = workbench()["gceSetup"]
    for disk in (setup["bootDisk"], setup["dataDisks"]):
        assert disk["diskEncryption"] == "CMEK"
        assert disk["kmsKey"] == VERTEX_KEY


def test_workbench_is_shielded_and_runs_as_its_own_account() -> None:
    setup = workbench()["gceSetup"]
    assert setup["shieldedInstanceConfig"] == {
        "enableSecureBoot": True,
        "enableVtpm": True,
        "enableIntegrityMonitoring": True,
    }
    assert setup["serviceAccounts"] == [{"email": SA}]
    roles = sorted(m.inputs["role"] for m in of_type(list(built_vertex()), "gcp:projects/iAMMember:IAMMember"))
    assert roles == sorted(WORKBENCH_ROLES)


def test_workbench_metadata_disables_root_downloads_and_shuts_down_when_idle() -> None:
    metadata = workbench()["gceSetup"]["metadata"]
    assert metadata["notebook-disable-root"] == "true"
    assert metadata["notebook-disable-downloads"] == "true"
    assert metadata["notebook-disable-nbconvert"] == "true"
    assert metadata["block-project-ssh-keys"] == "true"
    assert metadata["idle-timeout-seconds"] == "3600"


def test_workbench_deletion_protection_in_prod_only() -> None:
    assert workbench("prod")["enableDeletionProtection"] is True
    assert workbench("dev")["enableDeletionProtection"] is False


def test_endpoint_is_private_on_the_peered_network_by_project_number() -> None:
    endpoint = only(list(built_vertex()), ENDPOINT).inputs
    assert endpoint["network"] == f"projects/{project_number('nwh-analytics-prd')}/global/networks/hipaa-prod-vpc"
    assert endpoint["encryptionSpec"] == {"kmsKeyName": VERTEX_KEY}
    assert endpoint["predictRequestResponseLoggingConfig"] == {"enabled": False}


def test_metadata_store_uses_the_vertex_key() -> None:
    store = only(list(built_vertex()), STORE).inputs
    assert store["encryptionSpec"] == {"kmsKeyName": VERTEX_KEY}
    assert store["region"] == "us-central1"


def test_peered_network_format() -> None:
    assert peered_network("42", "vpc") == "projects/42/global/networks/vpc"
