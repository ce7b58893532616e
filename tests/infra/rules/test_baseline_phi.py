"""The Safe Harbor identifier names the plan's rules and the live governance gate share."""

from __future__ import annotations

import re

import pytest

from infra.data.warehouse.schema import TABLES
from infra.plan.shell_facts import render
from infra.rules.baseline_phi import PHI_COLUMN_PATTERN, is_identifier_column


@pytest.mark.parametrize(
    "name",
    ["ssn", "Name", "given_name", "mrn", "date_of_birth", "Patient_Email", "home_address_line_1", "member_id"],
)
def test_identifiers_are_found_by_their_name_or_a_part_of_it(name: str) -> None:
    assert is_identifier_column(name)


@pytest.mark.parametrize("name", ["patient_id", "person_id", "facility_name", "encounter_id", "ingestion_date"])
def test_surrogate_keys_and_look_alikes_are_not_identifiers_by_name(name: str) -> None:
    assert not is_identifier_column(name)


def test_the_warehouse_leaves_untagged_only_columns_that_are_no_identifier() -> None:
    untagged = {c.name for t in TABLES for c in t.columns if c.tag is None}
    assert "patient_id" in untagged
    assert not [name for name in untagged if is_identifier_column(name)]


def test_the_shell_facts_carry_the_same_pattern() -> None:
    found = re.search(r"^readonly PHI_COLUMN_PATTERN='([^']*)'$", render(), re.MULTILINE)
    assert found is not None and found.group(1) == PHI_COLUMN_PATTERN
