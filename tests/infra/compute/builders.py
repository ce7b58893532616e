"""Fixtures for the compute components' tests and their rules' tests: each component built alone under
the mock engine, with the other components' outputs it takes given as fixed values."""

from __future__ import annotations

import functools

import pulumi

from infra.compute.api_identity import ApiIdentity, ApiIdentityArgs
from infra.compute.dataproc import Dataproc, DataprocArgs
from infra.compute.gke import Gke, GkeArgs
from infra.compute.vertex import Vertex, VertexArgs
from infra.rules import Resource
from tests.infra.recording import config_for, record

KEYS = "projects/p/locations/us-central1/keyRings/r/cryptoKeys"
NETWORK = "projects/nwh-analytics-prd/global/networks/hipaa-prod-vpc"
SUBNET = "projects/nwh-analytics-prd/regions/us-central1/subnetworks/hipaa-prod-private"
VERTEX_KEY = f"{KEYS}/vertex-cmek"


class Peering(pulumi.CustomResource):
    """Stand-in for the Network component's servicenetworking connection."""

    def __init__(self) -> None:
        super().__init__("gcp:servicenetworking/connection:Connection", "peering", {"network": NETWORK})


@functools.cache
def built_api_identity(environment: str = "prod") -> tuple[Resource, ...]:
    config = config_for(environment)
    args = ApiIdentityArgs(
        placement=config.placement,
        workload_pool=f"{config.project_id}.svc.id.goog",
        deidentified_dataset_id=f"hipaa_{environment}_deidentified",
    )
    return tuple(record(lambda: ApiIdentity("api-identity", args)))


def dataproc_args(environment: str) -> DataprocArgs:
    return DataprocArgs(
        placement=config_for(environment).placement,
        subnet_id=SUBNET,
        compute_key_id=f"{KEYS}/compute-cmek",
        storage_key_id=f"{KEYS}/storage-cmek",
        kerberos_key_id=f"{KEYS}/secrets-cmek",
    )


@functools.cache
def built_dataproc(environment: str) -> tuple[Resource, ...]:
    args = dataproc_args(environment)
    return tuple(record(lambda: Dataproc("dataproc", args)))


def gke_args(environment: str) -> GkeArgs:
    config = config_for(environment)
    return GkeArgs(
        placement=config.placement,
        subnet_cidr=config.ranges.primary,
        master_cidr=config.ranges.gke_master,
        network_id=NETWORK,
        subnet_id=SUBNET,
        gke_key_id=f"{KEYS}/gke-cmek",
        compute_key_id=f"{KEYS}/compute-cmek",
    )


@functools.cache
def built_gke(environment: str) -> tuple[Resource, ...]:
    args = gke_args(environment)
    return tuple(record(lambda: Gke("gke", args)))


@functools.cache
def built_vertex(environment: str = "prod") -> tuple[Resource, ...]:
    placement = config_for(environment).placement

    def build() -> None:
        args = VertexArgs(
            placement=placement,
            network_id=NETWORK,
            network_name="hipaa-prod-vpc",
            subnet_id=SUBNET,
            private_services_connection=Peering(),
            vertex_key_id=VERTEX_KEY,
        )
        Vertex("vertex", args)

    return tuple(record(build))
