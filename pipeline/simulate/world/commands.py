"""Every command line the fake world models, per tool: command words -> handler."""

from __future__ import annotations

from pipeline.simulate.world import (
    svc_bq,
    svc_compute,
    svc_dataproc,
    svc_docker,
    svc_gke,
    svc_iam,
    svc_k8s,
    svc_logging,
    svc_pulumi,
    svc_scanners,
    svc_storage,
)
from pipeline.simulate.world.cli import Table

GCLOUD: Table = {
    **svc_iam.COMMANDS,
    **svc_logging.COMMANDS,
    **svc_storage.COMMANDS,
    **svc_compute.COMMANDS,
    **svc_dataproc.COMMANDS,
    **svc_gke.COMMANDS,
}

TABLES: dict[str, Table] = {
    "gcloud": GCLOUD,
    "bq": svc_bq.COMMANDS,
    "gsutil": {},  # in the images; no script calls it (gcloud storage does its work)
    "kubectl": svc_k8s.COMMANDS,
    "docker": svc_docker.COMMANDS,
    "docker-buildx": svc_docker.BUILDX,
    **svc_scanners.COMMANDS,
    **svc_pulumi.COMMANDS,
}
