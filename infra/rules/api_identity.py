"""Rules for the identities pods act as: one KSA per Workload Identity grant, and an API that reads
de-identified data only (no project-level data role, no dataset grant beyond read on `deidentified`)."""

from __future__ import annotations

import re

from infra.rules import Context, Resource, Rule

SA_IAM_MEMBER = "gcp:serviceaccount/iAMMember:IAMMember"
SA_IAM_BINDING = "gcp:serviceaccount/iAMBinding:IAMBinding"
PROJECT_IAM_MEMBER = "gcp:projects/iAMMember:IAMMember"
PROJECT_IAM_BINDING = "gcp:projects/iAMBinding:IAMBinding"
DATASET_ACCESS = "gcp:bigquery/datasetAccess:DatasetAccess"
DATASET_IAM_MEMBER = "gcp:bigquery/datasetIamMember:DatasetIamMember"
DATASET_IAM_BINDING = "gcp:bigquery/datasetIamBinding:DatasetIamBinding"
WORKLOAD_IDENTITY_ROLE = "roles/iam.workloadIdentityUser"
# The only project-level role the API's account may hold: it runs queries, it reads no data by itself.
API_PROJECT_ROLES = ("roles/bigquery.jobUser",)
# Read on one dataset, written the way BigQuery stores it (READER) or as the IAM role.
API_DATASET_ROLES = ("READER", "roles/bigquery.dataViewer")
# One namespace and one KSA, both DNS labels: no wildcard, no whole-pool principalSet.
_ONE_KSA = re.compile(
    r"^serviceAccount:[a-z][a-z0-9-]{4,28}[a-z0-9]\.svc\.id\.goog\[([a-z0-9-]{1,63}/[a-z0-9.-]{1,253})\]$"
)
# The API's Kubernetes service account as the deployed manifest names it (workloads/k8s/serviceaccount.yaml,
# `namespace/name`); tests/infra/rules/test_api_identity.py holds the two together.
API_KSA = "hipaa-api/hipaa-api"
ACCESS = "45 CFR 164.312(a)(1)"
MINIMUM_NECESSARY = "45 CFR 164.308(a)(4)(ii)(B)"


def _members(resource: Resource) -> list[str]:
    members = resource.inputs.get("members")
    if members is None:
        members = [resource.inputs.get("member")]
    return [str(m) for m in members if m is not None]


def _api_account(environment: str) -> str:
    """The API's service account email prefix (infra/naming.py::api_service_account_id)."""
    return f"hipaa-{environment}-api@"


def one_ksa_per_grant(resource: Resource, context: Context) -> str | None:
    if resource.inputs.get("role") != WORKLOAD_IDENTITY_ROLE:
        return None
    members = _members(resource)
    if len(members) != 1:
        return f"Workload Identity grant names {len(members)} members, not exactly one Kubernetes service account"
    ksa = _ONE_KSA.match(members[0])
    if ksa is None:
        return "Workload Identity grant does not name exactly one Kubernetes service account (namespace/name)"
    # The API's account: the KSA of workloads/k8s/, so no other pod can read the de-identified data.
    on_api = f"/serviceAccounts/{_api_account(context.environment)}" in str(resource.inputs.get("serviceAccountId"))
    if on_api and ksa.group(1) != API_KSA:
        return f"the API's service account is granted to {ksa.group(1)}, not to {API_KSA}"
    return None


def api_project_roles(resource: Resource, context: Context) -> str | None:
    account = f"serviceAccount:{_api_account(context.environment)}"
    if not any(m.startswith(account) for m in _members(resource)):
        return None
    role = resource.inputs.get("role")
    return None if role in API_PROJECT_ROLES else f"the API's service account holds {role} on the project"


def api_dataset_read_on_deidentified(resource: Resource, context: Context) -> str | None:
    prefix = _api_account(context.environment)
    inputs = resource.inputs
    grantees = [str(inputs.get("userByEmail") or ""), *(m.removeprefix("serviceAccount:") for m in _members(resource))]
    if not any(g.startswith(prefix) for g in grantees):
        return None
    dataset = str(inputs.get("datasetId") or "")
    if dataset != f"hipaa_{context.environment}_deidentified":
        return f"the API's service account is granted on dataset {dataset or '(unknown)'}, not the de-identified one"
    role = inputs.get("role")
    return None if role in API_DATASET_ROLES else f"the API's service account holds {role} on {dataset}, not read"


RULES = [
    Rule(
        "API-01",
        ACCESS,
        "a Workload Identity grant names exactly one Kubernetes service account",
        (SA_IAM_MEMBER, SA_IAM_BINDING),
        one_ksa_per_grant,
    ),
    Rule(
        "API-02",
        MINIMUM_NECESSARY,
        "the API's service account holds no project-level data role (BigQuery job user only)",
        (PROJECT_IAM_MEMBER, PROJECT_IAM_BINDING),
        api_project_roles,
    ),
    Rule(
        "API-03",
        MINIMUM_NECESSARY,
        "the API's service account reads the de-identified dataset and no other",
        (DATASET_ACCESS, DATASET_IAM_MEMBER, DATASET_IAM_BINDING),
        api_dataset_read_on_deidentified,
    ),
]
