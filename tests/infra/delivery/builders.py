"""Fixtures for the delivery components' tests (Delivery with its DeliveryIdentities, Registry) and their
rules' tests."""

from __future__ import annotations

import functools

import pulumi

from infra.delivery.delivery import Delivery, DeliveryArgs
from infra.delivery.registry import Registry, RegistryArgs, signing_public_key
from infra.rules import Resource
from infra.rules.delivery import required_substitutions
from tests.infra.recording import config_for, record

KEYS = "projects/p/locations/us-central1/keyRings/r/cryptoKeys"
SIGNING_KEY = f"{KEYS}/image-signing"
HASH = "ab" * 32


def substitutions(environment: str) -> dict[str, str]:
    return {key: f"value-of{key.lower()}" for key in required_substitutions()} | {"_ENVIRONMENT": environment}


def delivery_args(environment: str, connection: pulumi.Resource) -> DeliveryArgs:
    """`connection` stands in for the Network's private services peering (create it under the engine)."""
    config = config_for(environment)
    return DeliveryArgs(
        placement=config.placement,
        build_pool_cidr=config.ranges.build_pool,
        network_name=f"hipaa-{environment}-vpc",
        private_services_connection=connection,
        logging_key_id=f"{KEYS}/logging-cmek",
        log_retention_days=config.log_retention_days,
        repo_owner=config.repo_owner,
        repo_name=config.repo_name,
        substitutions=substitutions(environment),
        pipeline_hash=HASH,
        siem_project_id=config.siem_project_id,
        approver_group=config.approver_group,
        signing_key_id=SIGNING_KEY,
        writable_buckets=[f"{config.project_id}-reports", f"{config.project_id}-artifacts"],
        act_as=[f"projects/{config.project_id}/serviceAccounts/dataproc@x.iam.gserviceaccount.com"],
    )


@functools.cache
def built_delivery(environment: str) -> tuple[Resource, ...]:
    def build() -> None:
        connection = pulumi.CustomResource("test:index:Connection", "psa", {})
        Delivery("delivery", delivery_args(environment, connection))

    return tuple(record(build))


def build_registry(environment: str) -> Registry:
    args = RegistryArgs(
        placement=config_for(environment).placement,
        artifacts_key_id=f"{KEYS}/artifacts-cmek",
        signing_key_id=SIGNING_KEY,
        public_key_pem=signing_public_key(SIGNING_KEY),
    )
    return Registry("registry", args)


@functools.cache
def built_registry(environment: str = "prod") -> tuple[Resource, ...]:
    return tuple(record(lambda: build_registry(environment)))
