"""Names and resource options shared by every component, so no component invents its own."""

from __future__ import annotations

import pulumi

from infra.config import PlatformConfig


def resource_name(config: PlatformConfig, purpose: str) -> str:
    """`hipaa-<env>-<purpose>`: one naming scheme across resources and environments."""
    return f"hipaa-{config.environment}-{purpose}"


def child_opts(parent: pulumi.Resource, **extra: object) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(parent=parent, **extra)  # type: ignore[arg-type]


def data_opts(config: PlatformConfig, parent: pulumi.Resource, **extra: object) -> pulumi.ResourceOptions:
    """Options for resources that hold data or keys: protected in prod, destroyable elsewhere."""
    return pulumi.ResourceOptions(parent=parent, protect=config.is_prod, **extra)  # type: ignore[arg-type]


# Names other parts depend on (the trigger's substitutions, the scripts, the tests): defined once.
def bucket_name(config: PlatformConfig, purpose: str) -> str:
    """Bucket names are global: prefix with the project id (`nwh-analytics-prd-reports`)."""
    return f"{config.project_id}-{purpose}"


def dataset_id(config: PlatformConfig, purpose: str) -> str:
    """BigQuery ids allow no hyphens: `hipaa_prod_curated`."""
    return f"hipaa_{config.environment}_{purpose}"


def gke_cluster_name(config: PlatformConfig) -> str:
    return resource_name(config, "gke")


def dataproc_cluster_name(config: PlatformConfig) -> str:
    return resource_name(config, "dataproc")


def keyring_name(config: PlatformConfig) -> str:
    return resource_name(config, "keyring")


def perimeter_name(config: PlatformConfig) -> str:
    """Full resource name of the VPC-SC perimeter (perimeter ids allow underscores, not hyphens)."""
    return f"accessPolicies/{config.access_policy_id}/servicePerimeters/hipaa_{config.environment}_perimeter"


def docker_repository(config: PlatformConfig) -> str:
    return resource_name(config, "images")


def artifact_registry_path(config: PlatformConfig) -> str:
    """Where images and mirrored tool images live, as `_ARTIFACT_REGISTRY` passes it."""
    return f"{config.region}-docker.pkg.dev/{config.project_id}/{docker_repository(config)}"


def docker_mirror_repository(config: PlatformConfig, upstream: str) -> str:
    """Remote (pull-through) Docker repository for one upstream, e.g. `hipaa-prod-dockerhub-mirror`."""
    return resource_name(config, f"{upstream}-mirror")


def python_mirror_repository(config: PlatformConfig) -> str:
    return resource_name(config, "pypi-mirror")
