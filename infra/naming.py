"""Names and resource options shared by every component, so no component invents its own.

Names are built from a `Stack`: a component's Placement, or the whole PlatformConfig where plan tools
and tests ask; both give the same name. The few names that involve another project or the access
policy take that value explicitly (`*_in`) or the PlatformConfig.
"""

from __future__ import annotations

from typing import Protocol

import pulumi

from infra.config import PlatformConfig


class Stack(Protocol):
    """What names are built from: `infra.placement.Placement` or `infra.config.PlatformConfig`."""

    @property
    def environment(self) -> str: ...

    @property
    def project_id(self) -> str: ...

    @property
    def region(self) -> str: ...

    @property
    def is_prod(self) -> bool: ...


def resource_name(config: Stack, purpose: str) -> str:
    """`hipaa-<env>-<purpose>`: one naming scheme across resources and environments."""
    return f"hipaa-{config.environment}-{purpose}"


def service_account_email(config: Stack, purpose: str) -> str:
    """A platform service account in the environment project (`hipaa-prod-dataproc@P.iam.gserviceaccount.com`)."""
    return f"{resource_name(config, purpose)}@{config.project_id}.iam.gserviceaccount.com"


def cmek_key_name(purpose: str) -> str:
    """Each CMEK key of the keyring is named after what it encrypts: `storage-cmek`, `bigquery-cmek`."""
    return f"{purpose}-cmek"


def role_suffix(role: str) -> str:
    """`roles/logging.logWriter` -> `logging-logWriter`, for logical names of IAM grants."""
    return role.rsplit("/", maxsplit=1)[-1].replace(".", "-")


def child_opts(parent: pulumi.Resource, **extra: object) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(parent=parent, **extra)  # type: ignore[arg-type]


def data_opts(config: Stack, parent: pulumi.Resource, **extra: object) -> pulumi.ResourceOptions:
    """Options for resources that hold data or keys: protected in prod, destroyable elsewhere."""
    return pulumi.ResourceOptions(parent=parent, protect=config.is_prod, **extra)  # type: ignore[arg-type]


# Names other parts depend on (the trigger's substitutions, the scripts, the tests): defined once.
def bucket_name(config: Stack, purpose: str) -> str:
    """Bucket names are global: prefix with the project id (`nwh-analytics-prd-reports`)."""
    return f"{config.project_id}-{purpose}"


def access_log_bucket(config: Stack) -> str:
    """Receives the usage and storage logs of every other HIPAA bucket (`nwh-analytics-prd-access-logs`)."""
    return bucket_name(config, "access-logs")


def dataset_id(config: Stack, purpose: str) -> str:
    """BigQuery ids allow no hyphens: `hipaa_prod_curated`."""
    return f"hipaa_{config.environment}_{purpose}"


def gke_cluster_name(config: Stack) -> str:
    return resource_name(config, "gke")


def dataproc_cluster_name(config: Stack) -> str:
    return resource_name(config, "dataproc")


def dataproc_autoscaling_policy_id(config: Stack) -> str:
    """The Dataproc cluster's autoscaling policy (scripts/lib/dataproc.sh names the same one)."""
    return resource_name(config, "autoscaling")


def dataproc_autoscaling_policy_path(config: Stack) -> str:
    return (
        f"projects/{config.project_id}/regions/{config.region}/autoscalingPolicies/"
        f"{dataproc_autoscaling_policy_id(config)}"
    )


def dataproc_staging_bucket(config: Stack) -> str:
    """The cluster's CMEK staging (config) bucket, instead of Dataproc's default Google-managed one."""
    return bucket_name(config, "dataproc-staging")


def dataproc_temp_bucket(config: Stack) -> str:
    """The cluster's CMEK temp bucket (Spark and MapReduce history, job scratch)."""
    return bucket_name(config, "dataproc-temp")


# The one object of the Kerberos bucket: the root principal password, encrypted with Cloud KMS out of
# band (README, "Running it for real"), so neither the password nor its ciphertext enters Pulumi state.
DATAPROC_KERBEROS_PASSWORD_OBJECT = "root-principal-password.encrypted"


def dataproc_kerberos_bucket(config: Stack) -> str:
    """The CMEK bucket holding the KMS-encrypted Kerberos root principal password (prod clusters)."""
    return bucket_name(config, "dataproc-kerberos")


def dataproc_kerberos_password_uri(config: Stack) -> str:
    """`kerberosConfig.rootPrincipalPasswordUri`: "the Cloud Storage URI of a KMS encrypted file"."""
    return f"gs://{dataproc_kerberos_bucket(config)}/{DATAPROC_KERBEROS_PASSWORD_OBJECT}"


def keyring_name(config: Stack) -> str:
    return resource_name(config, "keyring")


def perimeter_name(config: PlatformConfig) -> str:
    """Full resource name of the VPC-SC perimeter (perimeter ids allow underscores, not hyphens)."""
    return perimeter_name_in(config.access_policy_id, config)


def perimeter_name_in(access_policy_id: str, config: Stack) -> str:
    """`accessPolicies/<id>/servicePerimeters/hipaa_<env>_perimeter`, from the policy id itself."""
    return f"accessPolicies/{access_policy_id}/servicePerimeters/hipaa_{config.environment}_perimeter"


def docker_repository(config: Stack) -> str:
    return resource_name(config, "images")


def artifact_registry(config: Stack) -> str:
    """`_ARTIFACT_REGISTRY`: the registry host and project; repositories are paths below it."""
    return f"{config.region}-docker.pkg.dev/{config.project_id}"


def artifact_registry_path(config: Stack) -> str:
    """Where the pipeline pushes the images it builds."""
    return f"{artifact_registry(config)}/{docker_repository(config)}"


def docker_mirror_repository(config: Stack, upstream: str) -> str:
    """Remote (pull-through) Docker repository for one upstream, e.g. `hipaa-prod-dockerhub-mirror`."""
    return resource_name(config, f"{upstream}-mirror")


def python_mirror_repository(config: Stack) -> str:
    return resource_name(config, "pypi-mirror")


def network_name(config: Stack) -> str:
    return resource_name(config, "vpc")


def subnet_name(config: Stack) -> str:
    """The private workload subnet (GKE, Dataproc, Workbench)."""
    return resource_name(config, "private")


def build_pool_name(config: Stack) -> str:
    """The private Cloud Build worker pool's id, `projects/P/locations/R/workerPools/<this>`."""
    return resource_name(config, "build-pool")


def build_pool_path(config: Stack) -> str:
    return f"projects/{config.project_id}/locations/{config.region}/workerPools/{build_pool_name(config)}"


def compliance_bucket(config: Stack) -> str:
    """`_COMPLIANCE_BUCKET`: reports land in gs://<this>/reports/<BUILD_ID>/."""
    return bucket_name(config, "reports")


def keyring_path(config: Stack) -> str:
    """`_KMS_KEYRING`: the keyring's full resource name."""
    return f"projects/{config.project_id}/locations/{config.region}/keyRings/{keyring_name(config)}"


# The key-encryption key (KEK) that wraps the warehouse's column keysets. No service agent uses it, so it
# is not a `*-cmek` key; BigQuery calls KMS with it as the querying user (infra/data/warehouse/encryption.py).
COLUMN_KEK_NAME = "phi-columns-kek"


def column_kek_path(config: Stack) -> str:
    return f"{keyring_path(config)}/cryptoKeys/{COLUMN_KEK_NAME}"


def column_kek_uri(config: Stack) -> str:
    """How BigQuery's KEYS functions name the KEK: `gcp-kms://` and the key's resource name."""
    return f"gcp-kms://{column_kek_path(config)}"


# The wrapped keysets (one row per encrypted column class) and the only routine that decrypts with them.
COLUMN_KEYSETS_TABLE = "column_keysets"
REIDENTIFY_PROCEDURE = "reidentify_patients"


def column_keys_dataset(config: Stack) -> str:
    """Holds the wrapped keysets: readable by the encrypting loaders and the re-identification procedure only."""
    return dataset_id(config, "column_keys")


def reidentification_dataset(config: Stack) -> str:
    """Holds the re-identification procedure, and nothing else: its readers are the ones who may decrypt."""
    return dataset_id(config, "reidentification")


def signing_key_path(config: Stack) -> str:
    """The asymmetric key Cosign signs with (`gcpkms://` + this) and Binary Authorization verifies."""
    return f"{keyring_path(config)}/cryptoKeys/image-signing"


def attestor_name(config: Stack) -> str:
    return resource_name(config, "pipeline")


# The security team's topic id, fixed by the requirement.
SECURITY_TOPIC_ID = "hipaa-deployments"


def security_topic(config: PlatformConfig) -> str:
    """The security team's topic; the name is fixed by the requirement."""
    return f"projects/{config.security_project_id}/topics/{SECURITY_TOPIC_ID}"


def log_bucket_id(config: Stack) -> str:
    """The SIEM project's log bucket that receives this environment's audit logs."""
    return resource_name(config, "audit-logs")


def log_bucket_path(config: PlatformConfig) -> str:
    return log_bucket_path_in(config.siem_project_id, config)


def log_bucket_path_in(siem_project_id: str, config: Stack) -> str:
    """`projects/<siem>/locations/<region>/buckets/hipaa-<env>-audit-logs`, from the SIEM project id itself."""
    return f"projects/{siem_project_id}/locations/{config.region}/buckets/{log_bucket_id(config)}"


def siem_sink_name(config: Stack) -> str:
    """The environment project's sink that routes its audit logs to the SIEM bucket."""
    return resource_name(config, "siem-sink")


def build_account_id(config: Stack) -> str:
    """The pipeline's own service account: every Cloud Build step runs as it."""
    return resource_name(config, "cloudbuild")


def deployer_account_id(config: Stack) -> str:
    """The account `pulumi preview` and `pulumi up` impersonate (scripts/lib/deploy.sh takes it from facts.sh)."""
    return resource_name(config, "deployer")


def deployer_account_email(config: Stack) -> str:
    return service_account_email(config, "deployer")


def pulumi_backend_url(config: PlatformConfig) -> str:
    """Pulumi state lives in the security project, out of reach of the workloads it describes."""
    return f"gs://{config.security_project_id}-pulumi-state"


# The API's identity, shared by infra/compute/api_identity.py and workloads/k8s/ (namespace, KSA, annotation).
API_NAMESPACE = "hipaa-api"
API_KUBERNETES_SERVICE_ACCOUNT = "hipaa-api"


def workload_pool(config: Stack) -> str:
    """The cluster's Workload Identity pool: one per project."""
    return f"{config.project_id}.svc.id.goog"


def api_service_account_id(config: Stack) -> str:
    """The API's Google service account (`hipaa-prod-api`)."""
    return resource_name(config, "api")


def api_service_account_email(config: Stack) -> str:
    """What workloads/k8s/serviceaccount.yaml annotates the KSA with (`iam.gke.io/gcp-service-account`)."""
    return f"{api_service_account_id(config)}@{config.project_id}.iam.gserviceaccount.com"


def mrn_hmac_secret_id(config: Stack) -> str:
    """The Secret Manager secret holding the key the PySpark job pseudonymizes MRNs with."""
    return resource_name(config, "mrn-hmac-key")


def mrn_hmac_secret_path(config: Stack) -> str:
    """`projects/P/secrets/<id>`; the job is handed one pinned version below it, never `latest`."""
    return f"projects/{config.project_id}/secrets/{mrn_hmac_secret_id(config)}"


def deidentified_dataset(config: Stack) -> str:
    """Where the PySpark job writes its de-identified tables (`hipaa_prod_deidentified`)."""
    return dataset_id(config, "deidentified")


def materialization_dataset(config: Stack) -> str:
    """Short-lived dataset where the BigQuery connector materializes views it reads (identified rows)."""
    return dataset_id(config, "materialization")


def vertex_endpoint_name(config: Stack) -> str:
    """The private Vertex AI endpoint's display name, which deploy-vertex-model.sh looks up."""
    return resource_name(config, "endpoint")


def vertex_model_id(config: Stack) -> str:
    """The Vertex AI Model Registry id BigQuery ML registers the validated model under."""
    return resource_name(config, "model")
