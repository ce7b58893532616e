"""scripts/validate-encryption.sh: CMEK on every data resource, key rotation, TLS 1.3 on every load balancer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.scripts.fakes import FakeTools, Result
from tests.scripts.gcloud_fixtures import (
    KEYRING,
    PROJECT,
    REGION,
    Scenario,
    failed_closed,
    load,
    passed,
    usage_failed,
    violated,
)

SCRIPT = "validate-encryption.sh"
STEM = "validate-encryption"
GATE = "encryption"
USAGE = "validate-encryption.sh ENV PROJECT_ID KMS_KEYRING REGION"
DATASETS = ("hipaa_prod_raw", "hipaa_prod_curated", "hipaa_prod_deidentified")
OTHER_POLICY = "https://www.googleapis.com/compute/v1/projects/nwh-analytics-prd/global/sslPolicies/tls12"
OTHER_KEY = "projects/nwh-analytics-prd/locations/us-central1/keyRings/legacy-keyring/cryptoKeys/storage"


def compliant() -> Scenario:
    scenario = Scenario()
    scenario.add("keys", "gcloud", ["kms", "keys", "list", "--keyring", KEYRING], load(STEM, "keys"))
    scenario.add("buckets", "gcloud", ["storage", "buckets", "list", "--project", PROJECT], load(STEM, "buckets"))
    scenario.add("datasets", "bq", ["ls", f"--project_id={PROJECT}"], load(STEM, "datasets"))
    for dataset in DATASETS:
        scenario.add(dataset, "bq", ["show", f"{PROJECT}:{dataset}"], load(STEM, f"datasets/{dataset}"))
    clusters = load(STEM, "dataproc-clusters")
    scenario.add("dataproc", "gcloud", ["dataproc", "clusters", "list", "--region", REGION], clusters)
    scenario.add("gke", "gcloud", ["container", "clusters", "list", "--project", PROJECT], load(STEM, "gke-clusters"))
    scenario.add("disks", "gcloud", ["compute", "disks", "list", "--project", PROJECT], load(STEM, "disks"))
    scenario.add("topics", "gcloud", ["pubsub", "topics", "list", "--project", PROJECT], load(STEM, "topics"))
    for answer in ("target-https-proxies", "target-ssl-proxies", "target-http-proxies", "ssl-policies"):
        scenario.add(answer, "gcloud", ["compute", answer, "list", "--project", PROJECT], load(STEM, answer))
    return scenario


def run(tools: FakeTools, scenario: Scenario, env: str = "prod") -> Result:
    scenario.install(tools)
    return tools.run(SCRIPT, env, PROJECT, KEYRING, REGION)


def key(scenario: Scenario, purpose: str) -> dict[str, Any]:
    found: dict[str, Any] = next(k for k in scenario["keys"] if k["name"].endswith(f"/{purpose}-cmek"))
    return found


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


def test_compliant_project_passes_with_every_resource_counted(tools: FakeTools) -> None:
    evidence = passed(run(tools, compliant()), GATE)
    # 5 symmetric keys, 3 buckets, 3 datasets, 1 Dataproc cluster, GKE cluster + 1 pool, 2 disks, 1 topic,
    # 1 target HTTPS proxy (the Gateway's, regional) and its SSL policy
    assert evidence["checked"] == 19 and evidence["tool"] == "gcloud/bq/jq"
    assert tools.called("bq", "show", "--format=json", f"{PROJECT}:hipaa_prod_raw")


def test_bq_prints_nothing_for_a_project_without_datasets(tools: FakeTools) -> None:
    scenario = compliant()
    scenario.answers["datasets"].raw = ""
    assert passed(run(tools, scenario, env="dev"), GATE)["checked"] == 16


def _weak_keys(s: Scenario) -> None:
    key(s, "storage")["rotationPeriod"] = "15552000s"
    del key(s, "pubsub")["rotationPeriod"]
    key(s, "gke")["primary"]["state"] = "DESTROY_SCHEDULED"


def _unencrypted_storage(s: Scenario) -> None:
    del s["buckets"][0]["default_kms_key"]
    s["buckets"][1]["default_kms_key"] = OTHER_KEY
    del s["hipaa_prod_deidentified"]["defaultEncryptionConfiguration"]


def _unencrypted_compute(s: Scenario) -> None:
    del s["dataproc"][0]["config"]["encryptionConfig"]
    cluster = s["gke"][0]
    cluster["databaseEncryption"] = {"currentState": "CURRENT_STATE_DECRYPTED", "state": "DECRYPTED"}
    del cluster["nodePools"][0]["config"]["bootDiskKmsKey"]
    del s["disks"][1]["diskEncryptionKey"]
    del s["topics"][0]["kmsKeyName"]


def _weak_tls(s: Scenario) -> None:
    gateway = s["target-https-proxies"][0]
    s["ssl-policies"].append({**s["ssl-policies"][0], "name": "legacy-tls12", "minTlsVersion": "TLS_1_2"})
    s["ssl-policies"].append({**s["ssl-policies"][0], "name": "default-like", "profile": "COMPATIBLE"})
    del s["ssl-policies"][-1]["minTlsVersion"]
    unprotected = {**gateway, "name": "admin-https"}
    del unprotected["sslPolicy"]
    dangling = {**gateway, "name": "reports-ssl", "kind": "compute#targetSslProxy", "sslPolicy": OTHER_POLICY}
    s["target-https-proxies"].append(unprotected)
    s["target-ssl-proxies"].append(dangling)
    s["target-http-proxies"].append({"name": "api-http", "kind": "compute#targetHttpProxy"})


RING = "hipaa-prod-keyring"
VIOLATIONS: dict[str, tuple[Callable[[Scenario], None], list[str]]] = {
    "key-rotation-and-state": (
        _weak_keys,
        [
            "key storage-cmek: rotation period 15552000s exceeds 90 days (7776000s)",
            "key gke-cmek: primary version is DESTROY_SCHEDULED, not ENABLED",
            "key pubsub-cmek: no automatic rotation period",
        ],
    ),
    "storage-and-bigquery": (
        _unencrypted_storage,
        [
            f"bucket nwh-analytics-prd-raw: no CMEK key from {RING}",
            f"bucket nwh-analytics-prd-curated: no CMEK key from {RING}",
            f"dataset hipaa_prod_deidentified: no CMEK key from {RING}",
        ],
    ),
    "compute-and-messaging": (
        _unencrypted_compute,
        [
            f"Dataproc cluster hipaa-prod-dataproc: no CMEK key from {RING}",
            "GKE cluster hipaa-prod-gke: application-layer secrets encryption is not on",
            f"GKE cluster hipaa-prod-gke secrets: no CMEK key from {RING}",
            f"GKE node pool hipaa-prod-gke/hipaa-prod-pool boot disks: no CMEK key from {RING}",
            f"disk gke-hipaa-prod-gke-hipaa-prod-pool-3f9a1c2e-x7k2 (us-central1-b): no CMEK key from {RING}",
            f"Pub/Sub topic hipaa-prod-ingest: no CMEK key from {RING}",
        ],
    ),
    "tls": (
        _weak_tls,
        [
            "SSL policy legacy-tls12: minimum TLS_1_2, not TLS_1_3",
            "SSL policy default-like: minimum TLS_1_0, not TLS_1_3",
            "SSL policy default-like: profile COMPATIBLE, not RESTRICTED or MODERN",
            "target HTTPS proxy admin-https: no SSL policy (Google default allows TLS 1.0)",
            "target SSL proxy reports-ssl: SSL policy tls12 not found",
            "target HTTP proxy api-http: a plain-HTTP listener",
        ],
    ),
}


@pytest.mark.parametrize("family", VIOLATIONS)
def test_each_broken_rule_fails_naming_the_resource(tools: FakeTools, family: str) -> None:
    change, expected = VIOLATIONS[family]
    scenario = compliant()
    change(scenario)
    assert violated(run(tools, scenario, env="dev"), GATE, expected[0]) == expected


@pytest.mark.parametrize(
    ("answer", "how", "what"),
    [
        ("keys", "error", f"keys of {KEYRING}"),
        ("hipaa_prod_curated", "empty", "dataset hipaa_prod_curated"),
        ("datasets", "malformed", f"datasets of {PROJECT}"),
        ("ssl-policies", "error", f"SSL policies of {PROJECT}"),
        ("target-ssl-proxies", "malformed", f"target SSL proxies of {PROJECT}"),
    ],
)
def test_tool_failure_empty_or_malformed_output_fails_closed(
    tools: FakeTools, answer: str, how: str, what: str
) -> None:
    scenario = compliant().break_answer(answer, how)
    failed_closed(run(tools, scenario), GATE, what, scenario.answers[answer].tool, how)


@pytest.mark.parametrize(
    "args",
    [
        ("prod", PROJECT, KEYRING),
        ("test", PROJECT, KEYRING, REGION),
        ("prod", PROJECT, f"{KEYRING}/cryptoKeys/storage-cmek", REGION),
        ("prod", PROJECT, KEYRING, "us-central"),
    ],
)
def test_missing_or_malformed_arguments_exit_2(tools: FakeTools, args: tuple[str, ...]) -> None:
    usage_failed(tools.run(SCRIPT, *args), USAGE)
