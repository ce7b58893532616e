"""The world's answers to the commands the gates and deploy scripts send since the TLS, column
encryption, inventory, Kerberos-object and taxonomy changes: each from the plan, as the API prints it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.pipeline.simulate.worlds import World, make_world

P = "nwh-analytics-dev"
REGION = "us-central1"


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> World:
    return make_world(tmp_path_factory.mktemp("dev"), "dev")  # read only below


def answer(world: World, tool: str, *argv: str) -> Any:
    reply = world.call(tool, *argv)
    assert reply.code == 0, reply.err
    return json.loads(reply.out)


def test_policy_tags_of_the_planned_taxonomy_are_the_ones_the_columns_carry(dev: World) -> None:
    taxonomies = answer(
        dev, "gcloud", "data-catalog", "taxonomies", "list", "--location", REGION, "--project", P, "--format=json"
    )
    assert [(t["displayName"], t["activatedPolicyTypes"]) for t in taxonomies] == [
        ("hipaa-dev-phi", ["FINE_GRAINED_ACCESS_CONTROL"])
    ]
    tags = answer(
        dev,
        "gcloud",
        "data-catalog",
        "taxonomies",
        "policy-tags",
        "list",
        "--taxonomy",
        taxonomies[0]["name"],
        "--format=json",
    )
    by_name = {t["displayName"]: t["name"] for t in tags}
    assert {"ssn", "mrn", "direct-identifier"} <= set(by_name)
    assert all(t["name"].startswith(taxonomies[0]["name"] + "/policyTags/") for t in tags)
    schema = answer(dev, "bq", "show", "--schema", "--format=prettyjson", f"{P}:hipaa_dev_curated.patients")
    ssn = next(c for c in schema if c["name"] == "ssn")
    assert ssn["policyTags"]["names"] == [by_name["ssn"]]
    assert (
        dev.call(
            "gcloud",
            "data-catalog",
            "taxonomies",
            "list",
            "--location",
            "europe-west1",
            "--project",
            P,
            "--format=json",
        ).out.strip()
        == "[]"
    )
    assert (
        dev.call(
            "gcloud",
            "data-catalog",
            "taxonomies",
            "policy-tags",
            "list",
            "--taxonomy",
            f"projects/{P}/locations/{REGION}/taxonomies/1",
            "--format=json",
        ).code
        == 1
    )


def test_reidentification_routine_and_the_column_keks_policy(dev: World) -> None:
    routine = answer(
        dev, "bq", "show", "--routine", "--format=json", f"{P}:hipaa_dev_reidentification.reidentify_patients"
    )
    assert routine["routineType"] == "PROCEDURE"
    assert "KEYS.KEYSET_CHAIN('gcp-kms://" in routine["definitionBody"]
    kek = f"{dev.keyring}/cryptoKeys/phi-columns-kek"
    policy = answer(dev, "gcloud", "kms", "keys", "get-iam-policy", kek, "--format=json")
    decrypters = next(b["members"] for b in policy["bindings"] if b["role"] == "roles/cloudkms.cryptoKeyDecrypter")
    assert "group:dev-reidentification@northwind-health.example" in decrypters
    assert (
        dev.call("gcloud", "kms", "keys", "get-iam-policy", f"{dev.keyring}/cryptoKeys/nope", "--format=json").code == 1
    )


def test_secrets_and_tls_lists(dev: World) -> None:
    secrets = answer(dev, "gcloud", "secrets", "list", "--project", P, "--format=json")
    assert [s["name"].rsplit("/", 1)[-1] for s in secrets] == ["hipaa-dev-mrn-hmac-key"]
    replica = secrets[0]["replication"]["userManaged"]["replicas"][0]
    assert replica["customerManagedEncryption"]["kmsKeyName"].endswith("/cryptoKeys/secrets-cmek")
    policies = answer(dev, "gcloud", "compute", "ssl-policies", "list", "--project", P, "--format=json")
    assert [(p["name"], p["minTlsVersion"], p["profile"]) for p in policies] == [
        ("hipaa-dev-api-tls13", "TLS_1_3", "RESTRICTED")
    ]
    assert policies[0]["selfLink"].endswith(f"/projects/{P}/regions/{REGION}/sslPolicies/hipaa-dev-api-tls13")
    for group in ("target-https-proxies", "target-ssl-proxies", "target-http-proxies"):
        assert answer(dev, "gcloud", "compute", group, "list", "--project", P, "--format=json") == []
    firewalls = answer(dev, "gcloud", "compute", "firewall-rules", "list", "--project", P, "--format=json")
    assert firewalls and all(f["logConfig"]["enable"] is True for f in firewalls)


def test_prod_kerberos_password_is_an_object_the_cluster_create_needs(tmp_path: Path) -> None:
    prod = make_world(tmp_path, "prod")
    cluster = next(iter(prod.state()["dataproc"]["clusters"].values()))
    assert cluster["config"]["securityConfig"]["kerberosConfig"]["enableKerberos"] is True
    uri = f"gs://{prod.project}-dataproc-kerberos/root-principal-password.encrypted"
    described = answer(prod, "gcloud", "storage", "objects", "describe", uri, "--format=json")
    assert described["kms_key"].split("/cryptoKeys/")[0] == prod.keyring
    keyring = prod.keyring
    create = [
        "dataproc",
        "clusters",
        "create",
        "it-kerberos",
        f"--project={prod.project}",
        f"--region={REGION}",
        "--image-version=2.2-debian12",
        "--no-address",
        "--subnet=hipaa-prod-private",
        f"--gce-pd-kms-key={keyring}/cryptoKeys/compute-cmek",
        "--shielded-secure-boot",
        "--shielded-vtpm",
        "--shielded-integrity-monitoring",
        f"--bucket={prod.project}-dataproc-staging",
        f"--temp-bucket={prod.project}-dataproc-temp",
        "--enable-kerberos",
        f"--kerberos-kms-key={keyring}/cryptoKeys/dataproc-kerberos",
    ]
    missing = prod.call("gcloud", *create, f"--kerberos-root-principal-password-uri={uri}.missing")
    assert missing.code == 1 and "password object" in missing.err
    created = prod.call("gcloud", *create, f"--kerberos-root-principal-password-uri={uri}")
    assert created.code == 0, created.err
    # Kept under the cluster's own name (the password object's name once took its place).
    described = answer(
        prod,
        "gcloud",
        "dataproc",
        "clusters",
        "describe",
        "it-kerberos",
        f"--project={prod.project}",
        f"--region={REGION}",
        "--format=json",
    )
    assert described["clusterName"] == "it-kerberos"
