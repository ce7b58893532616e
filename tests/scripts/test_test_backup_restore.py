"""test-backup-restore.sh: BigQuery snapshot restore, GCS generation restore, CMEK disk snapshot, cleanup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.scripts import deploy_fixtures as fx
from tests.scripts.fakes import FakeTools, Result

SCRIPT = "test-backup-restore.sh"
STEM = "test-backup-restore"
USAGE = "usage: test-backup-restore.sh ENV PROJECT_ID BIGQUERY_DATASET BUCKET DATAPROC_REGION CLUSTER"


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


def args(environment: str) -> tuple[str, ...]:
    project = fx.PROJECTS[environment]
    return (
        environment,
        project,
        f"hipaa_{environment}_curated",
        f"{project}-raw",
        fx.REGION,
        f"hipaa-{environment}-dataproc",
    )


def run(tools: FakeTools, environment: str = "dev", **env: str) -> Result:
    return tools.run(SCRIPT, *args(environment), env=env)


def cleaned_up(tools: FakeTools, environment: str = "dev") -> bool:
    n = fx.backup_names(environment)
    return (
        tools.called("bq", "rm", n["snapshot"])
        and tools.called("bq", "rm", n["restored"])
        and tools.called(
            "gcloud",
            "storage",
            "rm",
            "--all-versions",
            f"gs://{fx.PROJECTS[environment]}-raw/backup-restore-test/b123/**",
        )
        and tools.called("gcloud", "compute", "snapshots", "delete", n["disk_snapshot"])
    )


def test_all_three_restores_pass_and_everything_is_cleaned_up(tools: FakeTools) -> None:
    fx.backup_answers(tools)
    result = run(tools)
    assert result.returncode == 0, result.stderr
    assert result.reason == "test-backup-restore.sh: PASS: backup-restore: 10 checked, 0 violations"
    n = fx.backup_names()
    assert tools.called(
        "bq", "cp", "--snapshot", "--no_clobber", "nwh-analytics-dev:hipaa_dev_curated.claims", n["snapshot"]
    )
    assert tools.called("bq", "cp", "--restore", "--no_clobber", n["snapshot"], n["restored"])
    source_sql = (
        "SELECT COUNT(*) AS row_count, BIT_XOR(FARM_FINGERPRINT(TO_JSON_STRING(t))) AS checksum FROM "
        "(SELECT * FROM `nwh-analytics-dev.hipaa_dev_curated.claims` FOR SYSTEM_TIME AS OF "
        "TIMESTAMP('2026-11-24T14:44:09.917Z')) AS t"
    )
    assert tools.called("bq", "query", source_sql)
    assert tools.called("gcloud", "storage", "cp", f"{n['probe']}#1795963470201519", n["probe"])
    assert tools.called("gcloud", "disks", "snapshot", "hipaa-dev-dataproc-m", "--zone=us-central1-b")
    assert cleaned_up(tools)
    evidence = tools.evidence_of("backup-restore")
    assert evidence["status"] == "pass" and evidence["checked"] == 10


def test_every_copy_without_cmek_and_every_mismatch_is_listed(tools: FakeTools) -> None:
    # One run breaks every rule on the passing path; the evidence must name each of them.
    other_key = "projects/nwh-analytics-dev/locations/us-central1/keyRings/other/cryptoKeys/k"
    tools.on("bq", ["query", "--format=json"], stdout=fx.load(STEM, "fingerprint"), times=1)
    fx.backup_answers(
        tools,
        fingerprint=[{"row_count": "1203", "checksum": "881726354019283746"}],
        backups_dataset=fx.without(fx.load(STEM, "backups-dataset"), "defaultEncryptionConfiguration"),
        snapshot=fx.without(fx.load(STEM, "snapshot"), "encryptionConfiguration"),
        restored=fx.with_value(fx.load(STEM, "restored"), "encryptionConfiguration.kmsKeyName", other_key),
        bucket=fx.without(fx.load(STEM, "bucket"), "default_kms_key"),
        probe_restored=fx.without(
            fx.with_value(fx.load(STEM, "probe-restored"), "md5_hash", "Zt9cO2kq4yBvN8RfGw1pHA=="), "kms_key"
        ),
        disk_snapshot=fx.without(
            fx.with_value(fx.load(STEM, "disk-snapshot"), "status", "FAILED"), "snapshotEncryptionKey"
        ),
    )
    result = run(tools)
    assert result.returncode == 1
    assert result.reason == "test-backup-restore.sh: FAIL: backup-restore: 9 violation(s) in 10 checked"
    ring = fx.keyring("dev")
    n = fx.backup_names()
    assert tools.evidence_of("backup-restore")["violations"] == [
        f"dataset hipaa_dev_backups: default key is not a CMEK key from {ring}",
        f"snapshot {n['snapshot']}: not encrypted with a CMEK key from {ring}",
        f"restored table {n['restored']}: not encrypted with a CMEK key from {ring}",
        "table hipaa_dev_curated.claims: restored copy differs from the source (rows 1204 vs 1203, or checksum)",
        f"bucket nwh-analytics-dev-raw: default key is not a CMEK key from {ring}",
        "bucket nwh-analytics-dev-raw: restored generation 1795963470201519 differs from the original (md5/crc32c)",
        f"bucket nwh-analytics-dev-raw: restored object is not encrypted with a CMEK key from {ring}",
        "disk snapshot hipaa-dev-master-restore-test-b123: status is FAILED, not READY",
        f"disk snapshot hipaa-dev-master-restore-test-b123: not encrypted with a CMEK key from {ring}",
    ]
    assert cleaned_up(tools)


def test_an_empty_source_table_and_an_unversioned_bucket_prove_nothing(tools: FakeTools) -> None:
    fx.backup_answers(
        tools,
        fingerprint=[{"row_count": "0", "checksum": None}],
        bucket=fx.with_value(fx.load(STEM, "bucket"), "versioning_enabled", False),
    )
    result = run(tools)
    assert result.returncode == 1
    assert tools.evidence_of("backup-restore")["violations"] == [
        "table hipaa_dev_curated.claims: empty at the snapshot time, so the restore proves nothing",
        "bucket nwh-analytics-dev-raw: object versioning is off, so no prior version can be restored",
    ]
    assert not tools.called("gcloud", "storage", "cp")
    assert not tools.called("gcloud", "storage", "rm")


def test_a_failed_snapshot_creates_nothing_to_clean(tools: FakeTools) -> None:
    tools.on("bq", ["cp", "--snapshot"], exit=1, stderr="BigQuery error in cp operation: Access Denied: Table claims\n")
    fx.backup_answers(tools)
    result = run(tools)
    assert result.returncode == 1
    assert "snapshot claims: bq failed (exit 1): BigQuery error in cp operation: Access Denied" in result.reason
    assert not tools.called("bq", "rm")
    assert tools.evidence_of("backup-restore")["status"] == "fail"


def test_a_late_failure_still_removes_what_was_created(tools: FakeTools) -> None:
    tools.on(
        "gcloud",
        ["compute", "disks", "snapshot"],
        exit=1,
        stderr="ERROR: (gcloud.compute.disks.snapshot) Quota 'SNAPSHOTS' exceeded\n",
    )
    tools.on("gcloud", ["compute", "snapshots", "delete"], exit=1, stderr="ERROR: not found\n")
    fx.backup_answers(tools)
    result = run(tools)
    assert result.returncode == 1
    assert "FAIL: snapshot disk hipaa-dev-dataproc-m: gcloud failed (exit 1)" in result.stderr
    assert tools.called("bq", "rm", fx.backup_names()["snapshot"]) and tools.called(
        "bq", "rm", fx.backup_names()["restored"]
    )
    assert tools.called("gcloud", "storage", "rm", "--all-versions")
    assert result.reason.endswith(
        "WARNING: could not delete disk snapshot hipaa-dev-master-restore-test-b123; remove it by hand"
    )


@pytest.mark.parametrize(
    ("override", "reason"),
    [
        ({"tables": ""}, "tables of hipaa_dev_curated: bq printed nothing"),
        ({"tables": []}, "dataset hipaa_dev_curated has no table to back up"),
        ({"fingerprint": [{"rows": "3"}]}, "checksum of claims: expected one row with row_count and checksum"),
        ({"probe_versions": "[{"}, "probe versions: gcloud printed malformed JSON"),
        ({"master_instance": {"disks": []}}, "master hipaa-dev-dataproc-m: no boot disk"),
    ],
)
def test_empty_or_malformed_answers_fail_closed(tools: FakeTools, override: dict[str, Any], reason: str) -> None:
    fx.backup_answers(tools, **override)
    result = run(tools)
    assert result.returncode == 1 and reason in result.stderr
    assert tools.evidence_of("backup-restore")["status"] == "fail"


def test_a_failed_cleanup_after_good_restores_fails_the_gate(tools: FakeTools) -> None:
    tools.on("bq", ["rm", "-f", "-t"], exit=1, stderr="BigQuery error in rm operation: Access Denied\n")
    fx.backup_answers(tools)
    result = run(tools)
    assert result.returncode == 1
    assert tools.evidence_of("backup-restore")["violations"] == [
        f"cleanup: could not delete table {fx.backup_names()['snapshot']}",
        f"cleanup: could not delete table {fx.backup_names()['restored']}",
    ]


def test_prod_without_approval_creates_nothing(tools: FakeTools) -> None:
    tools.approve_build("PENDING")
    fx.backup_answers(tools, "prod")
    result = run(tools, "prod")
    assert result.returncode == 1 and "approval state is PENDING" in result.reason
    assert tools.calls("bq") == []
    assert not tools.called("gcloud", "storage", "cp")


def test_prod_with_approval_runs_on_the_chosen_table(tools: FakeTools) -> None:
    tools.approve_build()
    fx.backup_answers(tools, "prod")
    result = run(tools, "prod", BACKUP_SOURCE_TABLE="claims")
    assert result.returncode == 0, result.stderr
    assert not tools.called("bq", "ls")
    assert cleaned_up(tools, "prod")


@pytest.mark.parametrize(
    ("position", "value", "named"),
    [
        (2, "hipaa-dev-curated", "BIGQUERY_DATASET="),
        (3, "gs://nwh-analytics-dev-raw", "BUCKET="),
        (5, "Cluster_1", "CLUSTER="),
    ],
)
def test_malformed_argument_exits_2(tools: FakeTools, position: int, value: str, named: str) -> None:
    bad = list(args("dev"))
    bad[position] = value
    result = tools.run(SCRIPT, *bad)
    assert result.returncode == 2 and named in result.stderr and result.reason == USAGE
    assert tools.calls() == []


def test_malformed_source_table_setting_exits_2(tools: FakeTools) -> None:
    result = run(tools, BACKUP_SOURCE_TABLE="claims`; DROP TABLE x")
    assert result.returncode == 2 and "BACKUP_SOURCE_TABLE=" in result.stderr


def test_missing_argument_exits_2(tools: FakeTools) -> None:
    result = tools.run(SCRIPT, *args("dev")[:5])
    assert result.returncode == 2 and result.reason == USAGE
