"""scripts/validate-encryption.sh: CMEK on every data resource, key rotation, TLS 1.3 on every load balancer,
and every listing against the expected inventory (security/inventory/<env>.json)."""

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
    failed,
    failed_closed,
    load,
    passed,
    usage_failed,
    violated,
)
from tests.scripts.inventory_world import COUNTS, for_env, key_template, listing, planned, scope

SCRIPT = "validate-encryption.sh"
STEM = "validate-encryption"
GATE = "encryption"
USAGE = "validate-encryption.sh ENV PROJECT_ID KMS_KEYRING REGION"
OTHER_POLICY = "https://www.googleapis.com/compute/v1/projects/nwh-analytics-prd/global/sslPolicies/tls12"
OTHER_KEY = "projects/nwh-analytics-prd/locations/us-central1/keyRings/legacy-keyring/cryptoKeys/storage"


def compliant(env: str = "prod") -> Scenario:
    """The environment as its inventory plans it, plus what no plan holds (disks, load balancers)."""
    s = scope(env)
    project, keyring, region = s["project"], s["keyring"], s["region"]
    keys = load(STEM, "keys")
    datasets = listing(env, "datasets", load(STEM, "datasets/hipaa_prod_raw"))
    scenario = Scenario()
    scenario.add(
        "keys",
        "gcloud",
        ["kms", "keys", "list", "--keyring", keyring],
        listing(env, "keys", key_template(keys[0], keys[-1])),
    )
    scenario.add(
        "buckets",
        "gcloud",
        ["storage", "buckets", "list", "--project", project],
        listing(env, "buckets", load(STEM, "buckets")[0]),
    )
    scenario.add(
        "datasets", "bq", ["ls", f"--project_id={project}"], listing(env, "datasets", load(STEM, "datasets")[0])
    )
    for dataset in datasets:
        dataset_id = dataset["datasetReference"]["datasetId"]
        scenario.add(dataset_id, "bq", ["show", f"{project}:{dataset_id}"], dataset)
    clusters = listing(env, "dataproc_clusters", load(STEM, "dataproc-clusters")[0])
    scenario.add("dataproc", "gcloud", ["dataproc", "clusters", "list", "--region", region], clusters)
    gke = listing(env, "gke_clusters", load(STEM, "gke-clusters")[0])
    scenario.add("gke", "gcloud", ["container", "clusters", "list", "--project", project], gke)
    scenario.add(
        "disks", "gcloud", ["compute", "disks", "list", "--project", project], for_env(env, load(STEM, "disks"))
    )
    scenario.add("topics", "gcloud", ["pubsub", "topics", "list", "--project", project], listing(env, "topics"))
    secrets = listing(env, "secrets", load(STEM, "secrets")[0])
    scenario.add("secrets", "gcloud", ["secrets", "list", "--project", project], secrets)
    for answer in ("target-https-proxies", "target-ssl-proxies", "target-http-proxies", "ssl-policies"):
        scenario.add(
            answer, "gcloud", ["compute", answer, "list", "--project", project], for_env(env, load(STEM, answer))
        )
    return scenario


def run(tools: FakeTools, scenario: Scenario, env: str = "prod") -> Result:
    scenario.install(tools)
    s = scope(env)
    return tools.run(SCRIPT, env, s["project"], s["keyring"], s["region"])


def key(scenario: Scenario, purpose: str) -> dict[str, Any]:
    found: dict[str, Any] = next(k for k in scenario["keys"] if k["name"].endswith(f"/{purpose}-cmek"))
    return found


def named(scenario: Scenario, answer: str, name: str, field: str = "name") -> dict[str, Any]:
    found: dict[str, Any] = next(r for r in scenario[answer] if r[field] == name)
    return found


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


# (planned resources, planned property values) the gate compares in each environment
PLANNED = {"dev": (29, 82), "staging": (30, 83), "prod": (31, 86)}


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_compliant_project_passes_with_every_resource_counted(tools: FakeTools, env: str) -> None:
    evidence = passed(run(tools, compliant(env), env), GATE)
    if env == "prod":
        # 11 symmetric keys, 9 buckets (one the Kerberos password's), 7 datasets, 1 Dataproc cluster,
        # GKE cluster + 1 pool, 2 disks, 1 secret, 1 target HTTPS proxy (the Gateway's, regional) and
        # its SSL policy
        assert evidence["checked"] == 35 and evidence["tool"] == "gcloud/bq/jq"
        assert tools.called("bq", "show", "--format=json", f"{PROJECT}:hipaa_prod_raw")
        assert tools.called("gcloud", "secrets", "list", "--project", PROJECT, "--format=json")
    # every planned key, bucket, dataset, cluster and secret was found with the planned properties
    inventory = evidence["inventory"]
    assert inventory["file"] == f"security/inventory/{env}.json"
    assert {k: inventory[k] for k in COUNTS} == planned(env, GATE)
    assert (inventory["expected"], inventory["properties"]) == PLANNED[env]


RAW_BUCKET = f"{PROJECT}-phi-raw"


def test_a_planned_bucket_that_disappeared_fails_naming_it(tools: FakeTools) -> None:
    scenario = compliant()
    scenario["buckets"].remove(named(scenario, "buckets", RAW_BUCKET))
    evidence = failed(run(tools, scenario), GATE)
    assert evidence["violations"] == [f"bucket {RAW_BUCKET}: planned but not found"]
    assert evidence["inventory"]["missing"] == 1 and evidence["inventory"]["found"] == 30


def test_a_dataset_recreated_under_another_name_without_cmek_is_unmanaged(tools: FakeTools) -> None:
    scenario = compliant("staging")
    project = scope("staging")["project"]
    copy = {**scenario["hipaa_staging_curated"], "datasetReference": {"datasetId": "curated_v2", "projectId": project}}
    del copy["defaultEncryptionConfiguration"]
    scenario["datasets"] = [
        d for d in scenario["datasets"] if d["datasetReference"]["datasetId"] != "hipaa_staging_curated"
    ]
    scenario["datasets"].append(copy)
    scenario.add("curated_v2", "bq", ["show", f"{project}:curated_v2"], copy)
    assert violated(run(tools, scenario, "staging"), GATE, "dataset curated_v2: not in the inventory (unmanaged)") == [
        "dataset hipaa_staging_curated: planned but not found",
        "dataset curated_v2: not in the inventory (unmanaged)",
        "dataset curated_v2: no CMEK key from hipaa-staging-keyring",
    ]


def test_dev_reports_an_unmanaged_bucket_without_failing(tools: FakeTools) -> None:
    scenario = compliant("dev")
    scenario["buckets"].append({**scenario["buckets"][0], "name": "scratch-by-hand"})
    result = run(tools, scenario, "dev")
    evidence = passed(result, GATE)
    assert evidence["inventory"]["unmanaged"] == 1
    assert evidence["inventory"]["unmanaged_tolerated"] == ["bucket scratch-by-hand: not in the inventory (unmanaged)"]
    assert "unmanaged, tolerated in dev: bucket scratch-by-hand" in result.stderr


def test_a_topic_where_the_plan_has_none_is_unmanaged_even_with_cmek(tools: FakeTools) -> None:
    # No stack plans a Pub/Sub topic in the project: an empty listing is compliant, and any topic is
    # one nobody planned, whatever its key.
    scenario = compliant()
    assert scenario["topics"] == []
    hand_made = load(STEM, "topics")[0]
    scenario["topics"] = [hand_made, {**hand_made, "name": f"projects/{PROJECT}/topics/plain", "kmsKeyName": ""}]
    evidence = failed(run(tools, scenario), GATE)
    assert evidence["violations"] == [
        f"Pub/Sub topic projects/{PROJECT}/topics/hipaa-prod-ingest: not in the inventory (unmanaged)",
        f"Pub/Sub topic projects/{PROJECT}/topics/plain: not in the inventory (unmanaged)",
        f"Pub/Sub topic plain: no CMEK key from {RING}",
    ]
    assert (evidence["inventory"]["unmanaged"], evidence["inventory"]["expected"]) == (2, 31)


def test_a_property_that_differs_from_the_plan_fails(tools: FakeTools) -> None:
    scenario = compliant()
    named(scenario, "buckets", RAW_BUCKET)["public_access_prevention"] = "inherited"
    del named(scenario, "secrets", "projects/731522004816/secrets/hipaa-prod-mrn-hmac-key")["replication"]
    evidence = failed(run(tools, scenario), GATE)
    assert evidence["violations"] == [
        f"bucket {RAW_BUCKET}: public_access_prevention is inherited, the inventory expects enforced",
        "secret hipaa-prod-mrn-hmac-key: replication.userManaged.replicas differs from the inventory",
        "secret hipaa-prod-mrn-hmac-key: no CMEK key from hipaa-prod-keyring",
    ]
    assert evidence["inventory"]["mismatched"] == 2


def test_an_empty_listing_where_resources_are_planned_is_a_tool_error(tools: FakeTools) -> None:
    scenario = compliant()
    scenario.answers["datasets"].raw = ""  # bq prints nothing for a project without datasets
    result = run(tools, scenario)
    evidence = failed(result, GATE)
    reason = f"datasets of {PROJECT}: listed nothing, but the inventory plans 7 dataset(s)"
    assert result.reason == f"{SCRIPT}: FAIL: {reason}" and evidence["violations"][-1] == reason


def _weak_keys(s: Scenario) -> None:
    key(s, "storage")["rotationPeriod"] = "15552000s"
    del key(s, "pubsub")["rotationPeriod"]
    key(s, "gke")["primary"]["state"] = "DESTROY_SCHEDULED"


def _unencrypted_storage(s: Scenario) -> None:
    del named(s, "buckets", RAW_BUCKET)["default_kms_key"]
    named(s, "buckets", f"{PROJECT}-curated")["default_kms_key"] = OTHER_KEY
    del s["hipaa_prod_deidentified"]["defaultEncryptionConfiguration"]


def _unencrypted_compute(s: Scenario) -> None:
    del s["dataproc"][0]["config"]["encryptionConfig"]
    cluster = s["gke"][0]
    cluster["databaseEncryption"] = {"currentState": "CURRENT_STATE_DECRYPTED", "state": "DECRYPTED"}
    del cluster["nodePools"][0]["config"]["bootDiskKmsKey"]
    del s["disks"][1]["diskEncryptionKey"]


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
KEYS = f"{KEYRING}/cryptoKeys"
STORAGE_KEY, COMPUTE_KEY = f"{KEYS}/storage-cmek", f"{KEYS}/compute-cmek"
# One run per rule family: the rule's own violations, then what the inventory comparison adds.
VIOLATIONS: dict[str, tuple[Callable[[Scenario], None], list[str]]] = {
    "key-rotation-and-state": (
        _weak_keys,
        [
            "key storage-cmek: rotation period 15552000s exceeds 90 days (7776000s)",
            "key gke-cmek: primary version is DESTROY_SCHEDULED, not ENABLED",
            "key pubsub-cmek: no automatic rotation period",
            f"key {KEYS}/pubsub-cmek: rotationPeriod is not set, the inventory expects 2592000s",
            f"key {STORAGE_KEY}: rotationPeriod is 15552000s, the inventory expects 2592000s",
        ],
    ),
    "storage-and-bigquery": (
        _unencrypted_storage,
        [
            f"bucket {PROJECT}-curated: no CMEK key from {RING}",
            f"bucket {RAW_BUCKET}: no CMEK key from {RING}",
            f"dataset hipaa_prod_deidentified: no CMEK key from {RING}",
            f"bucket {PROJECT}-curated: default_kms_key is {OTHER_KEY}, the inventory expects {STORAGE_KEY}",
            f"bucket {RAW_BUCKET}: default_kms_key is not set, the inventory expects {STORAGE_KEY}",
            "dataset hipaa_prod_deidentified: defaultEncryptionConfiguration.kmsKeyName is not set, "
            f"the inventory expects {KEYS}/bigquery-cmek",
        ],
    ),
    "compute-and-messaging": (
        _unencrypted_compute,
        [
            f"Dataproc cluster hipaa-prod-dataproc: no CMEK key from {RING}",
            "GKE cluster hipaa-prod-gke: application-layer secrets encryption is not on",
            f"GKE cluster hipaa-prod-gke secrets: no CMEK key from {RING}",
            f"GKE node pool hipaa-prod-gke/hardened boot disks: no CMEK key from {RING}",
            f"disk gke-hipaa-prod-gke-hipaa-prod-pool-3f9a1c2e-x7k2 (us-central1-b): no CMEK key from {RING}",
            "Dataproc cluster hipaa-prod-dataproc: config.encryptionConfig.gcePdKmsKeyName is not set, "
            f"the inventory expects {COMPUTE_KEY}",
            f"GKE cluster hipaa-prod-gke: databaseEncryption.keyName is not set, the inventory expects {KEYS}/gke-cmek",
            "GKE cluster hipaa-prod-gke: databaseEncryption.state is DECRYPTED, the inventory expects ENCRYPTED",
            "GKE cluster hipaa-prod-gke: nodePools differs from the inventory",
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
    assert sorted(violated(run(tools, scenario), GATE, expected[0])) == sorted(expected)


@pytest.mark.parametrize(
    ("answer", "how", "what"),
    [
        ("keys", "error", f"keys of {KEYRING}"),
        ("hipaa_prod_curated", "empty", "dataset hipaa_prod_curated"),
        ("datasets", "malformed", f"datasets of {PROJECT}"),
        ("secrets", "error", f"secrets of {PROJECT}"),
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
