"""run-dataproc-integration.sh: ephemeral CMEK test cluster, the job with its real arguments, cluster always deleted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from infra.naming import dataproc_autoscaling_policy_id, dataproc_staging_bucket, dataproc_temp_bucket
from tests.infra.recording import config_for
from tests.scripts import deploy_fixtures as fx
from tests.scripts.fakes import FakeTools, Result

SCRIPT = "run-dataproc-integration.sh"
STEM = "run-dataproc-integration"
USAGE = (
    "usage: run-dataproc-integration.sh ENV PROJECT_ID DATAPROC_REGION KMS_KEYRING SUBNET BIGQUERY_DATASET MAIN_PY_URI"
)
FAST = {"DATAPROC_POLL_SECONDS": "0"}


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


def args(environment: str) -> tuple[str, ...]:
    return (
        environment,
        fx.PROJECTS[environment],
        fx.REGION,
        fx.keyring(environment),
        f"hipaa-{environment}-private",
        f"hipaa_{environment}_curated",
        f"gs://{fx.PROJECTS[environment]}-artifacts/jobs/sample_job.py",
    )


def integration_cluster(environment: str) -> Any:
    return fx.secure_mode_in_prod(fx.load(STEM, "cluster", environment), environment)


def answer(
    tools: FakeTools,
    environment: str = "dev",
    *,
    described: Any = None,
    final_state: str = "DONE",
    versions: Any = None,
) -> None:
    job = fx.load(STEM, "job", environment)
    key_versions = fx.load(STEM, "secret-versions", environment) if versions is None else versions
    tools.on("gcloud", ["secrets", "versions", "list", f"hipaa-{environment}-mrn-hmac-key"], stdout=key_versions)
    tools.on("gcloud", ["storage", "objects", "describe"], stdout=fx.kerberos_password_object(environment))
    tools.on("gcloud", ["dataproc", "clusters", "create"], stderr="Waiting for cluster creation operation...done.\n")
    tools.on("gcloud", ["dataproc", "clusters", "describe"], stdout=described or integration_cluster(environment))
    tools.on("gcloud", ["dataproc", "jobs", "submit", "pyspark"], stdout=job)
    tools.on("gcloud", ["dataproc", "jobs", "describe"], stdout=fx.with_value(job, "status.state", final_state))
    tools.on("gcloud", ["dataproc", "clusters", "delete"], stderr="Deleted [hipaa-dev-dataproc-it-b123].\n")


def run(tools: FakeTools, environment: str = "dev", **env: str) -> Result:
    return tools.run(SCRIPT, *args(environment), env={"OUTPUT_DIR": fx.wheel_hand_off(tools), **FAST, **env})


def deleted(tools: FakeTools, environment: str = "dev") -> bool:
    return tools.called("gcloud", "dataproc", "clusters", "delete", f"hipaa-{environment}-dataproc-it-b123")


def test_compliant_run_passes_and_deletes_the_test_cluster(tools: FakeTools) -> None:
    answer(tools)
    result = run(tools)
    assert result.returncode == 0, result.stderr
    assert result.reason == "run-dataproc-integration.sh: PASS: dataproc-integration: 14 checked, 0 violations"
    create = next(c.argv for c in tools.calls("gcloud") if c.argv[:3] == ["dataproc", "clusters", "create"])
    assert create[3] == "hipaa-dev-dataproc-it-b123"
    for flag in (
        "--no-address",
        "--subnet=hipaa-dev-private",
        f"--gce-pd-kms-key={fx.keyring('dev')}/cryptoKeys/compute-cmek",
        "--shielded-secure-boot",
        "--delete-max-idle=30m",
        "--delete-max-age=3h",
        # The same CMEK buckets and autoscaling policy as the environment's cluster (infra/compute/dataproc.py).
        f"--bucket={dataproc_staging_bucket(config_for('dev'))}",
        f"--temp-bucket={dataproc_temp_bucket(config_for('dev'))}",
        f"--autoscaling-policy=projects/nwh-analytics-dev/regions/us-central1/autoscalingPolicies/"
        f"{dataproc_autoscaling_policy_id(config_for('dev'))}",
    ):
        assert flag in create, flag
    submit = next(c.argv for c in tools.calls("gcloud") if c.argv[:4] == ["dataproc", "jobs", "submit", "pyspark"])
    assert submit[submit.index("--") + 1 :] == [
        "--project=nwh-analytics-dev",
        "--dataset=hipaa_dev_curated",
        "--output-dataset=hipaa_dev_deidentified",
        "--materialization-dataset=hipaa_dev_materialization",
        "--hmac-key-version=projects/nwh-analytics-dev/secrets/hipaa-dev-mrn-hmac-key/versions/2",
        f"--kms-key={fx.keyring('dev')}/cryptoKeys/bigquery-cmek",
    ]
    assert f"--py-files={fx.WHEEL}" in submit
    assert deleted(tools)
    evidence = tools.evidence_of("dataproc-integration")
    assert evidence["status"] == "pass" and evidence["checked"] == 14


@pytest.mark.parametrize(
    ("versions", "reason"),
    [
        ([], "secret hipaa-dev-mrn-hmac-key has no enabled version"),
        ("", "secret hipaa-dev-mrn-hmac-key versions: gcloud printed nothing"),
        ('[{"name": "projects/1/secrets/', "secret hipaa-dev-mrn-hmac-key versions: gcloud printed malformed JSON"),
    ],
)
def test_without_a_usable_key_version_no_cluster_is_created(tools: FakeTools, versions: Any, reason: str) -> None:
    answer(tools, versions=versions)
    result = run(tools)
    assert result.returncode == 1 and reason in result.reason
    assert not tools.called("gcloud", "clusters", "create")
    assert tools.evidence_of("dataproc-integration")["status"] == "fail"


def test_failed_sample_job_fails_and_deletes_the_cluster(tools: FakeTools) -> None:
    answer(tools, final_state="ERROR")
    result = run(tools)
    assert result.returncode == 1 and "ended ERROR, not DONE" in result.reason
    assert deleted(tools)


def test_create_failure_still_tries_to_delete_a_half_created_cluster(tools: FakeTools) -> None:
    tools.on("gcloud", ["secrets", "versions", "list"], stdout=fx.load(STEM, "secret-versions"))
    tools.on(
        "gcloud",
        ["dataproc", "clusters", "create"],
        exit=1,
        stderr="ERROR: (gcloud.dataproc.clusters.create) Operation timed out\n",
    )
    tools.on("gcloud", ["dataproc", "clusters", "delete"], exit=1, stderr="NOT_FOUND\n")
    result = run(tools)
    assert result.returncode == 1
    assert "FAIL: create cluster hipaa-dev-dataproc-it-b123: gcloud failed (exit 1)" in result.stderr
    assert deleted(tools)
    assert result.reason.endswith("WARNING: test cluster hipaa-dev-dataproc-it-b123 was not deleted (or never created)")
    assert tools.evidence_of("dataproc-integration")["status"] == "fail"


def test_non_compliant_test_cluster_runs_no_job(tools: FakeTools) -> None:
    answer(tools, described=fx.with_value(integration_cluster("dev"), "config.encryptionConfig", {}))
    result = run(tools)
    assert result.returncode == 1
    assert "test cluster hipaa-dev-dataproc-it-b123 is not compliant; sample job not run" in result.reason
    assert not tools.called("gcloud", "jobs", "submit")
    assert deleted(tools)


def test_failed_delete_after_a_good_run_fails_the_gate(tools: FakeTools) -> None:
    answer(tools)
    tools.rules["gcloud"] = [r for r in tools.rules["gcloud"] if "delete" not in r["match"]]
    tools.on("gcloud", ["dataproc", "clusters", "delete"], exit=1, stderr="PERMISSION_DENIED\n")
    result = run(tools)
    assert result.returncode == 1
    assert tools.evidence_of("dataproc-integration")["violations"] == [
        "test cluster hipaa-dev-dataproc-it-b123: delete failed; remove it by hand"
    ]


def test_prod_without_approval_creates_nothing(tools: FakeTools) -> None:
    tools.approve_build("")  # gcloud prints an empty state for a build without approval
    answer(tools, "prod")
    result = run(tools, "prod")
    assert result.returncode == 1 and "approval state is NONE, not APPROVED" in result.reason
    assert not tools.called("gcloud", "clusters", "create")
    assert not tools.called("gcloud", "jobs", "submit")


def test_prod_with_approval_runs_in_the_prod_perimeter(tools: FakeTools) -> None:
    tools.approve_build()
    answer(tools, "prod")
    result = run(tools, "prod")
    assert result.returncode == 0, result.stderr
    assert tools.called("gcloud", "clusters", "create", "hipaa-prod-dataproc-it-b123", "--subnet=hipaa-prod-private")
    # The test cluster has the prod cluster's shape, secure mode included.
    assert tools.called("gcloud", "clusters", "create", "hipaa-prod-dataproc-it-b123", "--enable-kerberos")
    password = "gs://nwh-analytics-prd-dataproc-kerberos/root-principal-password.encrypted"
    flag = f"--kerberos-root-principal-password-uri={password}"
    assert tools.called("gcloud", "clusters", "create", "hipaa-prod-dataproc-it-b123", flag)
    assert deleted(tools, "prod")


@pytest.mark.parametrize(
    ("position", "value", "named"),
    [
        (3, "hipaa-dev-keyring", "KMS_KEYRING="),
        (6, "gs://b-x/job.jar", "MAIN_PY_URI="),
        (5, "1-bad", "BIGQUERY_DATASET="),
    ],
)
def test_malformed_argument_exits_2(tools: FakeTools, position: int, value: str, named: str) -> None:
    bad = list(args("dev"))
    bad[position] = value
    result = tools.run(SCRIPT, *bad)
    assert result.returncode == 2 and named in result.stderr and result.reason == USAGE
    assert tools.calls() == []


def test_missing_argument_exits_2(tools: FakeTools) -> None:
    result = tools.run(SCRIPT, *args("dev")[:6])
    assert result.returncode == 2 and result.reason == USAGE
