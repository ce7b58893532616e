"""OrgPolicies: each test states one constraint on the workload project and fails when it is removed."""

from __future__ import annotations

import pulumi
import pytest

from infra.security.org_constraints import CONSTRAINTS
from infra.security.org_policies import OrgPolicies
from tests.infra.recording import config_for
from tests.infra.security.builders import built_org_policies, org_policies_args

POLICY = "gcp:orgpolicy/policy:Policy"
ENFORCED = {"rules": [{"enforce": "TRUE"}]}


def policies(environment: str = "prod") -> dict[str, dict[str, object]]:
    """Policy inputs by constraint name."""
    return {
        str(r.inputs["name"]).rsplit("/policies/", 1)[-1]: dict(r.inputs)
        for r in built_org_policies(environment)
        if r.type == POLICY
    }


def spec(name: str, environment: str = "prod") -> object:
    return policies(environment)[name]["spec"]


def test_one_policy_per_listed_constraint_on_the_workload_project(stack: str) -> None:
    project = config_for(stack).project_id
    planned = policies(stack)
    assert sorted(planned) == sorted(item.name for item in CONSTRAINTS)
    for name, policy in planned.items():
        assert policy["parent"] == f"projects/{project}"
        assert policy["name"] == f"projects/{project}/policies/{name}"


def test_no_vm_gets_an_external_ip() -> None:
    assert spec("compute.vmExternalIpAccess") == {"rules": [{"denyAll": "TRUE"}]}


def test_public_access_prevention_is_enforced() -> None:
    assert spec("storage.publicAccessPrevention") == ENFORCED


def test_uniform_bucket_level_access_is_enforced() -> None:
    assert spec("storage.uniformBucketLevelAccess") == ENFORCED


def test_service_account_keys_cannot_be_created_or_uploaded() -> None:
    assert spec("iam.disableServiceAccountKeyCreation") == ENFORCED
    assert spec("iam.disableServiceAccountKeyUpload") == ENFORCED


def test_default_service_accounts_get_no_automatic_grants() -> None:
    assert spec("iam.automaticIamGrantsForDefaultServiceAccounts") == ENFORCED


def test_data_services_are_refused_without_cmek_on_top_of_the_parents_list() -> None:
    assert spec("gcp.restrictNonCmekServices") == {
        "inheritFromParent": True,
        "rules": [
            {
                "values": {
                    "deniedValues": [
                        "aiplatform.googleapis.com",
                        "artifactregistry.googleapis.com",
                        "bigquery.googleapis.com",
                        "compute.googleapis.com",
                        "container.googleapis.com",
                        "dataproc.googleapis.com",
                        "pubsub.googleapis.com",
                        "secretmanager.googleapis.com",
                        "storage.googleapis.com",
                    ]
                }
            }
        ],
    }


def test_cmek_keys_only_from_the_environments_own_project(stack: str) -> None:
    project = config_for(stack).project_id
    assert spec("gcp.restrictCmekCryptoKeyProjects", stack) == {
        "inheritFromParent": False,
        "rules": [{"values": {"allowedValues": [f"under:projects/{project}"]}}],
    }


def test_resource_locations_are_the_configured_ones_only(stack: str) -> None:
    assert spec("gcp.resourceLocations", stack) == {
        "inheritFromParent": False,
        "rules": [{"values": {"allowedValues": list(config_for(stack).allowed_locations)}}],
    }
    assert config_for(stack).allowed_locations == ("in:us-locations",)


def test_weak_tls_is_refused_by_google_apis() -> None:
    assert spec("gcp.restrictTLSVersion") == {
        "inheritFromParent": True,
        "rules": [{"values": {"deniedValues": ["TLS_VERSION_1", "TLS_VERSION_1_1"]}}],
    }


def test_os_login_and_shielded_vms_are_required() -> None:
    assert spec("compute.requireOsLogin") == ENFORCED
    assert spec("compute.requireShieldedVm") == ENFORCED


@pytest.mark.parametrize(
    "name",
    [
        "compute.disableSerialPortAccess",
        "compute.disableNestedVirtualization",
        "compute.disableVpcExternalIpv6",
        "sql.restrictPublicIp",
    ],
)
def test_compute_hardening_constraint_is_enforced(name: str) -> None:
    assert spec(name) == ENFORCED


def test_only_internal_load_balancers_and_forwarding_rules() -> None:
    assert spec("compute.restrictLoadBalancerCreationForTypes") == {
        "inheritFromParent": False,
        "rules": [{"values": {"allowedValues": ["in:INTERNAL"]}}],
    }
    assert spec("compute.restrictProtocolForwardingCreationForTypes") == {
        "inheritFromParent": False,
        "rules": [{"values": {"allowedValues": ["is:INTERNAL"]}}],
    }


def test_builds_run_only_on_the_private_pool(stack: str) -> None:
    project = config_for(stack).project_id
    assert spec("cloudbuild.allowedWorkerPools", stack) == {
        "inheritFromParent": False,
        "rules": [
            {
                "values": {
                    "allowedValues": [f"projects/{project}/locations/us-central1/workerPools/hipaa-{stack}-build-pool"]
                }
            }
        ],
    }


@pytest.mark.parametrize(
    "name", ["compute.restrictVpcPeering", "compute.vmCanIpForward", "compute.trustedImageProjects"]
)
def test_constraints_that_would_break_the_platform_are_not_set(name: str) -> None:
    # Vertex, service networking and the build pool peer; GKE nodes forward pod traffic; images
    # come from Google-owned projects.
    assert name not in policies()


def test_no_policy_is_reset_or_dry_run_only() -> None:
    for name, policy in policies().items():
        assert "reset" not in policy["spec"], name  # type: ignore[operator]
        assert "dryRunSpec" not in policy, name


@pulumi.runtime.test  # type: ignore[untyped-decorator]
def test_component_exposes_policies_by_constraint(mocked: None) -> pulumi.Output[None]:
    """Pulumi's own style: build the component under mocks and assert on its declared outputs."""
    org = OrgPolicies("unit", org_policies_args("prod"))
    assert sorted(org.policy_names) == sorted(item.name for item in CONSTRAINTS)

    def check(name: str) -> None:
        assert name == "projects/nwh-analytics-prd/policies/compute.vmExternalIpAccess"
        # The parent is the workload project (asserted on the inputs of every policy above).
        assert name.startswith("projects/nwh-analytics-prd/")

    checked: pulumi.Output[None] = org.policy_names["compute.vmExternalIpAccess"].apply(check)
    return checked


def test_unknown_constraint_name_is_refused() -> None:
    from infra.security.org_constraints import constraint

    assert constraint("compute.requireOsLogin").kind == "enforce"
    with pytest.raises(KeyError, match=r"compute\.requireOsLoginn"):
        constraint("compute.requireOsLoginn")
