"""The Safe Harbor parameters: the HHS restricted ZIP3 list as data, and its parser failing closed."""

from __future__ import annotations

import pytest

from hipaa_spark.safe_harbor import DIRECT_IDENTIFIERS, parse_zip3_list, restricted_zip3

# The 17 prefixes in HHS's de-identification guidance (2000 Census ZCTAs).
HHS_RESTRICTED = {
    "036", "059", "063", "102", "203", "556", "692", "790", "821",
    "823", "830", "831", "878", "879", "884", "890", "893",
}  # fmt: skip


def test_packaged_list_is_the_hhs_list() -> None:
    assert restricted_zip3() == HHS_RESTRICTED


def test_comments_and_blank_lines_are_ignored() -> None:
    assert parse_zip3_list("# header\n\n036  # Vermont\n059\n") == {"036", "059"}


@pytest.mark.parametrize("line", ["36", "0360", "03a", "036,059"])
def test_malformed_line_is_an_error_naming_the_line(line: str) -> None:
    with pytest.raises(ValueError, match=r"line 2: .* is not three digits"):
        parse_zip3_list(f"036\n{line}\n")


def test_empty_list_is_an_error() -> None:
    with pytest.raises(ValueError, match="empty"):
        parse_zip3_list("# nothing here\n")


def test_direct_identifiers_include_every_identifying_source_column() -> None:
    assert set(DIRECT_IDENTIFIERS) == {
        "mrn",
        "ssn",
        "given_name",
        "family_name",
        "phone",
        "email",
        "patient_id",
        "encounter_id",
    }
