"""Delivery: the private worker pool, the CMEK build-log bucket and this stack's Cloud Build trigger.

One trigger per stack, pointing at the generated cloudbuild.yaml: dev builds every push to main,
staging builds release-candidate tags, prod builds release tags and waits for an approver. The
trigger's description and tags carry the generator's content hash, so a trigger that points at
an older pipeline than the repository's shows up as drift in `pulumi preview`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.compute.vertex import peered_network
from infra.config import PlatformConfig
from infra.delivery.identities import DeliveryIdentities, DeliveryIdentitiesArgs
from infra.interface import register_declared
from infra.naming import (
    artifact_registry,
    build_pool_name,
    child_opts,
    compliance_bucket,
    dataset_id,
    gke_cluster_name,
    keyring_path,
    perimeter_name,
    resource_name,
)
from infra.placement import Placement
from infra.rules.delivery import RELEASE_REFS, required_substitutions

PIPELINE_FILE = "cloudbuild.yaml"
BUILD_LOG_FILTER = 'resource.type="build"'
POOL_MACHINE_TYPE = "e2-standard-8"
POOL_DISK_GB = 200


def trigger_substitutions(config: PlatformConfig) -> dict[str, str]:
    """The value of every substitution the pipeline declares, for this stack (docs/contracts.md)."""
    values = {
        "_ENVIRONMENT": config.environment,
        "_ARTIFACT_REGISTRY": artifact_registry(config),
        "_GKE_CLUSTER": gke_cluster_name(config),
        "_DATAPROC_REGION": config.region,
        "_BIGQUERY_DATASET": dataset_id(config, "curated"),
        "_KMS_KEYRING": keyring_path(config),
        "_VPC_SC_PERIMETER": perimeter_name(config),
        "_COMPLIANCE_BUCKET": compliance_bucket(config),
        "_SECURITY_PROJECT_ID": config.security_project_id,
        "_SIEM_PROJECT_ID": config.siem_project_id,
    }
    if set(values) != set(required_substitutions()):
        # The pipeline gained or lost a substitution: the trigger must follow before anything is created.
        raise ValueError(
            f"trigger substitutions {sorted(values)} differ from the pipeline's {required_substitutions()}"
        )
    return values


def push_filter(environment: str) -> gcp.cloudbuild.TriggerGithubPushArgs:
    kind, pattern = RELEASE_REFS[environment]
    if kind == "branch":
        return gcp.cloudbuild.TriggerGithubPushArgs(branch=pattern, invert_regex=False)
    return gcp.cloudbuild.TriggerGithubPushArgs(tag=pattern, invert_regex=False)


@dataclass(frozen=True)
class DeliveryArgs:
    placement: Placement
    """Environment (trigger ref, approval, log lock), workload project and region (pool, logs, trigger)."""
    build_pool_cidr: str
    """The range reserved for the worker pool's peering (the Network's build-pool range)."""
    network_name: pulumi.Input[str]
    """The VPC the pool peers with, by name."""
    private_services_connection: pulumi.Resource
    """The private services access peering (`Network.private_services_connection`); the pool waits for it."""
    logging_key_id: pulumi.Input[str]
    """CMEK key of the build-log bucket."""
    log_retention_days: int
    """Retention of the build-log bucket in days (locked outside dev)."""
    repo_owner: str
    """GitHub owner of the repository the trigger builds."""
    repo_name: str
    """GitHub repository the trigger builds."""
    substitutions: Mapping[str, pulumi.Input[str]]
    """The value of every substitution cloudbuild.yaml declares (`trigger_substitutions(config)`)."""
    pipeline_hash: str
    """sha256 of the generated cloudbuild.yaml, carried in the trigger's description and tags (drift shows)."""
    siem_project_id: str
    """The SIEM project, where the build account may read logs (DeliveryIdentities)."""
    approver_group: str
    """Google group that may approve prod builds (DeliveryIdentities; granted in prod only)."""
    signing_key_id: pulumi.Input[str]
    """The image-signing key the build account signs with (DeliveryIdentities)."""
    writable_buckets: Sequence[pulumi.Input[str]] = ()
    """Buckets (by name) the build account writes objects to (DeliveryIdentities)."""
    act_as: Sequence[pulumi.Input[str]] = ()
    """Service accounts (`projects/P/serviceAccounts/EMAIL`) the build account may act as (DeliveryIdentities)."""

    def __post_init__(self) -> None:
        # The trigger's tag carries the first 16 hex digits; anything else is not the generator's hash.
        if len(self.pipeline_hash) != 64 or any(c not in "0123456789abcdef" for c in self.pipeline_hash):
            raise ValueError(f"DeliveryArgs.pipeline_hash {self.pipeline_hash!r} is not a sha256 hex digest")


class Delivery(pulumi.ComponentResource):
    """Private worker pool, pipeline identities, CMEK build-log bucket and this stack's Cloud Build trigger."""

    TYPE_TOKEN = "hipaa:delivery:Delivery"

    trigger_id: pulumi.Output[str]
    """The stack's Cloud Build trigger (push to main in dev, release tags in staging and prod)."""
    pool_id: pulumi.Output[str]
    """The private worker pool every build runs on (no external IP)."""
    build_log_bucket_id: pulumi.Output[str]
    """The CMEK log bucket that alone holds the build logs."""
    build_account_member: pulumi.Output[str]
    """The build account every step runs as, as an IAM member (`serviceAccount:EMAIL`)."""
    build_account_email: pulumi.Output[str]
    """The build account's email."""
    deployer_account_member: pulumi.Output[str]
    """The deployer account `pulumi up` impersonates, as an IAM member."""

    def __init__(self, name: str, args: DeliveryArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        placement = args.placement
        identities = DeliveryIdentities(
            f"{name}-iam",
            DeliveryIdentitiesArgs(
                placement=placement,
                siem_project_id=args.siem_project_id,
                approver_group=args.approver_group,
                signing_key_id=args.signing_key_id,
                writable_buckets=args.writable_buckets,
                act_as=args.act_as,
            ),
            opts=child_opts(self),
        )
        number = gcp.organizations.get_project_output(project_id=placement.project_id).number
        pool = gcp.cloudbuild.WorkerPool(
            f"{name}-pool",
            name=build_pool_name(placement),
            project=placement.project_id,
            location=placement.region,
            display_name=f"HIPAA {placement.environment} private pool (no public egress)",
            worker_config=gcp.cloudbuild.WorkerPoolWorkerConfigArgs(
                machine_type=POOL_MACHINE_TYPE,
                disk_size_gb=POOL_DISK_GB,
                no_external_ip=True,
                enable_nested_virtualization=False,
            ),
            network_config=gcp.cloudbuild.WorkerPoolNetworkConfigArgs(
                peered_network=pulumi.Output.all(number, args.network_name).apply(
                    lambda v: peered_network(str(v[0]), str(v[1]))
                ),
                peered_network_ip_range=args.build_pool_cidr,
            ),
            opts=child_opts(self, depends_on=[args.private_services_connection]),
        )
        log_bucket = gcp.logging.ProjectBucketConfig(
            f"{name}-build-logs",
            project=placement.project_id,
            location=placement.region,
            bucket_id=resource_name(placement, "build-logs"),
            description="Cloud Build logs of the HIPAA pipeline (CMEK)",
            retention_days=args.log_retention_days,
            cmek_settings=gcp.logging.ProjectBucketConfigCmekSettingsArgs(kms_key_name=args.logging_key_id),
            # Build logs document every deployment (45 CFR 164.316(b)(2)): locked like the audit trail
            # outside dev; locking is irreversible, so dev stays destroyable.
            locked=placement.environment != "dev",
            # Set, not left to the default: Log Analytics (irreversible once on) and its linked BigQuery
            # datasets would open a SQL read path to the build logs, as for the audit trail's bucket.
            enable_analytics=False,
            opts=child_opts(self),
        )
        bucket_id = resource_name(placement, "build-logs")
        bucket_path = f"projects/{placement.project_id}/locations/{placement.region}/buckets/{bucket_id}"
        log_sink = gcp.logging.ProjectSink(
            f"{name}-build-logs-sink",
            name=resource_name(placement, "build-logs"),
            project=placement.project_id,
            destination=f"logging.googleapis.com/{bucket_path}",
            filter=BUILD_LOG_FILTER,
            unique_writer_identity=True,
            disabled=False,
            opts=child_opts(self, depends_on=[log_bucket]),
        )
        # Keep build logs out of the Google-encrypted _Default bucket: they live only in ours.
        gcp.logging.ProjectExclusion(
            f"{name}-build-logs-exclusion",
            name=resource_name(placement, "build-logs-not-default"),
            project=placement.project_id,
            description="Build logs are routed to the CMEK build-log bucket only",
            filter=BUILD_LOG_FILTER,
            disabled=False,
            opts=child_opts(self, depends_on=[log_sink]),
        )
        trigger = gcp.cloudbuild.Trigger(
            f"{name}-trigger",
            name=resource_name(placement, "pipeline"),
            project=placement.project_id,
            location=placement.region,
            description=f"HIPAA {placement.environment} pipeline; {PIPELINE_FILE} sha256 {args.pipeline_hash}",
            tags=["hipaa", placement.environment, f"pipeline-{args.pipeline_hash[:16]}"],
            github=gcp.cloudbuild.TriggerGithubArgs(
                owner=args.repo_owner, name=args.repo_name, push=push_filter(placement.environment)
            ),
            filename=PIPELINE_FILE,
            service_account=identities.build_account_id,
            substitutions=dict(args.substitutions),
            approval_config=gcp.cloudbuild.TriggerApprovalConfigArgs(approval_required=placement.is_prod),
            # Logs never go to GitHub: a build log is not a place PHI may leave the project through.
            include_build_logs="INCLUDE_BUILD_LOGS_UNSPECIFIED",
            disabled=False,
            opts=child_opts(self, depends_on=[pool]),
        )
        self.trigger_id = trigger.id
        self.pool_id = pool.id
        self.build_log_bucket_id = log_bucket.id
        self.build_account_member = identities.build_account_member
        self.build_account_email = identities.build_account_email
        self.deployer_account_member = identities.deployer_account_member
        register_declared(self)
