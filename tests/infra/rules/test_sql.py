"""The SQL reading behind the row-filter and view rules, on BigQuery SQL written for the purpose."""

from __future__ import annotations

import pytest

from infra.rules.sql import predicate_parses, predicate_problem, view_exposures

DIRECT = {"mrn", "ssn"}
QUASI = {"date_of_birth"}


@pytest.mark.parametrize(
    "predicate",
    ["facility_region IN ('northeast')", "facility_region = 'south' AND TRUE", "patient_age >= 18"],
)
def test_restricting_filters_pass(predicate: str) -> None:
    assert predicate_problem(predicate) is None


@pytest.mark.parametrize(
    ("predicate", "problem"),
    [
        ("TRUE", "always evaluates to TRUE"),
        ("1 = 1", "always evaluates to TRUE"),
        ("facility_region = 'south' OR NOT FALSE", "always evaluates to TRUE"),
        ("FALSE", "always evaluates to FALSE"),
        ("CURRENT_DATE() > DATE '2000-01-01'", "references no column"),
        ("SELECT 1", "filter is a query"),
        ("facility_region IN (", "not valid BigQuery SQL"),
    ],
)
def test_filters_that_restrict_nothing_are_named(predicate: str, problem: str) -> None:
    assert problem in str(predicate_problem(predicate))


def test_the_true_filter_parses_as_a_filter() -> None:
    assert predicate_parses("TRUE") is None
    assert "filter is a query" in str(predicate_parses("SELECT 1"))


def test_generalizing_view_is_clean() -> None:
    sql = "SELECT patient_id AS patient_key, EXTRACT(YEAR FROM date_of_birth) AS birth_year FROM `p.d.t`"
    assert view_exposures(sql, DIRECT, QUASI) == []


@pytest.mark.parametrize(
    ("sql", "exposure"),
    [
        ("SELECT t.* FROM `p.d.t` AS t", "selects *"),
        ("SELECT a FROM (SELECT mrn AS a FROM `p.d.t`)", "projects direct identifier mrn"),
        ("SELECT date_of_birth FROM `p.d.t` UNION ALL SELECT date_of_birth FROM `p.d.u`", "quasi-identifier"),
        ("facility_region = 'x'", "view is not a query"),
    ],
)
def test_exposing_views_are_named(sql: str, exposure: str) -> None:
    assert any(exposure in found for found in view_exposures(sql, DIRECT, QUASI))
