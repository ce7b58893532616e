"""After the deploys: HIPAA monitoring, a backup-and-restore test, and ZAP against the deployed API."""

from __future__ import annotations

from pipeline.model import Stage
from pipeline.steps import script_step
from pipeline.substitutions import DATAPROC_CLUSTER, ENV, REGION

BACKUP_BUCKET = "$PROJECT_ID-backups"


def stage(infra: str, dataproc: str, gke: str) -> Stage:
    monitoring = script_step(
        "monitoring",
        "configure-monitoring.sh",
        (ENV, "$PROJECT_ID", "${_SECURITY_PROJECT_ID}"),
        wait_for=(infra,),
        timeout=900,
        allow_failure=True,
    )
    backup = script_step(
        "backup-restore",
        "test-backup-restore.sh",
        (ENV, "$PROJECT_ID", "${_BIGQUERY_DATASET}", BACKUP_BUCKET, REGION, DATAPROC_CLUSTER),
        wait_for=(dataproc,),
        timeout=2400,
        allow_failure=True,
    )
    dast = script_step(
        "dast",
        "run-zap-dast.sh",
        (ENV, '$$(cat "$$OUTPUT_DIR/api-url")'),
        wait_for=(gke,),
        timeout=1800,
        image_key="zap",
        allow_failure=True,
    )
    return Stage("monitoring, backup and DAST", (monitoring, backup, dast))
