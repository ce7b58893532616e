"""The world answers in the shapes the script tests recorded (tests/scripts/fixtures/), from the plan.

For each answer, every field path of the recorded item that a script reads must be in the world's
item too; the fields the world leaves out are listed here, so a new gap is a failing test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.pipeline.simulate.worlds import World, make_world
from tests.scripts.gcloud_fixtures import load


def paths(value: Any, prefix: str = "") -> set[str]:
    if isinstance(value, dict):
        return {p for k, v in value.items() for p in paths(v, f"{prefix}.{k}" if prefix else k)} or {prefix}
    if isinstance(value, list):
        return {p for item in value[:1] for p in paths(item, f"{prefix}[]")} or {prefix}
    return {prefix}


def missing(recorded: Any, answered: Any, cosmetic: set[str]) -> set[str]:
    return {p for p in paths(recorded) - paths(answered) if not any(p.startswith(c) for c in cosmetic)}


@pytest.fixture(scope="module")
def prod(tmp_path_factory: pytest.TempPathFactory) -> World:
    return make_world(tmp_path_factory.mktemp("world"), "prod")


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> World:
    return make_world(tmp_path_factory.mktemp("world"), "dev")


def first(answer: Any, where: str, value: str) -> Any:
    return next(item for item in answer if str(item.get(where, "")).endswith(value))


def test_kms_keys(prod: World) -> None:
    answer = prod.call("gcloud", "kms", "keys", "list", "--keyring", prod.keyring, "--format=json")
    assert answer.code == 0, answer.err
    world = first(answer.json, "name", "storage-cmek")
    assert missing(load("validate-encryption", "keys")[0], world, {"nextRotationTime"}) == set()
    assert world["rotationPeriod"] == "2592000s" and world["primary"]["protectionLevel"] == "HSM"


def test_buckets_and_datasets(prod: World) -> None:
    buckets = prod.call("gcloud", "storage", "buckets", "list", "--project", prod.project, "--format=json").json
    recorded = load("validate-encryption", "buckets")[0]
    assert (
        missing(recorded, first(buckets, "name", "-curated"), {"generation", "rpo", "update_time", "soft_delete"})
        == set()
    )
    listing = prod.call("bq", "ls", "--format=json", f"--project_id={prod.project}", "--max_results=10000").json
    assert missing(load("validate-encryption", "datasets")[0], listing[0], set()) == set()
    shown = prod.call("bq", "show", "--format=json", f"{prod.project}:hipaa_prod_curated").json
    recorded_dataset = load("validate-access-controls", "datasets/hipaa_prod_curated")
    assert missing(recorded_dataset, shown, {"etag", "lastModifiedTime", "selfLink", "access[]."}) == set()


def test_dataproc_cluster_has_every_field_the_checks_read(dev: World) -> None:
    answer = dev.call(
        "gcloud",
        "dataproc",
        "clusters",
        "describe",
        "hipaa-dev-dataproc",
        f"--project={dev.project}",
        "--region=us-central1",
        "--format=json",
    )
    cosmetic = {
        "config.masterConfig.",
        "config.workerConfig.",
        "config.lifecycleConfig.idleStartTime",
        "labels.goog",
        "status.",
        "config.softwareConfig.properties",
        "config.endpointConfig",
        "statusHistory",
        "metrics",
    }
    assert missing(load("deploy-dataproc-hipaa", "cluster"), answer.json, cosmetic) == set()


def test_iam_policy_audit_config_and_sinks(prod: World) -> None:
    policy = prod.call("gcloud", "projects", "get-iam-policy", prod.project, "--format=json").json
    assert missing(load("validate-audit-logs", "iam-policy"), policy, {"etag", "version"}) == set()
    sinks = prod.call("gcloud", "logging", "sinks", "list", "--project", prod.project, "--format=json").json
    siem = first(sinks, "name", "siem-sink")
    assert missing(load("validate-audit-logs", "sinks")[0], siem, {"createTime", "updateTime"}) == set()


def test_perimeter(prod: World) -> None:
    name = prod.build.substitutions["_VPC_SC_PERIMETER"]
    answer = prod.call("gcloud", "access-context-manager", "perimeters", "describe", name, "--format=json")
    recorded = load("validate-env-hipaa", "perimeter")
    assert missing(recorded, answer.json, {"status.ingressPolicies", "useExplicitDryRunSpec", "etag"}) == set()


def test_the_world_lives_under_its_run_directory(prod: World) -> None:
    assert Path(prod.path, "state.json").is_file()
    assert all(p.is_relative_to(prod.run.root) for p in Path(prod.path).rglob("*"))
