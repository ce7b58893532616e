"""The world's services through the command lines the scripts send, in the order the scripts send them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.simulate.world import state as world_state
from tests.pipeline.simulate.worlds import World, make_world

P = "nwh-analytics-dev"
REGION = "us-central1"


@pytest.fixture
def dev(tmp_path: Path) -> World:
    return make_world(tmp_path, "dev")


def ok(world: World, tool: str, *argv: str) -> str:
    answer = world.call(tool, *argv)
    assert answer.code == 0, answer.err
    return answer.out


def test_dataproc_cluster_lifecycle_and_jobs(dev: World) -> None:
    keyring = dev.keyring
    create = [
        "dataproc",
        "clusters",
        "create",
        "it-1",
        f"--project={P}",
        f"--region={REGION}",
        "--image-version=2.2-debian12",
        "--no-address",
        "--subnet=hipaa-dev-private",
        f"--gce-pd-kms-key={keyring}/cryptoKeys/compute-cmek",
        "--shielded-secure-boot",
        "--shielded-vtpm",
        "--shielded-integrity-monitoring",
        "--delete-max-idle=30m",
        f"--bucket={P}-dataproc-staging",
        f"--temp-bucket={P}-dataproc-temp",
        "--labels=a=b",
        f"--autoscaling-policy=projects/{P}/regions/{REGION}/autoscalingPolicies/hipaa-dev-autoscaling",
    ]
    ok(dev, "gcloud", *create)
    assert "ALREADY_EXISTS" in dev.call("gcloud", *create).err
    cluster = json.loads(
        ok(
            dev,
            "gcloud",
            "dataproc",
            "clusters",
            "describe",
            "it-1",
            f"--project={P}",
            f"--region={REGION}",
            "--format=json",
        )
    )
    assert cluster["config"]["lifecycleConfig"]["idleDeleteTtl"] == "1800s"
    assert cluster["config"]["softwareConfig"]["imageVersion"] == "2.2.45-debian12"
    listed = ok(
        dev,
        "gcloud",
        "dataproc",
        "clusters",
        "list",
        f"--project={P}",
        f"--region={REGION}",
        "--filter=clusterName=it-1",
        "--format=json",
    )
    assert [c["clusterName"] for c in json.loads(listed)] == ["it-1"]
    ok(
        dev,
        "gcloud",
        "dataproc",
        "clusters",
        "update",
        "it-1",
        f"--project={P}",
        f"--region={REGION}",
        "--no-delete-max-idle",
    )
    secret = f"projects/{P}/secrets/hipaa-dev-mrn-hmac-key/versions/1"
    submit = [
        "dataproc",
        "jobs",
        "submit",
        "pyspark",
        f"gs://{P}-artifacts/main.py",
        f"--project={P}",
        f"--region={REGION}",
        "--cluster=it-1",
        "--async",
        "--format=json",
        "--",
        f"--hmac-key-version={secret}",
        f"--kms-key={keyring}/cryptoKeys/bigquery-cmek",
    ]
    job = json.loads(ok(dev, "gcloud", *submit))
    assert job["status"]["state"] == "ERROR" and "main.py not found" in job["status"]["details"]
    described = ok(
        dev,
        "gcloud",
        "dataproc",
        "jobs",
        "describe",
        job["reference"]["jobId"],
        f"--project={P}",
        f"--region={REGION}",
        "--format=json",
    )
    assert json.loads(described)["status"]["state"] == "ERROR"
    ok(dev, "gcloud", "dataproc", "clusters", "delete", "it-1", f"--project={P}", f"--region={REGION}", "--quiet")
    assert (
        dev.call("gcloud", "dataproc", "clusters", "describe", "it-1", f"--project={P}", f"--region={REGION}").code == 1
    )


def test_monitoring_logging_pubsub_and_secrets(dev: World, tmp_path: Path) -> None:
    (tmp_path / "metric.json").write_text(
        json.dumps({"filter": "severity>=ERROR", "description": "d"}), encoding="utf-8"
    )
    ok(
        dev,
        "gcloud",
        "logging",
        "metrics",
        "create",
        "new-metric",
        f"--config-from-file={tmp_path / 'metric.json'}",
        "--project",
        P,
    )
    metrics = json.loads(ok(dev, "gcloud", "logging", "metrics", "list", "--project", P, "--format=json"))
    assert "new-metric" in [m["name"] for m in metrics]
    (tmp_path / "channel.json").write_text(json.dumps({"type": "pubsub", "labels": {"topic": "t"}}), encoding="utf-8")
    channel = json.loads(
        ok(
            dev,
            "gcloud",
            "beta",
            "monitoring",
            "channels",
            "create",
            f"--channel-content-from-file={tmp_path / 'channel.json'}",
            "--project",
            P,
            "--format=json",
        )
    )
    (tmp_path / "policy.json").write_text(
        json.dumps({"displayName": "p", "notificationChannels": [channel["name"]]}), encoding="utf-8"
    )
    ok(
        dev,
        "gcloud",
        "alpha",
        "monitoring",
        "policies",
        "create",
        f"--policy-from-file={tmp_path / 'policy.json'}",
        "--project",
        P,
        "--format=json",
    )
    policies = json.loads(ok(dev, "gcloud", "alpha", "monitoring", "policies", "list", "--project", P, "--format=json"))
    assert any(p["displayName"] == "p" and p["enabled"] for p in policies)
    assert json.loads(ok(dev, "gcloud", "beta", "monitoring", "channels", "list", "--project", P, "--format=json"))
    topic = "projects/nwh-security-dev/topics/hipaa-deployments"
    published = ok(
        dev, "gcloud", "pubsub", "topics", "publish", topic, "--message={}", "--attribute=verdict=pass", "--format=json"
    )
    assert json.loads(published)["messageIds"]
    assert dev.state()["pubsub"]["messages"][0]["attributes"] == {"verdict": "pass"}
    assert dev.call("gcloud", "pubsub", "topics", "publish", "projects/x/topics/y", "--message={}").code == 1
    assert ok(dev, "gcloud", "pubsub", "topics", "list", "--project", P, "--format=json").strip() == "[]"
    versions = json.loads(
        ok(dev, "gcloud", "secrets", "versions", "list", "hipaa-dev-mrn-hmac-key", f"--project={P}", "--format=json")
    )
    assert [v["state"] for v in versions] == ["ENABLED"]
    bucket = f"projects/nwh-siem-dev/locations/{REGION}/buckets/hipaa-dev-audit-logs"
    assert dev.state()["logging"]["buckets"][bucket]["locked"] is False


def test_iam_compute_and_auth(dev: World) -> None:
    accounts = json.loads(ok(dev, "gcloud", "iam", "service-accounts", "list", "--project", P, "--format=json"))
    email = accounts[0]["email"]
    keys = ok(
        dev,
        "gcloud",
        "iam",
        "service-accounts",
        "keys",
        "list",
        "--iam-account",
        email,
        "--managed-by",
        "user",
        "--project",
        P,
        "--format=json",
    )
    assert json.loads(keys) == []
    assert ok(dev, "gcloud", "auth", "print-access-token").startswith("ya29.simulated-")
    instances = json.loads(ok(dev, "gcloud", "compute", "instances", "list", "--project", P, "--format=json"))
    master = next(i for i in instances if i["name"] == "hipaa-dev-dataproc-m")
    ok(
        dev,
        "gcloud",
        "compute",
        "instances",
        "describe",
        master["name"],
        f"--project={P}",
        f"--zone={REGION}-a",
        "--format=json",
    )
    ok(
        dev,
        "gcloud",
        "compute",
        "disks",
        "snapshot",
        master["name"],
        f"--project={P}",
        f"--zone={REGION}-a",
        "--snapshot-names=s1",
        f"--storage-location={REGION}",
    )
    snapshot = json.loads(
        ok(dev, "gcloud", "compute", "snapshots", "describe", "s1", f"--project={P}", "--format=json")
    )
    assert snapshot["status"] == "READY" and "compute-cmek" in snapshot["snapshotEncryptionKey"]["kmsKeyName"]
    ok(dev, "gcloud", "compute", "snapshots", "delete", "s1", f"--project={P}", "--quiet")
    assert dev.call("gcloud", "compute", "snapshots", "delete", "s1", f"--project={P}").code == 1
    for group in ("networks", "routes", "firewall-rules", "ssl-policies", "target-https-proxies", "disks"):
        assert isinstance(
            json.loads(ok(dev, "gcloud", "compute", group, "list", "--project", P, "--format=json")), list
        )


def test_bigquery_snapshot_restore_fingerprint_and_model(dev: World) -> None:
    source, snapshot, restored = (
        f"{P}:hipaa_dev_curated.encounters",
        f"{P}:hipaa_dev_backups.snap",
        f"{P}:hipaa_dev_backups.back",
    )
    ok(dev, "bq", f"--project_id={P}", "cp", "--snapshot", "--no_clobber", "--expiration=86400", source, snapshot)
    shown = json.loads(ok(dev, "bq", f"--project_id={P}", "show", "--format=json", snapshot))
    assert shown["type"] == "SNAPSHOT" and shown["encryptionConfiguration"]["kmsKeyName"].endswith("bigquery-cmek")
    ok(dev, "bq", f"--project_id={P}", "cp", "--restore", "--no_clobber", "--expiration=86400", snapshot, restored)

    def fingerprint(table: str) -> list[dict[str, str]]:
        # The script's query text (test-backup-restore.sh), a fixed shape with the table filled in.
        head = "SELECT COUNT(*) AS row_count, BIT_XOR(FARM_FINGERPRINT(TO_JSON_STRING(t))) AS checksum FROM "
        sql = "".join((head, "(SELECT * FROM `", table, "`) AS t"))
        answer: list[dict[str, str]] = json.loads(
            ok(dev, "bq", f"--project_id={P}", "query", "--format=json", "--nouse_legacy_sql", "--nouse_cache", sql)
        )
        return answer

    assert fingerprint(f"{P}.hipaa_dev_curated.encounters") == fingerprint(f"{P}.hipaa_dev_backups.back")
    ok(dev, "bq", f"--project_id={P}", "rm", "-f", "-t", restored)
    assert dev.call("bq", f"--project_id={P}", "show", "--format=json", restored).code == 1
    sql_dir = Path(__file__).resolve().parents[3] / "scripts" / "sql"
    key = f"{dev.keyring}/cryptoKeys/bigquery-cmek"
    fill = {
        "{{PROJECT}}": P,
        "{{DATASET}}": "hipaa_dev_deidentified",
        "{{MODEL}}": "m",
        "{{VERTEX_MODEL_ID}}": "hipaa-dev-model",
        "{{KMS_KEY}}": key,
    }

    def render(name: str) -> str:
        text = "\n".join(
            line for line in (sql_dir / name).read_text(encoding="utf-8").splitlines() if not line.startswith("--")
        )
        for placeholder, value in fill.items():
            text = text.replace(placeholder, value)
        return text

    ok(dev, "bq", f"--project_id={P}", "query", "--format=json", "--use_legacy_sql=false", render("bqml-train.sql"))
    model = json.loads(
        ok(dev, "bq", f"--project_id={P}", "show", "--model", "--format=json", f"{P}:hipaa_dev_deidentified.m")
    )
    assert (
        model["encryptionConfiguration"]["kmsKeyName"] == key
        and model["trainingRuns"][-1]["vertexAiModelId"] == "hipaa-dev-model"
    )
    metrics = json.loads(
        ok(
            dev,
            "bq",
            f"--project_id={P}",
            "query",
            "--format=json",
            "--use_legacy_sql=false",
            render("bqml-evaluate.sql"),
        )
    )
    assert float(metrics[0]["r2_score"]) > 0.5
    models = json.loads(
        ok(dev, "gcloud", "ai", "models", "list", f"--project={P}", f"--region={REGION}", "--format=json")
    )
    assert models[0]["name"].endswith("/models/hipaa-dev-model")


def test_vertex_deploy_and_cosign(dev: World) -> None:
    with world_state.locked(dev.path) as state:
        state["vertex"]["models"].append(
            {"displayName": "m", "name": "projects/1/locations/us-central1/models/42", "encryptionSpec": {}}
        )
    endpoint = json.loads(
        ok(dev, "gcloud", "ai", "endpoints", "list", f"--project={P}", f"--region={REGION}", "--format=json")
    )[0]
    endpoint_id = endpoint["name"].rsplit("/", 1)[-1]
    ok(
        dev,
        "gcloud",
        "ai",
        "endpoints",
        "deploy-model",
        endpoint_id,
        f"--project={P}",
        f"--region={REGION}",
        "--model=42",
        "--display-name=m",
        "--machine-type=n1-standard-4",
        "--min-replica-count=1",
        "--max-replica-count=2",
        "--traffic-split=0=100",
        "--disable-container-logging",
    )
    after = json.loads(
        ok(
            dev,
            "gcloud",
            "ai",
            "endpoints",
            "describe",
            endpoint_id,
            f"--project={P}",
            f"--region={REGION}",
            "--format=json",
        )
    )
    deployed = after["deployedModels"][0]
    assert after["trafficSplit"] == {deployed["id"]: 100} and deployed["privateEndpoints"]["predictHttpUri"]
    image = f"{REGION}-docker.pkg.dev/{P}/hipaa-dev-images/hipaa-api@sha256:" + "ab" * 32
    key = f"gcpkms://{dev.keyring}/cryptoKeys/image-signing/cryptoKeyVersions/1"
    assert "MANIFEST_UNKNOWN" in dev.call("cosign", "sign", "--key", key, "--tlog-upload=false", "--yes", image).err
    with world_state.locked(dev.path) as state:
        state["artifactRegistry"]["images"][image] = {"digest": "sha256:" + "ab" * 32}
    ok(dev, "cosign", "sign", "--key", key, "--tlog-upload=false", "--yes", image)
    verified = json.loads(ok(dev, "cosign", "verify", "--key", key, "--insecure-ignore-tlog=true", image))
    assert verified[0]["critical"]["image"]["docker-manifest-digest"] == "sha256:" + "ab" * 32
    wrong_key = key.replace("image-signing", "storage-cmek")
    assert "not an asymmetric signing key" in dev.call("cosign", "verify", "--key", wrong_key, image).err
