"""Delivery: the private worker pool, the CMEK build-log bucket and this stack's Cloud Build trigger.

One trigger per stack, pointing at the generated cloudbuild.yaml: dev builds every push to main,
staging builds release-candidate tags, prod builds release tags and waits for an approver. The
trigger's description and tags carry the generator's content hash, so a trigger that points at
an older pipeline than the repository's shows up as drift in `pulumi preview`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi
import pulumi_gcp as gcp

from infra.compute.vertex import peered_network
from infra.config import PlatformConfig
from infra.delivery.identities import DeliveryIdentities
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
from infra.rules.delivery import RELEASE_REFS, REQUIRED_SUBSTITUTIONS

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
    if set(values) != set(REQUIRED_SUBSTITUTIONS):
        # The pipeline gained or lost a substitution: the trigger must follow before anything is created.
        raise ValueError(f"trigger substitutions {sorted(values)} differ from the pipeline's {REQUIRED_SUBSTITUTIONS}")
    return values


def push_filter(environment: str) -> gcp.cloudbuild.TriggerGithubPushArgs:
    kind, pattern = RELEASE_REFS[environment]
    if kind == "branch":
        return gcp.cloudbuild.TriggerGithubPushArgs(branch=pattern, invert_regex=False)
    return gcp.cloudbuild.TriggerGithubPushArgs(tag=pattern, invert_regex=False)


class Delivery(pulumi.ComponentResource):
    """Pool, identities, build-log bucket and trigger for one environment."""

    def __init__(
        self,
        name: str,
        config: PlatformConfig,
        *,
        network_name: pulumi.Input[str],
        private_services_connection: pulumi.Resource,
        logging_key_id: pulumi.Input[str],
        signing_key_id: pulumi.Input[str],
        substitutions: Mapping[str, pulumi.Input[str]],
        pipeline_hash: str,
        writable_buckets: Sequence[pulumi.Input[str]] = (),
        act_as: Sequence[pulumi.Input[str]] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("hipaa:delivery:Delivery", name, None, opts)
        self.identities = DeliveryIdentities(
            f"{name}-iam",
            config,
            signing_key_id=signing_key_id,
            writable_buckets=writable_buckets,
            act_as=act_as,
            opts=child_opts(self),
        )
        number = gcp.organizations.get_project_output(project_id=config.project_id).number
        self.pool = gcp.cloudbuild.WorkerPool(
            f"{name}-pool",
            name=build_pool_name(config),
            project=config.project_id,
            location=config.region,
            display_name=f"HIPAA {config.environment} private pool (no public egress)",
            worker_config=gcp.cloudbuild.WorkerPoolWorkerConfigArgs(
                machine_type=POOL_MACHINE_TYPE,
                disk_size_gb=POOL_DISK_GB,
                no_external_ip=True,
                enable_nested_virtualization=False,
            ),
            network_config=gcp.cloudbuild.WorkerPoolNetworkConfigArgs(
                peered_network=pulumi.Output.all(number, network_name).apply(
                    lambda v: peered_network(str(v[0]), str(v[1]))
                ),
                peered_network_ip_range=config.ranges.build_pool,
            ),
            opts=child_opts(self, depends_on=[private_services_connection]),
        )
        self.log_bucket = gcp.logging.ProjectBucketConfig(
            f"{name}-build-logs",
            project=config.project_id,
            location=config.region,
            bucket_id=resource_name(config, "build-logs"),
            description="Cloud Build logs of the HIPAA pipeline (CMEK)",
            retention_days=config.log_retention_days,
            cmek_settings=gcp.logging.ProjectBucketConfigCmekSettingsArgs(kms_key_name=logging_key_id),
            # Build logs document every deployment (45 CFR 164.316(b)(2)): locked like the audit trail
            # outside dev; locking is irreversible, so dev stays destroyable.
            locked=config.environment != "dev",
            opts=child_opts(self),
        )
        bucket_path = (
            f"projects/{config.project_id}/locations/{config.region}/buckets/{resource_name(config, 'build-logs')}"
        )
        self.log_sink = gcp.logging.ProjectSink(
            f"{name}-build-logs-sink",
            name=resource_name(config, "build-logs"),
            project=config.project_id,
            destination=f"logging.googleapis.com/{bucket_path}",
            filter=BUILD_LOG_FILTER,
            unique_writer_identity=True,
            disabled=False,
            opts=child_opts(self, depends_on=[self.log_bucket]),
        )
        # Keep build logs out of the Google-encrypted _Default bucket: they live only in ours.
        gcp.logging.ProjectExclusion(
            f"{name}-build-logs-exclusion",
            name=resource_name(config, "build-logs-not-default"),
            project=config.project_id,
            description="Build logs are routed to the CMEK build-log bucket only",
            filter=BUILD_LOG_FILTER,
            disabled=False,
            opts=child_opts(self, depends_on=[self.log_sink]),
        )
        self.trigger = gcp.cloudbuild.Trigger(
            f"{name}-trigger",
            name=resource_name(config, "pipeline"),
            project=config.project_id,
            location=config.region,
            description=f"HIPAA {config.environment} pipeline; {PIPELINE_FILE} sha256 {pipeline_hash}",
            tags=["hipaa", config.environment, f"pipeline-{pipeline_hash[:16]}"],
            github=gcp.cloudbuild.TriggerGithubArgs(
                owner=config.repo_owner, name=config.repo_name, push=push_filter(config.environment)
            ),
            filename=PIPELINE_FILE,
            service_account=self.identities.build_account.id,
            substitutions=dict(substitutions),
            approval_config=gcp.cloudbuild.TriggerApprovalConfigArgs(approval_required=config.is_prod),
            # Logs never go to GitHub: a build log is not a place PHI may leave the project through.
            include_build_logs="INCLUDE_BUILD_LOGS_UNSPECIFIED",
            disabled=False,
            opts=child_opts(self, depends_on=[self.pool]),
        )
        self.register_outputs(
            {
                "pool": self.pool.id,
                "trigger": self.trigger.id,
                "buildLogBucket": self.log_bucket.id,
                "buildServiceAccount": self.identities.build_account.email,
            }
        )

    @property
    def build_member(self) -> pulumi.Output[str]:
        member: pulumi.Output[str] = self.identities.build_account.member
        return member
