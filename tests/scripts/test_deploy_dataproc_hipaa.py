"""deploy-dataproc-hipaa.sh: creates or updates the cluster, then proves it private, CMEK and shielded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from infra.naming import (
    dataproc_autoscaling_policy_id,
    dataproc_kerberos_password_uri,
    dataproc_staging_bucket,
    dataproc_temp_bucket,
)
from tests.infra.recording import config_for
from tests.scripts import deploy_fixtures as fx
from tests.scripts.fakes import FakeTools, Result

SCRIPT = "deploy-dataproc-hipaa.sh"
STEM = "deploy-dataproc-hipaa"
USAGE = "usage: deploy-dataproc-hipaa.sh ENV PROJECT_ID DATAPROC_REGION CLUSTER KMS_KEYRING SUBNET"


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


def args(environment: str) -> tuple[str, ...]:
    return (
        environment,
        fx.PROJECTS[environment],
        fx.REGION,
        f"hipaa-{environment}-dataproc",
        fx.keyring(environment),
        f"hipaa-{environment}-private",
    )


def cluster(environment: str) -> Any:
    return fx.dataproc_cluster(STEM, environment, idle_ttl="1800s" if environment == "dev" else None)


def deploy(tools: FakeTools, environment: str, *, existing: bool, described: Any = None) -> Result:
    live = cluster(environment) if described is None else described
    tools.on("gcloud", ["storage", "objects", "describe"], stdout=fx.kerberos_password_object(environment))
    tools.on("gcloud", ["dataproc", "clusters", "list"], stdout=[live] if existing else [])
    tools.on("gcloud", ["dataproc", "clusters", "create"], stderr="Waiting for cluster creation operation...done.\n")
    tools.on("gcloud", ["dataproc", "clusters", "update"], stderr="Waiting on operation...done.\n")
    tools.on("gcloud", ["dataproc", "clusters", "describe"], stdout=live)
    return tools.run(SCRIPT, *args(environment))


def same_as_infra(environment: str) -> tuple[str, ...]:
    """The create flags that name what infra/compute/dataproc.py made: its CMEK buckets and autoscaling policy."""
    config = config_for(environment)
    assert config.project_id == fx.PROJECTS[environment]
    return (
        f"--bucket={dataproc_staging_bucket(config)}",
        f"--temp-bucket={dataproc_temp_bucket(config)}",
        f"--autoscaling-policy=projects/{config.project_id}/regions/{fx.REGION}/autoscalingPolicies/"
        f"{dataproc_autoscaling_policy_id(config)}",
    )


def create_call(tools: FakeTools) -> list[str]:
    calls = [c.argv for c in tools.calls("gcloud") if c.argv[:3] == ["dataproc", "clusters", "create"]]
    assert len(calls) == 1
    return calls[0]


def test_dev_creates_an_ephemeral_private_cmek_shielded_cluster_and_passes(tools: FakeTools) -> None:
    result = deploy(tools, "dev", existing=False)
    assert result.returncode == 0, result.stderr
    assert result.reason == "deploy-dataproc-hipaa.sh: PASS: deploy-dataproc: 11 checked, 0 violations"
    create = create_call(tools)
    for flag in (
        "--no-address",
        "--subnet=hipaa-dev-private",
        f"--gce-pd-kms-key={fx.keyring('dev')}/cryptoKeys/compute-cmek",
        "--shielded-secure-boot",
        "--shielded-vtpm",
        "--shielded-integrity-monitoring",
        "--service-account=hipaa-dev-dataproc@nwh-analytics-dev.iam.gserviceaccount.com",
        "--delete-max-idle=30m",
        "--image-version=2.2-debian12",
        *same_as_infra("dev"),
    ):
        assert flag in create, flag
    assert "--enable-component-gateway" not in create
    evidence = tools.evidence_of("deploy-dataproc")
    assert evidence["status"] == "pass" and evidence["checked"] == 11 and evidence["violations"] == []


def test_staging_cluster_is_created_without_idle_deletion(tools: FakeTools) -> None:
    result = deploy(tools, "staging", existing=False)
    assert result.returncode == 0, result.stderr
    assert not any(flag.startswith("--delete-max-idle") for flag in create_call(tools))


def test_existing_cluster_is_updated_not_recreated(tools: FakeTools) -> None:
    result = deploy(tools, "dev", existing=True)
    assert result.returncode == 0, result.stderr
    assert tools.called("gcloud", "clusters", "update", "hipaa-dev-dataproc", "--delete-max-idle=30m")
    assert not tools.called("gcloud", "clusters", "create")


def test_prod_with_approval_updates_and_removes_idle_deletion(tools: FakeTools) -> None:
    tools.approve_build("APPROVED")
    result = deploy(tools, "prod", existing=True)
    assert result.returncode == 0, result.stderr
    assert tools.called("gcloud", "builds", "describe", "b-123")
    assert tools.called("gcloud", "clusters", "update", "hipaa-prod-dataproc", "--no-delete-max-idle")
    assert tools.evidence_of("deploy-dataproc")["environment"] == "prod"


def test_prod_creates_a_kerberos_cluster_with_the_kms_encrypted_password_object(tools: FakeTools) -> None:
    tools.approve_build("APPROVED")
    result = deploy(tools, "prod", existing=False)
    assert result.returncode == 0, result.stderr
    assert result.reason == "deploy-dataproc-hipaa.sh: PASS: deploy-dataproc: 12 checked, 0 violations"
    create = create_call(tools)
    password = dataproc_kerberos_password_uri(config_for("prod"))
    assert password == "gs://nwh-analytics-prd-dataproc-kerberos/root-principal-password.encrypted"
    assert "--enable-kerberos" in create
    assert f"--kerberos-root-principal-password-uri={password}" in create
    assert f"--kerberos-kms-key={fx.keyring('prod')}/cryptoKeys/secrets-cmek" in create
    # The object's metadata is read before the cluster is asked for; never its content.
    assert tools.called("gcloud", "storage", "objects", "describe", password, "--format=json")
    assert not tools.called("gcloud", "storage", "cat")


def test_prod_without_the_encrypted_password_object_creates_no_cluster(tools: FakeTools) -> None:
    tools.approve_build("APPROVED")
    tools.on(
        "gcloud",
        ["storage", "objects", "describe"],
        stderr="ERROR: (gcloud.storage.objects.describe) The following URLs matched no objects or files:\n",
        exit=1,
    )
    result = deploy(tools, "prod", existing=False)
    assert result.returncode != 0
    assert "Kerberos root principal password gs://nwh-analytics-prd-dataproc-kerberos/" in result.reason
    assert "encrypt and upload it first: README" in result.reason
    assert not tools.called("gcloud", "dataproc", "clusters", "create")


def test_dev_and_staging_clusters_are_not_kerberized(tools: FakeTools) -> None:
    result = deploy(tools, "staging", existing=False)
    assert result.returncode == 0, result.stderr
    assert not any("kerberos" in flag for flag in create_call(tools))


def test_a_prod_cluster_without_kerberos_fails_the_gate(tools: FakeTools) -> None:
    tools.approve_build("APPROVED")
    insecure = fx.without(cluster("prod"), "config.securityConfig")
    result = deploy(tools, "prod", existing=True, described=insecure)
    assert result.returncode == 1
    assert tools.evidence_of("deploy-dataproc")["violations"] == [
        "cluster hipaa-prod-dataproc: Kerberos (secure mode) is off; prod clusters must authenticate with Kerberos"
    ]


def test_prod_without_approval_refuses_before_any_change(tools: FakeTools) -> None:
    tools.approve_build("PENDING")
    result = deploy(tools, "prod", existing=False)
    assert result.returncode == 1
    assert "prod deploy refused: build b-123 approval state is PENDING, not APPROVED" in result.reason
    assert not tools.called("gcloud", "clusters", "create")
    assert not tools.called("gcloud", "clusters", "update")
    assert tools.evidence_of("deploy-dataproc")["status"] == "fail"


def test_a_live_cluster_lacking_one_property_fails_the_gate(tools: FakeTools) -> None:
    public = fx.with_value(cluster("dev"), "config.gceClusterConfig.internalIpOnly", False)
    result = deploy(tools, "dev", existing=True, described=public)
    assert result.returncode == 1
    assert result.reason == "deploy-dataproc-hipaa.sh: FAIL: deploy-dataproc: 1 violation(s) in 11 checked"
    assert tools.evidence_of("deploy-dataproc")["violations"] == [
        "cluster hipaa-dev-dataproc: internalIpOnly is not true (VMs get public IPs)"
    ]


def test_every_missing_property_is_named(tools: FakeTools) -> None:
    broken = cluster("dev")
    for path, value in (
        ("status.state", "ERROR"),
        (
            "config.encryptionConfig.gcePdKmsKeyName",
            f"{fx.keyring('dev').replace('hipaa-dev-keyring', 'other')}/cryptoKeys/k",
        ),
        ("config.gceClusterConfig.shieldedInstanceConfig.enableSecureBoot", False),
        ("config.gceClusterConfig.serviceAccount", "123-compute@developer.gserviceaccount.com"),
        (
            "config.gceClusterConfig.subnetworkUri",
            "https://www.googleapis.com/compute/v1/projects/nwh-analytics-dev/regions/us-central1/subnetworks/default",
        ),
        ("config.endpointConfig", {"enableHttpPortAccess": True}),
        ("config.lifecycleConfig", {}),
        ("config.configBucket", "dataproc-staging-us-central1-123456789-abcdefgh"),
        ("config.tempBucket", "dataproc-temp-us-central1-123456789-abcdefgh"),
        ("config.autoscalingConfig", {}),
    ):
        broken = fx.with_value(broken, path, value)
    result = deploy(tools, "dev", existing=True, described=broken)
    assert result.returncode == 1
    prefix = "cluster hipaa-dev-dataproc: "
    assert tools.evidence_of("deploy-dataproc")["violations"] == [
        prefix + "state is ERROR, not RUNNING",
        prefix
        + f"disk key 'projects/nwh-analytics-dev/locations/us-central1/keyRings/other/cryptoKeys/k' is not a CMEK"
        f" key from {fx.keyring('dev')}",
        prefix + "shielded VM secure boot, vTPM and integrity monitoring are not all on",
        prefix + "runs as '123-compute@developer.gserviceaccount.com', not hipaa-dev-dataproc@nwh-analytics-dev.iam"
        ".gserviceaccount.com",
        prefix + "not on subnet hipaa-dev-private of nwh-analytics-dev",
        prefix + "component gateway is on (web UIs behind a Google proxy)",
        prefix + "idle-delete TTL is 'none', expected '1800s' in dev",
        prefix + "staging bucket is 'dataproc-staging-us-central1-123456789-abcdefgh', not the CMEK bucket"
        " nwh-analytics-dev-dataproc-staging",
        prefix + "temp bucket is 'dataproc-temp-us-central1-123456789-abcdefgh', not the CMEK bucket"
        " nwh-analytics-dev-dataproc-temp",
        prefix + "autoscaling policy is 'none', not hipaa-dev-autoscaling",
    ]


@pytest.mark.parametrize("environment", ["staging", "prod"])
def test_every_environment_creates_its_cluster_on_its_own_buckets_and_policy(
    tools: FakeTools, environment: str
) -> None:
    tools.approve_build()
    result = deploy(tools, environment, existing=False)
    assert result.returncode == 0, result.stderr
    create = create_call(tools)
    for flag in same_as_infra(environment):
        assert flag in create, flag


@pytest.mark.parametrize(
    "policy_uri",
    [
        "projects/nwh-analytics-dev/regions/us-central1/autoscalingPolicies/hipaa-dev-autoscaling",
        "projects/nwh-analytics-dev/locations/us-central1/autoscalingPolicies/hipaa-dev-autoscaling",
        "https://dataproc.googleapis.com/v1/projects/nwh-analytics-dev/locations/us-central1/autoscalingPolicies/"
        "hipaa-dev-autoscaling",
    ],
)
def test_the_policy_is_recognised_in_each_form_the_api_returns(tools: FakeTools, policy_uri: str) -> None:
    live = fx.with_value(cluster("dev"), "config.autoscalingConfig.policyUri", policy_uri)
    assert deploy(tools, "dev", existing=True, described=live).returncode == 0


@pytest.mark.parametrize(
    ("path", "value", "violation"),
    [
        (
            "config.configBucket",
            "nwh-analytics-stg-dataproc-staging",
            "staging bucket is 'nwh-analytics-stg-dataproc-staging'",
        ),
        (
            "config.tempBucket",
            "nwh-analytics-dev-dataproc-staging",
            "temp bucket is 'nwh-analytics-dev-dataproc-staging'",
        ),
        (
            "config.autoscalingConfig.policyUri",
            "projects/nwh-analytics-dev/regions/us-central1/autoscalingPolicies/hipaa-dev-autoscaling-old",
            "autoscaling policy is 'projects/nwh-analytics-dev/regions/us-central1/autoscalingPolicies/"
            "hipaa-dev-autoscaling-old'",
        ),
    ],
)
def test_a_cluster_drifted_from_infra_fails(tools: FakeTools, path: str, value: str, violation: str) -> None:
    result = deploy(tools, "dev", existing=True, described=fx.with_value(cluster("dev"), path, value))
    assert result.returncode == 1
    [found] = tools.evidence_of("deploy-dataproc")["violations"]
    assert found.startswith(f"cluster hipaa-dev-dataproc: {violation}")


def test_create_failure_fails_with_the_tool_error(tools: FakeTools) -> None:
    tools.on("gcloud", ["dataproc", "clusters", "list"], stdout=[])
    tools.on(
        "gcloud",
        ["dataproc", "clusters", "create"],
        exit=1,
        stderr="ERROR: (gcloud.dataproc.clusters.create) PERMISSION_DENIED: Required 'compute.subnetworks.use'\n",
    )
    result = tools.run(SCRIPT, *args("dev"))
    assert result.returncode == 1
    assert result.reason.startswith(
        "deploy-dataproc-hipaa.sh: FAIL: create cluster hipaa-dev-dataproc: gcloud failed (exit 1): ERROR:"
    )
    assert not tools.called("gcloud", "clusters", "describe")
    assert tools.evidence_of("deploy-dataproc")["status"] == "fail"


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ({"stdout": ""}, "describe cluster hipaa-dev-dataproc: gcloud printed nothing"),
        ({"stdout": '{"clusterName": "hipaa-dev-dataproc", "config": {'}, "printed malformed JSON"),
        ({"stdout": "[]"}, "describe cluster hipaa-dev-dataproc: unexpected JSON shape"),
    ],
)
def test_empty_or_malformed_describe_fails_closed(tools: FakeTools, answer: dict[str, str], reason: str) -> None:
    tools.on("gcloud", ["dataproc", "clusters", "list"], stdout=[cluster("dev")])
    tools.on("gcloud", ["dataproc", "clusters", "update"])
    tools.on("gcloud", ["dataproc", "clusters", "describe"], **answer)  # type: ignore[arg-type]
    result = tools.run(SCRIPT, *args("dev"))
    assert result.returncode == 1
    assert reason in result.reason
    evidence = tools.evidence_of("deploy-dataproc")
    assert evidence["status"] == "fail" and evidence["checked"] == 0


def test_empty_cluster_list_output_fails_closed(tools: FakeTools) -> None:
    tools.on("gcloud", ["dataproc", "clusters", "list"], stdout="")
    result = tools.run(SCRIPT, *args("dev"))
    assert result.returncode == 1 and "cluster list: gcloud printed nothing" in result.reason
    assert not tools.called("gcloud", "clusters", "create")


@pytest.mark.parametrize(
    ("position", "value", "named"),
    [
        (4, "projects/p/keyRings/x", "KMS_KEYRING="),
        (2, "US_CENTRAL1", "DATAPROC_REGION="),
        (3, "Hipaa_Cluster", "CLUSTER="),
        (1, "bad project", "PROJECT_ID="),
        (0, "qa", "ENV must be dev, staging or prod"),
    ],
)
def test_malformed_argument_exits_2_naming_it(tools: FakeTools, position: int, value: str, named: str) -> None:
    bad = list(args("dev"))
    bad[position] = value
    result = tools.run(SCRIPT, *bad)
    assert result.returncode == 2
    assert named in result.stderr and result.reason == USAGE
    assert tools.calls() == []


def test_missing_argument_exits_2(tools: FakeTools) -> None:
    result = tools.run(SCRIPT, *args("dev")[:5])
    assert result.returncode == 2 and "expected 6 arguments, got 5" in result.stderr
    assert result.reason == USAGE
