"""Deployments, each through a deploying script that checks prod approval before it changes anything.

deploy-infra waits explicitly for every pre-deploy gate, the deploy verdict and the Dataproc
integration test, so nothing else runs while `pulumi up` does (a failing step makes Cloud Build cancel
the steps still running, and a cancelled `pulumi up` leaves pending operations in the stack). The
other deploys, and the BigQuery ML model deploy-vertex deploys, follow it. dev deploys on every
push to main, staging on release-candidate tags, prod on release tags once the build is approved
(the trigger filters, verify-release.sh and require_prod_approval agree on this).
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.model import Stage
from pipeline.stages.testing import BQML_MODEL, model_step
from pipeline.steps import API_IMAGE_REF, script_step
from pipeline.substitutions import (
    BACKEND_URL,
    DATAPROC_CLUSTER,
    ENV,
    MAIN_PY_URI,
    REGION,
    SUBNET,
    VERTEX_ENDPOINT,
    VERTEX_MODEL,
)

DEPLOY_INFRA = "deploy-infra"
DEPLOY_DATAPROC = "deploy-dataproc"
PYSPARK_JOB = "pyspark-job"
DEPLOY_GKE = "deploy-gke"


def stage(gates: Sequence[str], integration: str) -> Stage:
    infra = script_step(
        DEPLOY_INFRA,
        "deploy-infra.sh",
        (ENV, BACKEND_URL),
        wait_for=(*gates, integration),
        timeout=3600,
    )
    model = model_step(after=(DEPLOY_INFRA,))
    dataproc = script_step(
        DEPLOY_DATAPROC,
        "deploy-dataproc-hipaa.sh",
        (ENV, "$PROJECT_ID", REGION, DATAPROC_CLUSTER, "${_KMS_KEYRING}", SUBNET),
        wait_for=(DEPLOY_INFRA,),
        timeout=1800,
    )
    job = script_step(
        PYSPARK_JOB,
        "run-pyspark-job.sh",
        (ENV, "$PROJECT_ID", REGION, DATAPROC_CLUSTER, MAIN_PY_URI, "${_BIGQUERY_DATASET}"),
        wait_for=(DEPLOY_DATAPROC,),
        timeout=3600,
        # The script cancels a job still running after 50 minutes, before the step itself is killed.
        extra_env=("DATAPROC_JOB_TIMEOUT_SECONDS=3000",),
    )
    vertex = script_step(
        "deploy-vertex",
        "deploy-vertex-model.sh",
        (ENV, "$PROJECT_ID", REGION, VERTEX_ENDPOINT, VERTEX_MODEL),
        # The model is the one validate-bqml-model.sh trained, evaluated and registered.
        wait_for=(DEPLOY_INFRA, BQML_MODEL),
        timeout=2400,
    )
    gke = script_step(
        DEPLOY_GKE,
        "deploy-gke-hipaa.sh",
        (ENV, "$PROJECT_ID", "${_GKE_CLUSTER}", REGION, "workloads/k8s", API_IMAGE_REF),
        wait_for=(DEPLOY_INFRA,),
        timeout=1800,
    )
    return Stage("deploy", (infra, model, dataproc, job, vertex, gke))
