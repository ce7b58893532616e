"""ApiIdentity: the Google service account the API pod acts as, through Workload Identity.

One Kubernetes service account (workloads/k8s/serviceaccount.yaml) may act as it, and it may do
exactly what the API needs: read the de-identified dataset and run the queries that read it. It
holds no project-level data role, so no other dataset (raw or curated PHI) is reachable from the pod.
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from infra.config import PlatformConfig
from infra.naming import (
    API_KUBERNETES_SERVICE_ACCOUNT,
    API_NAMESPACE,
    api_service_account_id,
    child_opts,
    role_suffix,
)

WORKLOAD_IDENTITY_ROLE = "roles/iam.workloadIdentityUser"
# Running a query is a project-level permission (bigquery.jobs.create); it reads no data by itself.
JOB_ROLE = "roles/bigquery.jobUser"
# roles/bigquery.dataViewer as a dataset access entry: BigQuery stores a predefined role that has a
# basic equivalent as that basic role, so writing READER keeps every later plan free of a diff.
DATASET_READ_ROLE = "READER"


def kubernetes_member(pool: str) -> str:
    """`serviceAccount:<pool>[<namespace>/<ksa>]`: the API's KSA and no other."""
    return f"serviceAccount:{pool}[{API_NAMESPACE}/{API_KUBERNETES_SERVICE_ACCOUNT}]"


class ApiIdentity(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        config: PlatformConfig,
        *,
        workload_pool: pulumi.Input[str],
        deidentified_dataset_id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """`workload_pool`: the GKE cluster's Workload Identity pool (`<project>.svc.id.goog`).
        `deidentified_dataset_id`: the only dataset the API reads (the Warehouse's `deidentified`)."""
        super().__init__("hipaa:compute:ApiIdentity", name, None, opts)
        self.account = gcp.serviceaccount.Account(
            f"{name}-sa",
            account_id=api_service_account_id(config),
            display_name="HIPAA API (reads de-identified aggregates)",
            description="Workload Identity of the API pods; reads the de-identified dataset only",
            project=config.project_id,
            create_ignore_already_exists=False,
            opts=child_opts(self),
        )
        self.workload_identity = gcp.serviceaccount.IAMMember(
            f"{name}-sa-{role_suffix(WORKLOAD_IDENTITY_ROLE)}",
            service_account_id=self.account.name,
            role=WORKLOAD_IDENTITY_ROLE,
            member=pulumi.Output.from_input(workload_pool).apply(kubernetes_member),
            opts=child_opts(self),
        )
        # A dataset access entry, not DatasetIamMember: the Warehouse grants this dataset's other
        # readers with DatasetAccess, and the provider warns that the two overwrite each other.
        self.dataset_reader = gcp.bigquery.DatasetAccess(
            f"{name}-sa-deidentified-reader",
            project=config.project_id,
            dataset_id=deidentified_dataset_id,
            role=DATASET_READ_ROLE,
            user_by_email=self.account.email,
            opts=child_opts(self),
        )
        self.job_user = gcp.projects.IAMMember(
            f"{name}-sa-{role_suffix(JOB_ROLE)}",
            project=config.project_id,
            role=JOB_ROLE,
            member=self.account.member,
            opts=child_opts(self),
        )
        self.register_outputs(
            {
                "serviceAccount": self.account.email,
                "workloadIdentityMember": self.workload_identity.member,
            }
        )
