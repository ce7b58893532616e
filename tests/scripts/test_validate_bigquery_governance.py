"""scripts/validate-bigquery-governance.sh: row access policies, policy tags, authorized views, no public datasets."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.scripts.fakes import FakeTools, Result
from tests.scripts.gcloud_fixtures import (
    PROJECT,
    Scenario,
    failed,
    failed_closed,
    load,
    passed,
    usage_failed,
    violated,
)
from tests.scripts.inventory_world import COUNTS, expected, for_env, inventory, listing, planned, policy_tag_name, scope

SCRIPT = "validate-bigquery-governance.sh"
STEM = "validate-bigquery-governance"
GATE = "bigquery-governance"
USAGE = "validate-bigquery-governance.sh ENV PROJECT_ID BIGQUERY_DATASET"
CURATED, DEIDENTIFIED, RAW = "hipaa_prod_curated", "hipaa_prod_deidentified", "hipaa_prod_raw"
REIDENTIFICATION = "hipaa_prod_reidentification"
PROCEDURE = f"{REIDENTIFICATION}.reidentify_patients"
KEK = f"projects/{PROJECT}/locations/us-central1/keyRings/hipaa-prod-keyring/cryptoKeys/phi-columns-kek"
# Stored as AEAD ciphertext (infra/data/warehouse/encryption.py): BYTES in the source dataset.
ENCRYPTED = ("mrn", "ssn")
NO_POLICIES = "No row access policies found.\n"
PLANNED_TABLES = ("encounters", "observations", "patients")
# Tables nobody planned may exist (the jobs write some); a table without PHI columns needs no policy.
EXTRA_TABLE = "ref_icd10_codes"


def planned_schema(env: str, dataset: str, table: str) -> list[dict[str, Any]]:
    """A planned table's columns as bq prints them: every column the inventory plans, with its
    planned policy tags (an untagged column, such as the random surrogate patient_id, has none)."""
    columns: list[dict[str, Any]] = []
    for e in expected(env, "column_policy_tags", f"{dataset}.{table}."):
        name = e["id"].rsplit(".", 1)[-1]
        column: dict[str, Any] = {"mode": "NULLABLE", "name": name, "type": "BYTES" if name in ENCRYPTED else "STRING"}
        if e["properties"]["policyTags"]["names"]:
            column["policyTags"] = e["properties"]["policyTags"]
        columns.append(column)
    if table == "patients":  # a nested record nobody planned, judged by its leaves
        columns.append(next(c for c in load(STEM, "schemas/patients") if c["name"] == "home_address"))
    return columns


def compliant(env: str = "prod") -> Scenario:
    """The warehouse as its inventory plans it: the taxonomy and its tags, tables and columns, row
    access policies, the de-identified views authorized on the source, every dataset."""
    s = scope(env)
    project, curated, deidentified = s["project"], s["bigquery_dataset"], f"hipaa_{env}_deidentified"
    scenario = Scenario()
    datasets = listing(env, "datasets", for_env(env, load(STEM, f"datasets/{RAW}")))
    views = listing(env, "tables", for_env(env, load(STEM, "views")[0]), f"{deidentified}.")
    for dataset in datasets:
        dataset_id = dataset["datasetReference"]["datasetId"]
        if dataset_id == curated:
            recorded = for_env(env, load(STEM, f"datasets/{CURATED}"))["access"]
            dataset["access"] = [a for a in recorded if "view" not in a] + [
                {"view": v["tableReference"]} for v in views
            ]
        scenario.add(dataset_id, "bq", ["show", f"{project}:{dataset_id}"], dataset)
    scenario.add("datasets", "bq", ["ls", f"--project_id={project}"], datasets)
    taxonomies = listing(env, "taxonomies", {"policyTagCount": 9})
    scenario.add("taxonomies", "gcloud", ["data-catalog", "taxonomies", "list", "--project", project], taxonomies)
    for taxonomy in taxonomies:
        tags = [
            {"displayName": path.split("/", 1)[1], "name": policy_tag_name(env, path)}
            for path in _tag_paths(env)
            if path.split("/", 1)[0] == taxonomy["displayName"]
        ]
        scenario.add(taxonomy["displayName"], "gcloud", ["policy-tags", "list", "--taxonomy", taxonomy["name"]], tags)
    recorded_tables = for_env(env, load(STEM, "tables"))
    tables = listing(env, "tables", recorded_tables[0], f"{curated}.") + [
        t for t in recorded_tables if t["tableReference"]["tableId"] in (EXTRA_TABLE, "encounters_daily")
    ]
    scenario.add("tables", "bq", ["ls", f"{project}:{curated}"], tables)
    for table in PLANNED_TABLES:
        schema = planned_schema(env, curated, table)
        scenario.add(f"schema {table}", "bq", ["show", "--schema", f"{project}:{curated}.{table}"], schema)
        policies = listing(
            env,
            "row_access_policies",
            for_env(env, load(STEM, "row-access-policies/patients")[0]),
            f"{curated}.{table}/",
        )
        scenario.add(
            f"policies {table}", "bq", ["ls", "--row_access_policies", f"{project}:{curated}.{table}"], policies
        )
    extra = for_env(env, load(STEM, f"schemas/{EXTRA_TABLE}"))
    scenario.add(f"schema {EXTRA_TABLE}", "bq", ["show", "--schema", f"{project}:{curated}.{EXTRA_TABLE}"], extra)
    # bq answers a table without row access policies with a sentence, not JSON.
    extra_policies = ["ls", "--row_access_policies", f"{project}:{curated}.{EXTRA_TABLE}"]
    scenario.add(f"policies {EXTRA_TABLE}", "bq", extra_policies, NO_POLICIES)
    scenario.add("views", "bq", ["ls", f"{project}:{deidentified}"], views)
    _column_encryption(scenario, env)
    return scenario


def _column_encryption(scenario: Scenario, env: str) -> None:
    """The decrypting procedure, its dataset read by the one group, and the KEK's IAM policy."""
    project, group = scope(env)["project"], f"group:{env}-reidentification@northwind-health.example"
    reidentification = f"hipaa_{env}_reidentification"
    scenario[reidentification]["access"] = [
        {"role": "OWNER", "specialGroup": "projectOwners"},
        {"role": "READER", "groupByEmail": group.removeprefix("group:")},
    ]
    procedure = f"{project}:{reidentification}.reidentify_patients"
    scenario.add("routine", "bq", ["show", "--routine", procedure], for_env(env, load(STEM, "routine")))
    policy = for_env(env, load(STEM, "kek-policy"))
    policy["bindings"][1]["members"][0] = group
    kek = for_env(env, KEK)
    scenario.add("kek policy", "gcloud", ["kms", "keys", "get-iam-policy", kek], policy)


def _tag_paths(env: str) -> list[str]:
    text = json.dumps(inventory(env)["kinds"]["column_policy_tags"])
    return sorted(set(re.findall(r"\{policy_tag:([^}]+)\}", text)))


def run(tools: FakeTools, scenario: Scenario, env: str = "prod") -> Result:
    scenario.install(tools)
    return tools.run(SCRIPT, env, scope(env)["project"], scope(env)["bigquery_dataset"])


def column(scenario: Scenario, table: str, name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in scenario[f"schema {table}"] if c["name"] == name)
    return found


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


# (planned resources, planned property values) the gate compares in each environment
PLANNED = {"dev": (52, 58), "staging": (55, 64), "prod": (55, 64)}


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_compliant_dataset_passes_and_reads_no_table_data(tools: FakeTools, env: str) -> None:
    scenario = compliant(env)
    # The simulated dev build failed here: the gate's own name list called patient_id PHI, while the
    # plan leaves it untagged (a random code, 45 CFR 164.514(c)) so the de-identified views join on it.
    assert all("policyTags" not in column(scenario, table, "patient_id") for table in PLANNED_TABLES)
    evidence = passed(run(tools, scenario, env), GATE)
    project, curated = scope(env)["project"], scope(env)["bigquery_dataset"]
    if env == "prod":
        # 4 table schemas, 2 encrypted columns, 13 PHI leaf columns (11 planned, 2 in the unplanned
        # record), 3 tables' row policies, 3 views, 7 datasets, 5 column-encryption properties
        assert evidence["checked"] == 4 + 2 + 13 + 3 + 3 + 7 + 5
    assert not tools.called("bq", "query") and not tools.called("bq", "head")
    assert not tools.called("bq", "show", "--schema", f"{project}:{curated}.encounters_daily")
    # a table without PHI columns, and no planned policy, needs no row access policy
    assert not tools.called("bq", "ls", "--row_access_policies", f"{project}:{curated}.{EXTRA_TABLE}")
    inventory = evidence["inventory"]
    assert {k: inventory[k] for k in COUNTS} == planned(env, GATE)
    assert (inventory["expected"], inventory["properties"]) == PLANNED[env]


def test_a_row_access_policy_dropped_by_hand_is_missing_and_one_added_is_unmanaged(tools: FakeTools) -> None:
    scenario = compliant()
    dropped = scenario["policies patients"].pop(0)["rowAccessPolicyReference"]["policyId"]
    added = {
        **scenario["policies encounters"][0],
        "filterPredicate": "TRUE",
        "grantees": ["group:contractors@example.com"],
    }
    added["rowAccessPolicyReference"] = {**added["rowAccessPolicyReference"], "policyId": "contractors_all_rows"}
    scenario["policies encounters"].append(added)
    assert failed(run(tools, scenario), GATE)["violations"] == [
        f"row access policy {CURATED}.patients/{dropped}: planned but not found",
        f"row access policy {CURATED}.encounters/contractors_all_rows: not in the inventory (unmanaged)",
    ]


def test_a_policy_whose_grantees_differ_from_the_plan_fails(tools: FakeTools) -> None:
    scenario = compliant()
    policy = scenario["policies observations"][0]
    policy["grantees"].append("group:everyone@northwind-health.example")
    policy_id = policy["rowAccessPolicyReference"]["policyId"]
    assert failed(run(tools, scenario), GATE)["violations"] == [
        f"row access policy {CURATED}.observations/{policy_id}: "
        "grantees has extra group:everyone@northwind-health.example"
    ]


def test_an_empty_view_listing_is_a_tool_error(tools: FakeTools) -> None:
    scenario = compliant()
    scenario.__setitem__("views", "")
    result = run(tools, scenario)
    failed(result, GATE)
    reason = f"tables of {DEIDENTIFIED}: listed nothing, but the inventory plans 3 table(s)"
    assert result.reason == f"{SCRIPT}: FAIL: {reason}"


def _untagged(s: Scenario) -> None:
    del column(s, "patients", "mrn")["policyTags"]
    del column(s, "patients", "home_address")["fields"][1]["policyTags"]
    s[f"schema {EXTRA_TABLE}"].append({"mode": "NULLABLE", "name": "Patient_Email", "type": "STRING"})


def _public(s: Scenario) -> None:
    s[RAW]["access"].append({"role": "READER", "specialGroup": "allAuthenticatedUsers"})
    s[DEIDENTIFIED]["access"].append({"iamMember": "allUsers", "role": "roles/bigquery.dataViewer"})
    s["policies patients"][0]["grantees"].append("allAuthenticatedUsers")


def _unauthorized_views(s: Scenario) -> None:
    s[CURATED]["access"] = [entry for entry in s[CURATED]["access"] if "view" not in entry]
    s[CURATED]["access"].append(
        {"view": {"datasetId": DEIDENTIFIED, "projectId": PROJECT, "tableId": "patients_deidentified"}}
    )


MRN_TAG = policy_tag_name("prod", "hipaa-prod-phi/mrn")
FIRST_PATIENT_POLICY = "analysts_prod_analysts_northeast_northwind_health_example"


def _second_decrypter(s: Scenario) -> None:
    s["kek policy"]["bindings"].append(
        {
            "role": "roles/cloudkms.cryptoKeyEncrypterDecrypter",
            "members": ["group:prod-data-engineers@northwind-health.example"],
        }
    )


def _unauthorized_procedure(s: Scenario) -> None:
    s[CURATED]["access"] = [entry for entry in s[CURATED]["access"] if "routine" not in entry]


def _other_kek(s: Scenario) -> None:
    s["routine"]["definitionBody"] = s["routine"]["definitionBody"].replace("phi-columns-kek", "other-kek")


VIOLATIONS: dict[str, tuple[Callable[[Scenario], object], list[str]]] = {
    "clear-identifier": (
        lambda s: column(s, "patients", "ssn").__setitem__("type", "STRING"),
        [f"table {CURATED}.patients: column ssn is STRING, not BYTES ciphertext"],
    ),
    "second-decrypter": (
        _second_decrypter,
        [
            f"key {KEK}: people who may decrypt are group:prod-data-engineers@northwind-health.example, "
            "group:prod-reidentification@northwind-health.example, not the procedure group alone"
        ],
    ),
    "procedure-not-authorized": (
        _unauthorized_procedure,
        [f"dataset {CURATED}: procedure {PROCEDURE} is not authorized on it"],
    ),
    "procedure-other-kek": (_other_kek, [f"routine {PROCEDURE}: does not unwrap its keysets with {KEK}"]),
    "procedure-readers": (
        lambda s: s[REIDENTIFICATION]["access"].append(
            {"groupByEmail": "prod-analysts@northwind-health.example", "role": "READER"}
        ),
        [f"dataset {REIDENTIFICATION}: readers must be exactly one group, found 2 grant(s)"],
    ),
    "row-access-policies": (
        lambda s: s.__setitem__("policies encounters", NO_POLICIES),
        [f"table {CURATED}.encounters: holds PHI columns but has no row access policy"]
        + [
            f"row access policy {CURATED}.encounters/{p['id'].split('/')[1]}: planned but not found"
            for p in expected("prod", "row_access_policies", f"{CURATED}.encounters/")
        ],
    ),
    "policy-tags": (
        _untagged,
        [
            f"table {CURATED}.patients: PHI column mrn has no policy tag",
            f"table {CURATED}.patients: PHI column home_address.zip_code has no policy tag",
            f"table {CURATED}.{EXTRA_TABLE}: PHI column Patient_Email has no policy tag",
            f"table {CURATED}.{EXTRA_TABLE}: holds PHI columns but has no row access policy",
            f"column {CURATED}.patients.mrn: policyTags.names lacks {MRN_TAG}",
        ],
    ),
    "authorized-views": (
        _unauthorized_views,
        [
            f"view {DEIDENTIFIED}.encounters_deidentified: not authorized on dataset {CURATED}",
            f"view {DEIDENTIFIED}.observations_deidentified: not authorized on dataset {CURATED}",
        ],
    ),
    "public-access": (
        _public,
        [
            f"table {CURATED}.patients: row access policy {FIRST_PATIENT_POLICY} is granted to allAuthenticatedUsers",
            f"row access policy {CURATED}.patients/{FIRST_PATIENT_POLICY}: grantees has extra allAuthenticatedUsers",
            f"dataset {RAW}: READER granted to allAuthenticatedUsers",
            f"dataset {DEIDENTIFIED}: roles/bigquery.dataViewer granted to allUsers",
        ],
    ),
}


@pytest.mark.parametrize("family", VIOLATIONS)
def test_each_broken_rule_fails_naming_the_resource(tools: FakeTools, family: str) -> None:
    change, expected_violations = VIOLATIONS[family]
    scenario = compliant()
    change(scenario)
    violations = violated(run(tools, scenario), GATE, expected_violations[0])
    assert sorted(violations) == sorted(expected_violations)


def test_a_tag_the_plan_does_not_give_a_column_differs_from_the_plan(tools: FakeTools) -> None:
    scenario = compliant()
    column(scenario, "encounters", "patient_id")["policyTags"] = {"names": [MRN_TAG]}
    assert failed(run(tools, scenario), GATE)["violations"] == [
        f"column {CURATED}.encounters.patient_id: policyTags.names has extra {MRN_TAG}"
    ]


@pytest.mark.parametrize("name", ["ssn", "given_name"])
def test_an_untagged_identifier_fails_by_name_and_by_plan(tools: FakeTools, name: str) -> None:
    scenario = compliant()
    planned_tag = column(scenario, "patients", name).pop("policyTags")["names"][0]
    assert sorted(failed(run(tools, scenario), GATE)["violations"]) == [
        f"column {CURATED}.patients.{name}: policyTags.names lacks {planned_tag}",
        f"table {CURATED}.patients: PHI column {name} has no policy tag",
    ]


@pytest.mark.parametrize("name", ["Name", "home_phone"])
def test_an_untagged_identifier_nobody_planned_fails_by_name(tools: FakeTools, name: str) -> None:
    scenario = compliant()
    scenario[f"schema {EXTRA_TABLE}"].append({"mode": "NULLABLE", "name": name, "type": "STRING"})
    assert sorted(failed(run(tools, scenario), GATE)["violations"]) == [
        f"table {CURATED}.{EXTRA_TABLE}: PHI column {name} has no policy tag",
        f"table {CURATED}.{EXTRA_TABLE}: holds PHI columns but has no row access policy",
    ]


def test_the_whole_deidentified_dataset_may_be_authorized(tools: FakeTools) -> None:
    scenario = compliant()
    scenario[CURATED]["access"] = [entry for entry in scenario[CURATED]["access"] if "view" not in entry] + [
        {"dataset": {"dataset": {"datasetId": DEIDENTIFIED, "projectId": PROJECT}, "targetTypes": ["VIEWS"]}}
    ]
    passed(run(tools, scenario, env="prod"), GATE)


@pytest.mark.parametrize(
    ("answer", "how", "what"),
    [
        ("tables", "error", f"tables of {CURATED}"),
        ("schema patients", "empty", f"schema of {CURATED}.patients"),
        ("policies encounters", "malformed", f"row access policies of {CURATED}.encounters"),
        (CURATED, "empty", f"dataset {CURATED}"),
        ("taxonomies", "error", "policy tag taxonomies in us-central1"),
        ("routine", "error", f"procedure {PROCEDURE}"),
        ("kek policy", "malformed", f"IAM policy of {KEK}"),
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
        ("prod", PROJECT),
        ("prod", PROJECT, "hipaa-prod-curated"),
        ("prod", PROJECT, DEIDENTIFIED),
        ("dev", "NWH", CURATED),
    ],
)
def test_missing_or_malformed_arguments_exit_2(tools: FakeTools, args: tuple[str, ...]) -> None:
    usage_failed(tools.run(SCRIPT, *args), USAGE)
