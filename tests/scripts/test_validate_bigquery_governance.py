"""scripts/validate-bigquery-governance.sh: row access policies, policy tags, authorized views, no public datasets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.scripts.fakes import FakeTools, Result
from tests.scripts.gcloud_fixtures import (
    PROJECT,
    Scenario,
    failed_closed,
    load,
    passed,
    usage_failed,
    violated,
)

SCRIPT = "validate-bigquery-governance.sh"
STEM = "validate-bigquery-governance"
GATE = "bigquery-governance"
USAGE = "validate-bigquery-governance.sh ENV PROJECT_ID BIGQUERY_DATASET"
CURATED, DEIDENTIFIED, RAW = "hipaa_prod_curated", "hipaa_prod_deidentified", "hipaa_prod_raw"
REIDENTIFICATION = "hipaa_prod_reidentification"
PROCEDURE = f"{REIDENTIFICATION}.reidentify_patients"
KEK = f"projects/{PROJECT}/locations/us-central1/keyRings/hipaa-prod-keyring/cryptoKeys/phi-columns-kek"
TABLES = ("patients", "encounters", "ref_icd10_codes")
NO_POLICIES = "No row access policies found.\n"


def compliant() -> Scenario:
    scenario = Scenario()
    scenario.add("tables", "bq", ["ls", f"{PROJECT}:{CURATED}"], load(STEM, "tables"))
    for table in TABLES:
        scenario.add(
            f"schema {table}",
            "bq",
            ["show", "--schema", f"{PROJECT}:{CURATED}.{table}"],
            load(STEM, f"schemas/{table}"),
        )
    for table in TABLES:
        # bq answers a table without row access policies with a sentence, not JSON.
        policies = load(STEM, f"row-access-policies/{table}") if table != "ref_icd10_codes" else NO_POLICIES
        scenario.add(
            f"policies {table}", "bq", ["ls", "--row_access_policies", f"{PROJECT}:{CURATED}.{table}"], policies
        )
    scenario.add("views", "bq", ["ls", f"{PROJECT}:{DEIDENTIFIED}"], load(STEM, "views"))
    scenario.add("datasets", "bq", ["ls", f"--project_id={PROJECT}"], load(STEM, "datasets"))
    for dataset in (CURATED, DEIDENTIFIED, RAW, REIDENTIFICATION):
        scenario.add(dataset, "bq", ["show", f"{PROJECT}:{dataset}"], load(STEM, f"datasets/{dataset}"))
    scenario.add("routine", "bq", ["show", "--routine", f"{PROJECT}:{PROCEDURE}"], load(STEM, "routine"))
    scenario.add("kek policy", "gcloud", ["kms", "keys", "get-iam-policy", KEK], load(STEM, "kek-policy"))
    return scenario


def run(tools: FakeTools, scenario: Scenario, env: str = "prod") -> Result:
    scenario.install(tools)
    return tools.run(SCRIPT, env, PROJECT, CURATED)


def column(scenario: Scenario, table: str, name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in scenario[f"schema {table}"] if c["name"] == name)
    return found


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


def test_compliant_dataset_passes_and_reads_no_table_data(tools: FakeTools) -> None:
    evidence = passed(run(tools, compliant()), GATE)
    # 3 table schemas, 1 encrypted and 9 PHI columns, 2 tables' row policies, 2 views, 4 datasets,
    # 5 column-encryption properties
    assert evidence["checked"] == 26
    assert not tools.called("bq", "query") and not tools.called("bq", "head")
    assert not tools.called("bq", "show", "--schema", f"{PROJECT}:{CURATED}.encounters_daily")
    # a table without PHI columns needs no row access policy
    assert not tools.called("bq", "ls", "--row_access_policies", f"{PROJECT}:{CURATED}.ref_icd10_codes")


def _untagged(s: Scenario) -> None:
    del column(s, "patients", "mrn")["policyTags"]
    del column(s, "patients", "home_address")["fields"][1]["policyTags"]
    s["schema ref_icd10_codes"].append({"mode": "NULLABLE", "name": "Patient_Email", "type": "STRING"})


def _public(s: Scenario) -> None:
    s[RAW]["access"].append({"role": "READER", "specialGroup": "allAuthenticatedUsers"})
    s[DEIDENTIFIED]["access"].append({"iamMember": "allUsers", "role": "roles/bigquery.dataViewer"})
    s["policies patients"][0]["grantees"].append("allAuthenticatedUsers")


def _unauthorized_views(s: Scenario) -> None:
    s[CURATED]["access"] = [entry for entry in s[CURATED]["access"] if "view" not in entry]
    s[CURATED]["access"].append({"view": {"datasetId": DEIDENTIFIED, "projectId": PROJECT, "tableId": "patients_deid"}})


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
        lambda s: column(s, "patients", "mrn").__setitem__("type", "STRING"),
        [f"table {CURATED}.patients: column mrn is STRING, not BYTES ciphertext"],
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
        [f"table {CURATED}.encounters: holds PHI columns but has no row access policy"],
    ),
    "policy-tags": (
        _untagged,
        [
            f"table {CURATED}.patients: PHI column mrn has no policy tag",
            f"table {CURATED}.patients: PHI column home_address.zip_code has no policy tag",
            f"table {CURATED}.ref_icd10_codes: PHI column Patient_Email has no policy tag",
            f"table {CURATED}.ref_icd10_codes: holds PHI columns but has no row access policy",
        ],
    ),
    "authorized-views": (
        _unauthorized_views,
        [f"view {DEIDENTIFIED}.encounters_deid: not authorized on dataset {CURATED}"],
    ),
    "no-views": (
        lambda s: s.__setitem__("views", ""),
        [f"dataset {DEIDENTIFIED}: no views, analysts have no de-identified access path"],
    ),
    "public-access": (
        _public,
        [
            f"table {CURATED}.patients: row access policy engineers_all_regions is granted to allAuthenticatedUsers",
            f"dataset {RAW}: READER granted to allAuthenticatedUsers",
            f"dataset {DEIDENTIFIED}: roles/bigquery.dataViewer granted to allUsers",
        ],
    ),
}


@pytest.mark.parametrize("family", VIOLATIONS)
def test_each_broken_rule_fails_naming_the_resource(tools: FakeTools, family: str) -> None:
    change, expected = VIOLATIONS[family]
    scenario = compliant()
    change(scenario)
    assert violated(run(tools, scenario), GATE, expected[0]) == expected


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
