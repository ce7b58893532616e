"""ApiIdentity: one property per test; the manifests in workloads/k8s/ name the same identity."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.compute.gke import workload_pool_of
from infra.naming import api_service_account_email
from tests.conftest import planned
from tests.infra.compute.builders import built_api_identity
from tests.infra.recording import config_for, of_type, only

ACCOUNT = "gcp:serviceaccount/account:Account"
SA_MEMBER = "gcp:serviceaccount/iAMMember:IAMMember"
PROJECT_MEMBER = "gcp:projects/iAMMember:IAMMember"
DATASET_ACCESS = "gcp:bigquery/datasetAccess:DatasetAccess"
K8S = Path(__file__).resolve().parents[3] / "workloads" / "k8s"


def inputs(kind: str, environment: str = "prod") -> dict[str, Any]:
    return dict(only(list(built_api_identity(environment)), kind).inputs)


def manifest(kind: str, environment: str) -> dict[str, Any]:
    """The object of `kind` in workloads/k8s/, placeholders filled the way deploy-gke-hipaa.sh fills them."""
    config = config_for(environment)
    for path in sorted(K8S.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        text = text.replace("__PROJECT_ID__", config.project_id).replace("__ENVIRONMENT__", environment)
        for document in yaml.safe_load_all(text):
            if document and document["kind"] == kind:
                return dict(document)
    raise AssertionError(f"no {kind} in {K8S}")


def test_the_account_is_the_apis_own(stack: str) -> None:
    account = inputs(ACCOUNT, stack)
    assert account["accountId"] == f"hipaa-{stack}-api"
    assert account["project"] == config_for(stack).project_id
    assert account["createIgnoreAlreadyExists"] is False


def test_workload_identity_admits_exactly_the_apis_kubernetes_service_account(stack: str) -> None:
    project = config_for(stack).project_id
    grant = inputs(SA_MEMBER, stack)
    assert grant["role"] == "roles/iam.workloadIdentityUser"
    assert grant["member"] == f"serviceAccount:{project}.svc.id.goog[hipaa-api/hipaa-api]"
    assert grant["serviceAccountId"] == (
        f"projects/{project}/serviceAccounts/hipaa-{stack}-api@{project}.iam.gserviceaccount.com"
    )


def test_it_reads_the_deidentified_dataset_and_no_other() -> None:
    access = inputs(DATASET_ACCESS)
    # The environment's own project, never the provider's default one.
    assert access["project"] == "nwh-analytics-prd"
    assert access["datasetId"] == "hipaa_prod_deidentified"
    # READER is how BigQuery stores roles/bigquery.dataViewer on a dataset.
    assert access["role"] == "READER"
    assert access["userByEmail"] == "hipaa-prod-api@nwh-analytics-prd.iam.gserviceaccount.com"
    assert len(of_type(list(built_api_identity()), DATASET_ACCESS)) == 1


def test_its_only_project_role_is_bigquery_job_user() -> None:
    grants = of_type(list(built_api_identity()), PROJECT_MEMBER)
    assert [(g.inputs["role"], g.inputs["member"]) for g in grants] == [
        ("roles/bigquery.jobUser", "serviceAccount:hipaa-prod-api@nwh-analytics-prd.iam.gserviceaccount.com")
    ]


def test_a_cluster_without_a_workload_pool_is_refused() -> None:
    with pytest.raises(ValueError, match="no Workload Identity pool"):
        workload_pool_of(None)


def test_the_platform_binds_the_pool_of_its_own_cluster_and_its_deidentified_dataset(stack: str) -> None:
    project = config_for(stack).project_id
    resources = [r for r in planned(stack) if "api-identity" in r.urn]
    member = only(resources, SA_MEMBER).inputs["member"]
    assert member == f"serviceAccount:{project}.svc.id.goog[hipaa-api/hipaa-api]"
    assert only(resources, DATASET_ACCESS).inputs["datasetId"] == f"hipaa_{stack}_deidentified"


def test_the_manifests_annotate_the_kubernetes_service_account_with_this_account(stack: str) -> None:
    ksa = manifest("ServiceAccount", stack)
    assert (ksa["metadata"]["namespace"], ksa["metadata"]["name"]) == ("hipaa-api", "hipaa-api")
    annotation = ksa["metadata"]["annotations"]["iam.gke.io/gcp-service-account"]
    assert (
        annotation
        == api_service_account_email(config_for(stack))
        == inputs(SA_MEMBER, stack)["serviceAccountId"].rsplit("/", 1)[-1]
    )


def test_the_api_pods_run_as_that_kubernetes_service_account(stack: str) -> None:
    deployment = manifest("Deployment", stack)
    assert deployment["metadata"]["namespace"] == "hipaa-api"
    assert deployment["spec"]["template"]["spec"]["serviceAccountName"] == "hipaa-api"
