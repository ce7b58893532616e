"""Who the pipeline runs as: a least-privilege build identity and a deployer it may impersonate.

The build service account runs every step; it can read what the gates inspect, push and sign
images, deploy workloads and write reports, but it cannot change IAM, keys, networks or the
perimeter. Only `pulumi up` (scripts/deploy-infra.sh) needs that, so it impersonates the deployer
account, whose roles are the admin roles of exactly the services the program manages (never
owner or editor). Each role is listed with the step that needs it, so a review can strike one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.interface import register_declared
from infra.naming import build_account_id, child_opts, deployer_account_id, role_suffix
from infra.placement import Placement

# Project-level roles of the build service account, each with the pipeline step that needs it.
BUILD_ROLES: dict[str, str] = {
    "roles/logging.logWriter": "every step: build logs go to Cloud Logging (FACTS: required for a user SA)",
    "roles/logging.viewer": "run-phi-detection.sh reads this build's logs; validate-audit-logs.sh reads sinks",
    "roles/artifactregistry.writer": "build step pushes the API image; steps pull mirrored tool images",
    "roles/containeranalysis.occurrences.editor": "sign-image.sh creates the Binary Authorization attestation",
    "roles/binaryauthorization.attestorsViewer": "sign-image.sh reads the attestor",
    "roles/container.developer": "deploy-gke-hipaa.sh applies manifests and rolls back",
    "roles/dataproc.editor": "deploy-dataproc-hipaa.sh, run-pyspark-job.sh, the integration test cluster",
    "roles/bigquery.jobUser": "data-quality, governance, backup-restore and BigQuery ML queries",
    "roles/bigquery.metadataViewer": "validate-bigquery-governance.sh reads schemas, policy tags, views",
    "roles/aiplatform.user": "deploy-vertex-model.sh deploys to the private endpoint",
    "roles/iam.securityReviewer": "validate-access-controls.sh reads IAM policies (read-only)",
    "roles/cloudkms.viewer": "validate-encryption.sh reads keys and rotation periods",
    "roles/compute.viewer": "validation reads instances, disks, firewalls, routes, SSL policies",
    "roles/compute.storageAdmin": "test-backup-restore.sh snapshots a Dataproc disk and deletes the snapshot",
    "roles/orgpolicy.policyViewer": "validate-env-hipaa.sh reads the effective org policies",
    "roles/monitoring.viewer": "configure-monitoring.sh verifies metrics, channels and alert policies",
    "roles/monitoring.alertPolicyEditor": "configure-monitoring.sh re-enables a disabled HIPAA alert policy",
    "roles/serviceusage.serviceUsageConsumer": "gcloud calls are billed to the project",
    "roles/cloudbuild.builds.viewer": "pool-guard and require_prod_approval run gcloud builds describe",
    # Cloud Build has no worker-pool IAM resource in pulumi-gcp, so the grant is project-wide; the
    # project holds exactly one pool (FACTS: callers of a private pool need workerPoolUser).
    "roles/cloudbuild.workerPoolUser": "every build runs on the private worker pool",
}
# Roles in the SIEM project: the audit-log gate checks that entries arrived there, read-only.
SIEM_ROLES = ("roles/logging.viewer",)
# The deployer: what `pulumi up` needs to manage every resource of the program in this project.
DEPLOYER_ROLES = (
    "roles/compute.networkAdmin",
    "roles/compute.securityAdmin",
    "roles/dns.admin",
    "roles/servicenetworking.networksAdmin",
    "roles/cloudkms.admin",
    "roles/iam.serviceAccountAdmin",
    "roles/iam.serviceAccountUser",
    "roles/resourcemanager.projectIamAdmin",
    "roles/logging.configWriter",
    "roles/storage.admin",
    "roles/bigquery.admin",
    "roles/datacatalog.admin",
    "roles/bigquerydatapolicy.admin",
    "roles/container.admin",
    "roles/dataproc.admin",
    "roles/aiplatform.admin",
    "roles/notebooks.admin",
    "roles/artifactregistry.admin",
    "roles/binaryauthorization.policyEditor",
    "roles/binaryauthorization.attestorsAdmin",
    "roles/containeranalysis.notes.editor",
    "roles/secretmanager.admin",
    "roles/monitoring.admin",
    "roles/pubsub.admin",
    "roles/cloudbuild.builds.editor",
    "roles/cloudbuild.workerPoolOwner",
    "roles/serviceusage.serviceUsageAdmin",
)


@dataclass(frozen=True)
class DeliveryIdentitiesArgs:
    placement: Placement
    """Environment (account names; the approver grant in prod) and the workload project that holds both accounts."""
    siem_project_id: str
    """The SIEM project, where the build account may read logs (the audit-log gate)."""
    approver_group: str
    """Google group that may approve prod builds (granted in prod only)."""
    signing_key_id: pulumi.Input[str]
    """The image-signing key the build account signs and reads the public key with (Cosign)."""
    writable_buckets: Sequence[pulumi.Input[str]] = ()
    """Buckets (by name) the build account writes objects to: reports, artifacts, backups."""
    act_as: Sequence[pulumi.Input[str]] = ()
    """Service accounts (`projects/P/serviceAccounts/EMAIL`) the build account may act as (`serviceAccountUser`)."""


class DeliveryIdentities(pulumi.ComponentResource):
    """The build and deployer service accounts and every grant they hold."""

    TYPE_TOKEN = "hipaa:delivery:DeliveryIdentities"

    build_account_id: pulumi.Output[str]
    """The build account (`projects/P/serviceAccounts/EMAIL`) every Cloud Build step runs as."""
    build_account_member: pulumi.Output[str]
    """The build account as an IAM member (`serviceAccount:EMAIL`)."""
    build_account_email: pulumi.Output[str]
    """The build account's email."""
    deployer_account_member: pulumi.Output[str]
    """The deployer `pulumi up` impersonates, as an IAM member (`serviceAccount:EMAIL`)."""
    deployer_account_email: pulumi.Output[str]
    """The deployer's email (scripts/deploy-infra.sh impersonates it)."""

    def __init__(self, name: str, args: DeliveryIdentitiesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        placement = args.placement
        build_account = gcp.serviceaccount.Account(
            f"{name}-build",
            account_id=build_account_id(placement),
            display_name="Cloud Build pipeline (least privilege)",
            description="Runs every step of cloudbuild.yaml; impersonates the deployer only for pulumi up",
            project=placement.project_id,
            opts=child_opts(self),
        )
        deployer_account = gcp.serviceaccount.Account(
            f"{name}-deployer",
            account_id=deployer_account_id(placement),
            display_name="Pulumi deployer (impersonated by the pipeline for pulumi up only)",
            project=placement.project_id,
            opts=child_opts(self),
        )
        build = build_account.member
        for role in BUILD_ROLES:
            self._project_member(f"{name}-build-{role_suffix(role)}", placement.project_id, role, build)
        for role in SIEM_ROLES:
            self._project_member(f"{name}-build-siem-{role_suffix(role)}", args.siem_project_id, role, build)
        for role in DEPLOYER_ROLES:
            self._project_member(
                f"{name}-deployer-{role_suffix(role)}", placement.project_id, role, deployer_account.member
            )
        # Only the build identity may act as the deployer, and only by minting short-lived tokens.
        gcp.serviceaccount.IAMMember(
            f"{name}-build-impersonates-deployer",
            service_account_id=deployer_account.name,
            role="roles/iam.serviceAccountTokenCreator",
            member=build,
            opts=child_opts(self),
        )
        for index, account in enumerate(args.act_as):
            gcp.serviceaccount.IAMMember(
                f"{name}-build-act-as-{index}",
                service_account_id=account,
                role="roles/iam.serviceAccountUser",
                member=build,
                opts=child_opts(self),
            )
        # Cosign signs with the KMS key: signer and public-key viewer on that key only.
        for role in ("roles/cloudkms.signerVerifier", "roles/cloudkms.publicKeyViewer"):
            gcp.kms.CryptoKeyIAMMember(
                f"{name}-build-{role_suffix(role)}",
                crypto_key_id=args.signing_key_id,
                role=role,
                member=build,
                opts=child_opts(self),
            )
        for index, bucket in enumerate(args.writable_buckets):
            gcp.storage.BucketIAMMember(
                f"{name}-build-bucket-{index}",
                bucket=bucket,
                role="roles/storage.objectAdmin",
                member=build,
                opts=child_opts(self),
            )
        if placement.is_prod:
            # Prod builds wait for a human: only the approver group may release them.
            self._project_member(
                f"{name}-approvers",
                placement.project_id,
                "roles/cloudbuild.builds.approver",
                f"group:{args.approver_group}",
            )
        self.build_account_id = build_account.id
        self.build_account_member = build
        self.build_account_email = build_account.email
        self.deployer_account_member = deployer_account.member
        self.deployer_account_email = deployer_account.email
        register_declared(self)

    def _project_member(self, name: str, project: str, role: str, member: pulumi.Input[str]) -> None:
        gcp.projects.IAMMember(name, project=project, role=role, member=member, opts=child_opts(self))
