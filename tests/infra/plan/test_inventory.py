"""The expected inventories are generated from each stack's plan, in the live listings' vocabulary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import infra.__main__ as cli
from infra.plan import inventory
from infra.plan.inventory import GATE_KINDS, InventoryError, build_inventory, gate_counts, property_count, render
from infra.plan.mocks import project_number
from infra.rules import Resource
from tests.conftest import planned
from tests.infra.recording import config_for

CONFIG = config_for("prod")
RING = "projects/nwh-analytics-prd/locations/us-central1/keyRings/hipaa-prod-keyring"


def generated(stack: str) -> dict[str, Any]:
    return build_inventory(planned(stack), config_for(stack))


def resources(stack: str, kind: str) -> dict[str, dict[str, Any]]:
    return {e["id"]: e["properties"] for e in generated(stack)["kinds"][kind]["resources"]}


@pytest.mark.parametrize("stack_name", ["dev", "staging", "prod"])
def test_committed_inventory_is_the_generated_one(stack_name: str) -> None:
    committed = inventory.inventory_path(stack_name).read_text(encoding="utf-8")
    assert committed == render(generated(stack_name)), "run make inventory"


def test_scope_is_what_the_pipeline_trigger_gives_the_gates() -> None:
    assert generated("prod")["scope"] == {
        "project": "nwh-analytics-prd",
        "siem_project": "nwh-siem-prd",
        "security_project": "nwh-security-prd",
        "region": "us-central1",
        "keyring": RING,
        "perimeter": "accessPolicies/482915736021/servicePerimeters/hipaa_prod_perimeter",
        "bigquery_dataset": "hipaa_prod_curated",
    }


def test_keys_and_buckets_speak_the_listing_vocabulary() -> None:
    keys = resources("prod", "keys")
    assert keys[f"{RING}/cryptoKeys/storage-cmek"] == {
        "purpose": "ENCRYPT_DECRYPT",
        "rotationPeriod": "2592000s",
        "versionTemplate": {"algorithm": "GOOGLE_SYMMETRIC_ENCRYPTION", "protectionLevel": "HSM"},
    }
    assert "rotationPeriod" not in keys[f"{RING}/cryptoKeys/image-signing"]  # asymmetric keys do not rotate
    assert resources("prod", "buckets")["nwh-analytics-prd-phi-raw"] == {
        "default_kms_key": f"{RING}/cryptoKeys/storage-cmek",
        "public_access_prevention": "enforced",
        "uniform_bucket_level_access": True,
    }


def test_translations_where_plan_and_api_name_things_differently() -> None:
    dataproc = resources("prod", "dataproc_clusters")["hipaa-prod-dataproc"]
    assert dataproc == {"config": {"encryptionConfig": {"gcePdKmsKeyName": f"{RING}/cryptoKeys/compute-cmek"}}}
    deny = resources("prod", "firewalls")["hipaa-prod-deny-all-egress"]
    assert deny["denied"] == [{"IPProtocol": "all"}] and deny["priority"] == 65534 and deny["disabled"] is False
    route = resources("prod", "routes")["hipaa-prod-restricted-apis"]
    assert route["nextHopGateway"].endswith("/projects/nwh-analytics-prd/global/gateways/default-internet-gateway")
    assert resources("prod", "secrets")["hipaa-prod-mrn-hmac-key"]["replication"]["userManaged"]["replicas"] == [
        {"customerManagedEncryption": {"kmsKeyName": f"{RING}/cryptoKeys/secrets-cmek"}, "location": "us-central1"}
    ]


def test_values_assigned_at_apply_are_given_as_what_they_derive_from() -> None:
    text = json.dumps(generated("prod"))
    for project in ("nwh-analytics-prd", "nwh-siem-prd", "nwh-security-prd"):
        assert project_number(project) not in text
    perimeter = next(iter(resources("prod", "perimeters").values()))
    assert perimeter["status"]["resources"] == ["projects/{project_number:nwh-analytics-prd}"]
    columns = resources("prod", "column_policy_tags")
    assert columns["hipaa_prod_curated.patients.mrn"] == {"policyTags": {"names": ["{policy_tag:hipaa-prod-phi/mrn}"]}}
    # Every planned column is listed: an untagged one (the random surrogate key) with no tags.
    assert columns["hipaa_prod_curated.patients.patient_id"] == {"policyTags": {"names": []}}


def test_dev_leaves_out_what_deletes_itself_and_dry_runs_its_perimeter() -> None:
    assert resources("dev", "dataproc_clusters") == {}  # idle-deleted after 30 minutes in dev
    perimeter = next(iter(resources("dev", "perimeters").values()))
    assert perimeter["useExplicitDryRunSpec"] is True and "spec" in perimeter and "status" not in perimeter


def test_governance_kinds_cover_the_pipeline_dataset_and_its_views_only() -> None:
    tables = resources("prod", "tables")
    assert {i.split(".")[0] for i in tables} == {"hipaa_prod_curated", "hipaa_prod_deidentified"}
    assert tables["hipaa_prod_deidentified.patients_deidentified"] == {"type": "VIEW"}
    policies = resources("prod", "row_access_policies")
    assert all(i.startswith("hipaa_prod_curated.") for i in policies)
    assert policies["hipaa_prod_curated.patients/analysts_prod_analysts_south_northwind_health_example"] == {
        "filterPredicate": "facility_region IN ('south')",
        "grantees": ["group:prod-analysts-south@northwind-health.example"],
    }


def test_every_gate_compares_kinds_that_exist_and_governed_kinds_are_marked() -> None:
    document = generated("staging")
    assert document["gates"] == {gate: list(kinds) for gate, kinds in GATE_KINDS.items()}
    governed = {name for name, kind in document["kinds"].items() if kind["governed"]}
    assert governed == {
        "keys",
        "buckets",
        "datasets",
        "secrets",
        "topics",
        "service_accounts",
        "sinks",
        "networks",
        "row_access_policies",
    }


def test_counts_per_gate() -> None:
    assert property_count({"a": 1, "b": {"c": [1, 2], "d": {}}}) == 2
    assert property_count({}) == 0
    counts = gate_counts(generated("prod"))
    assert counts["encryption"] == (31, 86)
    assert all(resources_ > 0 and properties > 0 for resources_, properties in counts.values())


def _plan_without(type_token: str) -> list[Resource]:
    return [r for r in planned("prod") if r.type != type_token]


def test_a_plan_without_the_pipeline_trigger_is_refused() -> None:
    with pytest.raises(InventoryError, match="one build trigger"):
        build_inventory(_plan_without("gcp:cloudbuild/trigger:Trigger"), CONFIG)


def test_a_gate_with_nothing_to_compare_is_refused() -> None:
    plan = [
        r
        for r in planned("prod")
        if r.type not in ("gcp:projects/iAMAuditConfig:IAMAuditConfig", "gcp:logging/projectSink:ProjectSink")
        and r.type != "gcp:logging/projectBucketConfig:ProjectBucketConfig"
    ]
    with pytest.raises(InventoryError, match="gate audit-logs"):
        build_inventory(plan, CONFIG)


def test_two_planned_resources_with_one_identity_are_refused() -> None:
    bucket = next(r for r in planned("prod") if r.type == "gcp:storage/bucket:Bucket")
    twin = Resource(bucket.type, "twin", bucket.urn + "-twin", bucket.inputs)
    with pytest.raises(InventoryError, match="buckets: more than one planned resource is"):
        build_inventory([*planned("prod"), twin], CONFIG)


@pytest.fixture
def cli_on_shared_plans(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The command over the plans the tests share, writing into a scratch directory."""
    monkeypatch.setattr(cli, "planned_resources", lambda stack: list(planned(stack)))
    monkeypatch.setattr(inventory, "INVENTORY_DIR", tmp_path)
    return tmp_path


def test_check_passes_on_a_fresh_file_and_detects_drift(
    cli_on_shared_plans: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["inventory", "--stack", "dev"]) == 0
    assert "encryption 29 resources/82 properties" in capsys.readouterr().out
    assert cli.main(["inventory", "--stack", "dev", "--check"]) == 0
    written = cli_on_shared_plans / "dev.json"
    written.write_text(written.read_text(encoding="utf-8").replace('"enforced"', '"inherited"', 1), encoding="utf-8")
    assert cli.main(["inventory", "--stack", "dev", "--check"]) == 1
    assert "differs from the inventory generated from the plan; run make inventory" in capsys.readouterr().err


def test_check_fails_on_a_missing_file(cli_on_shared_plans: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["inventory", "--stack", "staging", "--check"]) == 1
    assert "staging.json: missing; run make inventory" in capsys.readouterr().err


def test_a_refused_config_passes_its_exit_code_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "planned_resources", lambda stack: 2)
    assert cli.main(["inventory", "--stack", "prod"]) == 2
