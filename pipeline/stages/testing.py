"""Tests: unit tests with coverage, Great Expectations on BigQuery, the Dataproc integration run, the BQML model."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.model import Stage, Step
from pipeline.steps import script_step
from pipeline.substitutions import ENV, MAIN_PY_URI, REGION, SUBNET

MIN_COVERAGE = "85"
DATAPROC_INTEGRATION = "dataproc-integration"
BQML_MODEL = "bqml-model"
INTEGRATION_JOB_SECONDS = 900


def unit_stage(toolchain: str, venv: str, tool_venvs: str) -> Stage:
    # The suite runs Checkov and Semgrep from the tool virtualenvs `make test` builds too.
    unit = script_step(
        "unit-tests",
        "run-unit-tests.sh",
        (ENV, MIN_COVERAGE),
        wait_for=(toolchain, venv, tool_venvs),
        timeout=1200,
        allow_failure=True,
    )
    data = script_step(
        "data-quality",
        "run-data-quality.sh",
        (ENV, "$PROJECT_ID", "${_BIGQUERY_DATASET}"),
        wait_for=(toolchain, venv),
        timeout=1200,
        allow_failure=True,
    )
    return Stage("tests", (unit, data))


def integration_stage(after: Sequence[str]) -> Stage:
    # It creates a cluster, so it is a deploying step: behind every pre-deploy gate, approval-checked
    # in prod by the script; in dev the cluster is ephemeral and the script tears it down. 30 minutes
    # cover creating the cluster, the sample job and the teardown; the script cancels the job itself
    # after 15, so the teardown still runs inside the step's time.
    integration = script_step(
        DATAPROC_INTEGRATION,
        "run-dataproc-integration.sh",
        (ENV, "$PROJECT_ID", REGION, "${_KMS_KEYRING}", SUBNET, "${_BIGQUERY_DATASET}", MAIN_PY_URI),
        wait_for=after,
        timeout=1800,
        extra_env=(f"DATAPROC_JOB_TIMEOUT_SECONDS={INTEGRATION_JOB_SECONDS}",),
    )
    return Stage("integration tests", (integration,))


def model_step(after: Sequence[str]) -> Step:
    """The BigQuery ML model: trains on the aggregates the integration job wrote, registers the model
    deploy-vertex deploys. It changes the environment, so it runs after `pulumi up` (never beside it),
    beside the application deploys; 15 minutes cover a small LINEAR_REG training, the Vertex AI
    registration and ML.EVALUATE."""
    return script_step(
        BQML_MODEL,
        "validate-bqml-model.sh",
        (ENV, "$PROJECT_ID", "${_KMS_KEYRING}"),
        wait_for=(DATAPROC_INTEGRATION, *after),
        timeout=900,
    )
