"""ApiIdentity: the Google service account the API pod acts as, through Workload Identity.

One Kubernetes service account (workloads/k8s/serviceaccount.yaml) may act as it, and it may do
exactly what the API needs: read the de-identified dataset and run the queries that read it. It
holds no project-level data role, so no other dataset (raw or curated PHI) is reachable from the pod.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.interface import register_declared
from infra.naming import (
    API_KUBERNETES_SERVICE_ACCOUNT,
    API_NAMESPACE,
    api_service_account_id,
    child_opts,
    role_suffix,
)
from infra.placement import Placement

WORKLOAD_IDENTITY_ROLE = "roles/iam.workloadIdentityUser"
# Running a query is a project-level permission (bigquery.jobs.create); it reads no data by itself.
JOB_ROLE = "roles/bigquery.jobUser"
# roles/bigquery.dataViewer as a dataset access entry: BigQuery stores a predefined role that has a
# basic equivalent as that basic role, so writing READER keeps every later plan free of a diff.
DATASET_READ_ROLE = "READER"


def kubernetes_member(pool: str) -> str:
    """`serviceAccount:<pool>[<namespace>/<ksa>]`: the API's KSA and no other."""
    return f"serviceAccount:{pool}[{API_NAMESPACE}/{API_KUBERNETES_SERVICE_ACCOUNT}]"


@dataclass(frozen=True)
class ApiIdentityArgs:
    placement: Placement
    """Environment (the account's name) and the workload project that holds the account and its grants."""
    workload_pool: pulumi.Input[str]
    """The GKE cluster's Workload Identity pool (`<project>.svc.id.goog`, `Gke.workload_pool`)."""
    deidentified_dataset_id: pulumi.Input[str]
    """The only dataset the API reads (the Warehouse's `deidentified`)."""


class ApiIdentity(pulumi.ComponentResource):
    """The Google service account the API pod acts as through Workload Identity, reading de-identified data only."""

    TYPE_TOKEN = "hipaa:compute:ApiIdentity"

    service_account_email: pulumi.Output[str]
    """The API's service account (workloads/k8s/serviceaccount.yaml annotates its KSA with it)."""
    workload_identity_member: pulumi.Output[str]
    """The one Kubernetes service account allowed to act as it (`serviceAccount:<pool>[hipaa-api/hipaa-api]`)."""

    def __init__(self, name: str, args: ApiIdentityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        placement = args.placement
        account = gcp.serviceaccount.Account(
            f"{name}-sa",
            account_id=api_service_account_id(placement),
            display_name="HIPAA API (reads de-identified aggregates)",
            description="Workload Identity of the API pods; reads the de-identified dataset only",
            project=placement.project_id,
            create_ignore_already_exists=False,
            opts=child_opts(self),
        )
        workload_identity = gcp.serviceaccount.IAMMember(
            f"{name}-sa-{role_suffix(WORKLOAD_IDENTITY_ROLE)}",
            service_account_id=account.name,
            role=WORKLOAD_IDENTITY_ROLE,
            member=pulumi.Output.from_input(args.workload_pool).apply(kubernetes_member),
            opts=child_opts(self),
        )
        # A dataset access entry, not DatasetIamMember: the Warehouse grants this dataset's other
        # readers with DatasetAccess, and the provider warns that the two overwrite each other.
        gcp.bigquery.DatasetAccess(
            f"{name}-sa-deidentified-reader",
            project=placement.project_id,
            dataset_id=args.deidentified_dataset_id,
            role=DATASET_READ_ROLE,
            user_by_email=account.email,
            opts=child_opts(self),
        )
        gcp.projects.IAMMember(
            f"{name}-sa-{role_suffix(JOB_ROLE)}",
            project=placement.project_id,
            role=JOB_ROLE,
            member=account.member,
            opts=child_opts(self),
        )
        self.service_account_email = account.email
        self.workload_identity_member = workload_identity.member
        register_declared(self)
