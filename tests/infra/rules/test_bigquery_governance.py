"""BigQuery column, row and view rules: each fails on a violating resource, and fails closed without a parser."""

from __future__ import annotations

import builtins
import json
from typing import Any

import pytest

from infra.rules import Resource, evaluate
from infra.rules.bigquery_governance import RULES
from infra.rules.sql import NO_PARSER
from tests.infra.data.builders import built_warehouse
from tests.infra.recording import changed

TABLE = "warehouse-curated-patients"


def ids(resources: list[Resource], environment: str = "prod") -> set[str]:
    return {f.rule_id for f in evaluate(resources, environment, RULES)}


def messages(resources: list[Resource]) -> list[str]:
    return [f.message for f in evaluate(resources, "prod", RULES)]


def named(name: str) -> Resource:
    return next(r for r in built_warehouse("prod") if r.name == name)


def everything_but(*names: str) -> list[Resource]:
    return [r for r in built_warehouse("prod") if r.name not in names]


def with_schema(table: Resource, edit: Any) -> Resource:
    fields = json.loads(table.inputs["schema"])
    edit(fields)
    return changed(table, "schema", json.dumps(fields))


def test_untagged_phi_column_is_caught() -> None:
    def untag_ssn(fields: list[dict[str, Any]]) -> None:
        next(f for f in fields if f["name"] == "ssn").pop("policyTags")

    stack = [*everything_but(TABLE), with_schema(named(TABLE), untag_ssn)]
    assert ids(stack) == {"BQ-09"}
    assert any("PHI columns without a policy tag: ssn" in m for m in messages(stack))


def test_phi_column_added_without_a_tag_is_caught_by_name() -> None:
    def add_phone(fields: list[dict[str, Any]]) -> None:
        fields.append({"name": "phone_number", "type": "STRING", "mode": "NULLABLE"})

    assert ids([*everything_but(TABLE), with_schema(named(TABLE), add_phone)]) == {"BQ-09"}


# A real first preview shows a schema that depends on new policy tags as the unknown-value sentinel.
@pytest.mark.parametrize("schema", ["04da6b54-80e4-46f7-96ec-b56ff0331ba9", '{"fields": []}', None])
def test_unreadable_schema_fails_closed(schema: str | None) -> None:
    unknown = changed(named(TABLE), "schema", schema)
    found = messages([*everything_but(TABLE), unknown])
    assert any("schema is not readable JSON" in m for m in found)


def test_tags_without_an_enforcing_taxonomy_are_caught() -> None:
    taxonomy = named("warehouse-columns-taxonomy")
    assert ids([*everything_but(taxonomy.name), changed(taxonomy, "activatedPolicyTypes", [])]) == {"BQ-09", "BQ-10"}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("policyTag", None),
        ("policyTag", ""),
        ("dataMaskingPolicy", None),
        ("dataMaskingPolicy.predefinedExpression", None),
    ],
)
def test_data_policy_without_tag_or_rule_is_caught(path: str, value: Any) -> None:
    assert ids([changed(named("warehouse-columns-ssn-mask"), path, value)]) == {"BQ-11"}


@pytest.mark.parametrize("predicate", ["TRUE", "1 = 1", "facility_region = 'northeast' OR TRUE", "NOT FALSE"])
def test_phi_table_whose_only_filters_are_trivial_is_caught(predicate: str) -> None:
    # Every analyst group's policy on the table made trivial: nothing restricts its rows any more.
    policies = [r.name for r in built_warehouse("prod") if r.name.startswith("warehouse-curated-patients-analysts_")]
    assert len(policies) == 2
    stack = [*everything_but(*policies), *(changed(named(p), "filterPredicate", predicate) for p in policies)]
    assert ids(stack) == {"BQ-12", "BQ-13"}  # the table, and each analyst group's own policy
    assert any(m.endswith("PHI table has no row access policy with a restricting filter") for m in messages(stack))


@pytest.mark.parametrize("predicate", ["TRUE", "facility_region = 'northeast' OR TRUE"])
def test_one_analyst_group_seeing_every_row_is_caught(predicate: str) -> None:
    """Another group's restricting policy on the table does not make this group's TRUE harmless."""
    policy = next(r.name for r in built_warehouse("prod") if r.name.startswith("warehouse-curated-patients-analysts_"))
    stack = [*everything_but(policy), changed(named(policy), "filterPredicate", predicate)]
    assert ids(stack) == {"BQ-13"}
    assert any("analyst group policy does not restrict rows" in m for m in messages(stack))


def test_phi_table_without_row_access_policies_is_caught() -> None:
    policies = [r.name for r in built_warehouse("prod") if r.name.startswith("warehouse-raw-encounters-")]
    assert len(policies) == 3  # two analyst groups and full access
    assert ids(everything_but(*policies)) == {"BQ-12"}


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("filterPredicate", "facility_region IN (", "not valid BigQuery SQL"),
        ("filterPredicate", "SELECT facility_region FROM t", "filter is a query"),
        ("grantees", [], "grants no one"),
        ("grantees", ["allAuthenticatedUsers"], "granted to allAuthenticatedUsers"),
        ("grantees", ["domain:example.test"], "granted to domain:example.test"),
    ],
)
def test_unsound_row_access_policy_is_caught(path: str, value: Any, message: str) -> None:
    policy = changed(named("warehouse-curated-patients-full_access"), path, value)
    found = evaluate([policy], "prod", [r for r in RULES if r.id == "BQ-13"])
    assert [f.rule_id for f in found] == ["BQ-13"] and message in found[0].message


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELECT * FROM `p.d.patients`", "selects *"),
        ("SELECT patient_id, mrn FROM `p.d.patients`", "projects direct identifier mrn"),
        ("SELECT TO_HEX(SHA256(ssn)) AS k FROM `p.d.patients`", "projects direct identifier ssn"),
        ("SELECT date_of_birth AS born FROM `p.d.patients`", "quasi-identifier date_of_birth without generalizing"),
        ("SELECT patient_id AS email FROM `p.d.patients`", "names an output column email"),
        ("SELECT FROM WHERE", "not valid BigQuery SQL"),
    ],
)
def test_identifying_deidentified_view_is_caught(query: str, message: str) -> None:
    view = changed(named("warehouse-deidentified-patients_deidentified"), "view.query", query)
    found = messages([view])
    assert ids([view]) == {"BQ-14"} and message in found[0]


def test_views_outside_the_deidentified_dataset_may_select_identifiers() -> None:
    view = changed(named("warehouse-deidentified-patients_deidentified"), "view.query", "SELECT mrn FROM t")
    assert ids([changed(view, "datasetId", "hipaa_prod_curated")]) == set()


@pytest.mark.parametrize(
    ("name", "member"),
    [
        ("warehouse-columns-mrn-clear-engineers", "allUsers"),
        ("warehouse-columns-ssn-masked-analysts", "allAuthenticatedUsers"),
        ("warehouse-columns-direct-identifier-clear-0", "domain:example.test"),
    ],
)
def test_public_column_grant_is_caught(name: str, member: str) -> None:
    assert ids([named(name)]) == set()
    assert ids([changed(named(name), "member", member)]) == {"BQ-15"}


def test_sql_rules_fail_closed_without_the_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_sqlglot(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "sqlglot" or name.startswith("sqlglot."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sqlglot)
    found = evaluate(list(built_warehouse("prod")), "prod", RULES)
    assert {f.rule_id for f in found} == {"BQ-12", "BQ-13", "BQ-14"}
    assert all(NO_PARSER in f.message or "restricting filter" in f.message for f in found)
