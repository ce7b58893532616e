"""Tests: unit tests with coverage, Great Expectations on BigQuery, the Dataproc integration run."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.model import Stage
from pipeline.steps import script_step
from pipeline.substitutions import ENV, MAIN_PY_URI, REGION, SUBNET

MIN_COVERAGE = "85"
DATAPROC_INTEGRATION = "dataproc-integration"


def unit_stage(toolchain: str, venv: str) -> Stage:
    unit = script_step("unit-tests", "run-unit-tests.sh", (ENV, MIN_COVERAGE), wait_for=(toolchain, venv), timeout=1200)
    data = script_step(
        "data-quality",
        "run-data-quality.sh",
        (ENV, "$PROJECT_ID", "${_BIGQUERY_DATASET}"),
        wait_for=(toolchain, venv),
        timeout=1200,
    )
    return Stage("tests", (unit, data))


def integration_stage(after: Sequence[str]) -> Stage:
    # It creates a cluster, so it is a deploying step: behind every pre-deploy gate, approval-checked
    # in prod by the script; in dev the cluster is ephemeral and the script tears it down. 45 minutes
    # covers creating the cluster, the sample job, the BigQuery ML check and the teardown.
    integration = script_step(
        DATAPROC_INTEGRATION,
        "run-dataproc-integration.sh",
        (ENV, "$PROJECT_ID", REGION, "${_KMS_KEYRING}", SUBNET, "${_BIGQUERY_DATASET}", MAIN_PY_URI),
        wait_for=after,
        timeout=2700,
    )
    return Stage("integration tests", (integration,))
