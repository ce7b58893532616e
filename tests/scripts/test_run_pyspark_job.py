"""run-pyspark-job.sh: submits to a compliant cluster, waits for DONE, never prints driver output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from infra.naming import dataset_id, deidentified_dataset, keyring_path, materialization_dataset, mrn_hmac_secret_path
from tests.infra.recording import config_for
from tests.scripts import deploy_fixtures as fx
from tests.scripts.fakes import FakeTools, Result

SCRIPT = "run-pyspark-job.sh"
STEM = "run-pyspark-job"
USAGE = "usage: run-pyspark-job.sh ENV PROJECT_ID DATAPROC_REGION CLUSTER MAIN_PY_URI BIGQUERY_DATASET"
FAST = {"DATAPROC_POLL_SECONDS": "0"}


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


def args(environment: str) -> tuple[str, ...]:
    return (
        environment,
        fx.PROJECTS[environment],
        fx.REGION,
        f"hipaa-{environment}-dataproc",
        f"gs://{fx.PROJECTS[environment]}-artifacts/jobs/deidentify.py",
        f"hipaa_{environment}_curated",
    )


def job(environment: str, state: str) -> Any:
    return fx.with_value(fx.load(STEM, "job", environment), "status.state", state)


def cluster(environment: str) -> Any:
    return fx.dataproc_cluster(STEM, environment, idle_ttl="1800s" if environment == "dev" else None)


def key_versions(tools: FakeTools, environment: str = "dev", versions: Any = None) -> None:
    """`gcloud secrets versions list` of the MRN HMAC key: version 2 enabled, version 1 disabled."""
    answer_ = fx.load(STEM, "secret-versions", environment) if versions is None else versions
    tools.on("gcloud", ["secrets", "versions", "list", f"hipaa-{environment}-mrn-hmac-key"], stdout=answer_)


def answer(
    tools: FakeTools,
    environment: str = "dev",
    *,
    described: Any = None,
    states: tuple[str, ...] = ("DONE",),
    versions: Any = None,
) -> None:
    tools.on(
        "gcloud", ["dataproc", "clusters", "describe"], stdout=cluster(environment) if described is None else described
    )
    key_versions(tools, environment, versions)
    tools.on("gcloud", ["dataproc", "jobs", "submit", "pyspark"], stdout=job(environment, "PENDING"))
    for state in states[:-1]:
        tools.on("gcloud", ["dataproc", "jobs", "describe"], stdout=job(environment, state), times=1)
    tools.on("gcloud", ["dataproc", "jobs", "describe"], stdout=job(environment, states[-1]))


def run(tools: FakeTools, environment: str = "dev", **env: str) -> Result:
    return tools.run(SCRIPT, *args(environment), env={"OUTPUT_DIR": fx.wheel_hand_off(tools), **FAST, **env})


def submit_call(tools: FakeTools) -> list[str]:
    calls = [c.argv for c in tools.calls("gcloud") if c.argv[:4] == ["dataproc", "jobs", "submit", "pyspark"]]
    assert len(calls) == 1
    return calls[0]


def test_job_on_a_compliant_cluster_runs_to_done_and_passes(tools: FakeTools) -> None:
    answer(tools, states=("RUNNING", "RUNNING", "DONE"))
    result = run(tools)
    assert result.returncode == 0, result.stderr
    assert result.reason == "run-pyspark-job.sh: PASS: pyspark-job: 14 checked, 0 violations"
    submit = submit_call(tools)
    assert f"--py-files={fx.WHEEL}" in submit and "--async" in submit and "--format=json" in submit
    # Exactly the arguments hipaa_spark/job.py requires; the key version is pinned, never `latest`.
    assert submit[submit.index("--") + 1 :] == [
        "--project=nwh-analytics-dev",
        "--dataset=hipaa_dev_curated",
        "--output-dataset=hipaa_dev_deidentified",
        "--materialization-dataset=hipaa_dev_materialization",
        "--hmac-key-version=projects/nwh-analytics-dev/secrets/hipaa-dev-mrn-hmac-key/versions/2",
        f"--kms-key={fx.keyring('dev')}/cryptoKeys/bigquery-cmek",
    ]
    # The 2.2 image ships the BigQuery connector; no jar from gs://spark-lib outside the perimeter.
    assert not any(flag.startswith("--jars") for flag in submit)
    assert len([c for c in tools.calls("gcloud") if c.argv[:3] == ["dataproc", "jobs", "describe"]]) == 3
    evidence = tools.evidence_of("pyspark-job")
    assert evidence["status"] == "pass" and evidence["checked"] == 14


@pytest.mark.parametrize("environment", ["dev", "staging", "prod"])
def test_the_job_gets_the_names_infra_gives_its_datasets_key_and_secret(tools: FakeTools, environment: str) -> None:
    config = config_for(environment)
    tools.approve_build()
    answer(tools, environment)
    assert run(tools, environment).returncode == 0
    submit = submit_call(tools)
    assert submit[submit.index("--") + 1 :] == [
        f"--project={config.project_id}",
        f"--dataset={dataset_id(config, 'curated')}",
        f"--output-dataset={deidentified_dataset(config)}",
        f"--materialization-dataset={materialization_dataset(config)}",
        f"--hmac-key-version={mrn_hmac_secret_path(config)}/versions/2",
        f"--kms-key={keyring_path(config)}/cryptoKeys/bigquery-cmek",
    ]


def test_the_job_arguments_parse_with_the_jobs_own_parser(tools: FakeTools) -> None:
    job_module = pytest.importorskip("hipaa_spark.job")
    answer(tools, "prod")
    tools.approve_build()
    assert run(tools, "prod").returncode == 0
    submit = submit_call(tools)
    parsed = job_module.parse_args(submit[submit.index("--") + 1 :])
    assert parsed.hmac_key_version == "projects/nwh-analytics-prd/secrets/hipaa-prod-mrn-hmac-key/versions/2"
    assert (parsed.dataset, parsed.output_dataset) == ("hipaa_prod_curated", "hipaa_prod_deidentified")
    assert parsed.materialization_dataset == "hipaa_prod_materialization"


def disabled(environment: str = "dev") -> Any:
    return [fx.with_value(v, "state", "DISABLED") for v in fx.load(STEM, "secret-versions", environment)]


@pytest.mark.parametrize(
    ("versions", "reason"),
    [
        ([], "secret hipaa-dev-mrn-hmac-key has no enabled version; add the key once"),
        ("disabled", "secret hipaa-dev-mrn-hmac-key has no enabled version"),
        ("two-enabled", "secret hipaa-dev-mrn-hmac-key has 2 enabled versions; disable all but the one"),
        (
            [{"state": "ENABLED", "name": "projects/1/secrets/hipaa-dev-mrn-hmac-key/versions/latest"}],
            "no numeric name",
        ),
    ],
)
def test_no_single_enabled_key_version_submits_nothing(tools: FakeTools, versions: Any, reason: str) -> None:
    if versions == "disabled":
        versions = disabled()
    elif versions == "two-enabled":
        versions = [fx.with_value(v, "state", "ENABLED") for v in fx.load(STEM, "secret-versions")]
    answer(tools, versions=versions)
    result = run(tools)
    assert result.returncode == 1 and reason in result.reason
    assert not tools.called("gcloud", "jobs", "submit")
    assert tools.evidence_of("pyspark-job")["status"] == "fail"


@pytest.mark.parametrize(
    ("stdout", "exit_code", "reason"),
    [
        ("", 0, "secret hipaa-dev-mrn-hmac-key versions: gcloud printed nothing"),
        ('[{"state": "ENAB', 0, "secret hipaa-dev-mrn-hmac-key versions: gcloud printed malformed JSON"),
        ('{"state": "ENABLED"}', 0, "secret hipaa-dev-mrn-hmac-key versions: expected a JSON array"),
        ("", 1, "secret hipaa-dev-mrn-hmac-key versions: gcloud failed (exit 1): ERROR: PERMISSION_DENIED"),
    ],
)
def test_key_version_listing_that_fails_or_is_malformed_submits_nothing(
    tools: FakeTools, stdout: str, exit_code: int, reason: str
) -> None:
    tools.on("gcloud", ["dataproc", "clusters", "describe"], stdout=cluster("dev"))
    tools.on(
        "gcloud", ["secrets", "versions", "list"], stdout=stdout, exit=exit_code, stderr="ERROR: PERMISSION_DENIED\n"
    )
    result = run(tools)
    assert result.returncode == 1 and reason in result.reason
    assert not tools.called("gcloud", "jobs", "submit")


def test_the_job_never_reads_the_dataset_it_writes(tools: FakeTools) -> None:
    answer(tools)
    bad = list(args("dev"))
    bad[5] = "hipaa_dev_deidentified"
    result = tools.run(SCRIPT, *bad, env={"OUTPUT_DIR": fx.wheel_hand_off(tools), **FAST})
    assert result.returncode == 1 and "it must read from another dataset" in result.reason
    assert not tools.called("gcloud", "jobs", "submit")


def test_failed_job_fails_without_printing_driver_output(tools: FakeTools) -> None:
    failed = fx.with_value(job("dev", "ERROR"), "status.details", f"Traceback: {fx.DRIVER_LINE}")
    tools.on("gcloud", ["dataproc", "clusters", "describe"], stdout=cluster("dev"))
    key_versions(tools)
    tools.on("gcloud", ["dataproc", "jobs", "submit", "pyspark"], stdout=job("dev", "PENDING"))
    tools.on("gcloud", ["dataproc", "jobs", "describe"], stdout=failed)
    result = run(tools)
    assert result.returncode == 1
    assert "job 3f9c2b7e0d6a4e21b8c5a1d7e4f06b93 ended ERROR, not DONE" in result.reason
    evidence_text = (tools.evidence / "pyspark-job.json").read_text()
    fx.assert_no_data_leak(result.stdout, result.stderr, evidence_text)
    assert tools.evidence_of("pyspark-job")["status"] == "fail"


def test_a_non_compliant_cluster_gets_no_job(tools: FakeTools) -> None:
    answer(tools, described=fx.with_value(cluster("dev"), "config.gceClusterConfig.internalIpOnly", False))
    result = run(tools)
    assert result.returncode == 1
    assert "cluster hipaa-dev-dataproc is not compliant; job not submitted" in result.reason
    assert not tools.called("gcloud", "jobs", "submit")
    assert any("internalIpOnly is not true" in v for v in tools.evidence_of("pyspark-job")["violations"])


def test_an_image_without_the_bigquery_connector_gets_no_job(tools: FakeTools) -> None:
    answer(tools, described=fx.with_value(cluster("dev"), "config.softwareConfig.imageVersion", "2.0.89-debian10"))
    result = run(tools)
    assert result.returncode == 1
    assert not tools.called("gcloud", "jobs", "submit")
    assert any("predates 2.1" in v for v in tools.evidence_of("pyspark-job")["violations"])


def test_prod_without_approval_submits_nothing(tools: FakeTools) -> None:
    tools.approve_build("REJECTED")
    answer(tools, "prod")
    result = run(tools, "prod")
    assert result.returncode == 1 and "approval state is REJECTED" in result.reason
    assert not tools.called("gcloud", "jobs", "submit")
    assert not tools.called("gcloud", "clusters", "describe")


def test_prod_with_approval_runs_the_job_with_a_pinned_connector(tools: FakeTools) -> None:
    jar = "gs://nwh-analytics-prd-artifacts/jars/spark-3.5-bigquery-0.42.1.jar"
    tools.approve_build()
    answer(tools, "prod")
    result = run(tools, "prod", BIGQUERY_CONNECTOR_JAR=jar)
    assert result.returncode == 0, result.stderr
    submit = submit_call(tools)
    assert "--dataset=hipaa_prod_curated" in submit and f"--jars={jar}" in submit


def test_a_connector_that_is_not_a_gcs_jar_is_refused(tools: FakeTools) -> None:
    answer(tools)
    result = run(tools, BIGQUERY_CONNECTOR_JAR="https://repo1.maven.org/spark-bigquery.jar")
    assert result.returncode == 1 and "BIGQUERY_CONNECTOR_JAR" in result.reason
    assert not tools.called("gcloud", "jobs", "submit")


def test_submit_failure_fails_with_the_tool_error(tools: FakeTools) -> None:
    tools.on("gcloud", ["dataproc", "clusters", "describe"], stdout=cluster("dev"))
    key_versions(tools)
    tools.on(
        "gcloud",
        ["dataproc", "jobs", "submit"],
        exit=1,
        stderr="ERROR: (gcloud.dataproc.jobs.submit.pyspark) NOT_FOUND: Cluster not found\n",
    )
    result = run(tools)
    assert result.returncode == 1
    assert "submit job: gcloud failed (exit 1): ERROR: (gcloud.dataproc.jobs.submit.pyspark) NOT_FOUND" in result.reason


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        ("", "job 3f9c2b7e0d6a4e21b8c5a1d7e4f06b93 status: gcloud printed nothing"),
        ('{"status": {"state": "DO', "printed malformed JSON"),
        ('{"reference": {"jobId": "x"}}', "no status.state in the response"),
        ('{"status": {"state": "EXPLODED"}}', "unknown state 'EXPLODED'"),
    ],
)
def test_empty_or_malformed_job_status_fails_closed(tools: FakeTools, status: str, reason: str) -> None:
    tools.on("gcloud", ["dataproc", "clusters", "describe"], stdout=cluster("dev"))
    key_versions(tools)
    tools.on("gcloud", ["dataproc", "jobs", "submit", "pyspark"], stdout=job("dev", "PENDING"))
    tools.on("gcloud", ["dataproc", "jobs", "describe"], stdout=status)
    result = run(tools)
    assert result.returncode == 1 and reason in result.reason
    assert tools.evidence_of("pyspark-job")["status"] == "fail"


def test_submit_response_without_a_job_id_fails(tools: FakeTools) -> None:
    tools.on("gcloud", ["dataproc", "clusters", "describe"], stdout=cluster("dev"))
    key_versions(tools)
    tools.on("gcloud", ["dataproc", "jobs", "submit", "pyspark"], stdout={"status": {"state": "PENDING"}})
    result = run(tools)
    assert result.returncode == 1 and "submit job: no job id in the response" in result.reason


def test_job_that_never_finishes_is_cancelled_and_fails(tools: FakeTools) -> None:
    answer(tools, states=("RUNNING",))
    tools.on("gcloud", ["dataproc", "jobs", "kill"])
    result = run(tools, DATAPROC_JOB_TIMEOUT_SECONDS="2")
    assert result.returncode == 1
    assert "did not finish within 2s (last state RUNNING); cancelled" in result.reason
    assert tools.called("gcloud", "jobs", "kill", "3f9c2b7e0d6a4e21b8c5a1d7e4f06b93")


@pytest.mark.parametrize("content", [None, "", "https://example.org/hipaa_jobs.whl", "gs://bucket-x/jobs/archive.zip"])
def test_missing_or_bad_wheel_hand_off_fails_before_submitting(tools: FakeTools, content: str | None) -> None:
    answer(tools)
    outputs = tools.root / "outputs"
    outputs.mkdir()
    if content is not None:
        (outputs / "spark-wheel").write_text(content)
    result = tools.run(SCRIPT, *args("dev"), env={"OUTPUT_DIR": str(outputs), **FAST})
    assert result.returncode == 1
    assert "spark-wheel" in result.reason
    assert not tools.called("gcloud", "jobs", "submit")


@pytest.mark.parametrize(
    ("position", "value", "named"),
    [
        (4, "gs://nwh-analytics-dev-artifacts/jobs/deidentify.sh", "MAIN_PY_URI="),
        (4, "/workspace/deidentify.py", "MAIN_PY_URI="),
        (5, "hipaa-dev-curated", "BIGQUERY_DATASET="),
        (3, "", "argument 4 is empty"),
    ],
)
def test_malformed_argument_exits_2_naming_it(tools: FakeTools, position: int, value: str, named: str) -> None:
    bad = list(args("dev"))
    bad[position] = value
    result = tools.run(SCRIPT, *bad)
    assert result.returncode == 2 and named in result.stderr and result.reason == USAGE
    assert tools.calls() == []


def test_missing_argument_exits_2(tools: FakeTools) -> None:
    result = tools.run(SCRIPT, "dev")
    assert result.returncode == 2 and result.reason == USAGE
