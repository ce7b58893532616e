"""Each recognizer of the PHI gate: what lifts a match over the threshold, and what never does."""

from __future__ import annotations

import datetime
import importlib
import re
import socket
from pathlib import Path

import pytest

from infra.data.storage import USAGE_LOG_WRITER
from pipeline.phi import recognizers
from pipeline.phi.engine import CONTEXT_FLOOR, SCORE_THRESHOLD, detector
from pipeline.phi.recognizers import GOOGLE_SYSTEM_IDENTITIES, DeaRecognizer, NpiRecognizer, parse_date
from tests.pipeline.phi_corpus import luhn_check_digit

# Published specimen values (CMS's NPI check-digit example, CMS's sample MBI, the textbook DEA
# example): examples from the specifications, not identifiers of anyone.
SPEC_NPI = "1234567893"
SPEC_MBI = "1EG4TE5MK73"
SPEC_DEA = "AB1234563"


def phi_free_ids(value: object) -> str | None:
    """Test ids name the entity type, never the value: junit.xml is a build output the gate scans."""
    return value if isinstance(value, str) and re.fullmatch("[A-Z_]+", value) else "line"


def found(line: str) -> set[str]:
    return {d.entity_type for d in detector(None).detect(line)}


def test_independent_luhn_agrees_with_the_cms_npi_example() -> None:
    assert luhn_check_digit("80840" + SPEC_NPI[:-1]) == int(SPEC_NPI[-1])


@pytest.mark.parametrize(
    ("line", "entity"),
    [
        (f"npi {SPEC_NPI}", "US_NPI"),
        (f"mbi {SPEC_MBI}", "US_MBI"),
        ("1EG4-TE5-MK73", "US_MBI"),
        (f"dea {SPEC_DEA}", "US_DEA_NUMBER"),
        ("mrn=00123456", "MEDICAL_RECORD_NUMBER"),
        ("MR#1234567", "MEDICAL_RECORD_NUMBER"),
        ("dob: 02/14/1980", "DATE_OF_BIRTH"),
        ('{"dateOfBirth": "14 Feb 1980"}', "DATE_OF_BIRTH"),
        ("born Sept. 4, 1951", "DATE_OF_BIRTH"),
        ("ssn 219099999", "US_SSN"),
        ("219-09-9999", "US_SSN"),
        ("fax 617 555 0134", "PHONE_NUMBER"),
        ("(617) 555-0134", "PHONE_NUMBER"),
        ("pat.q@example.org", "EMAIL_ADDRESS"),
        ("subscriber XQH123456789", "US_HEALTH_INSURANCE_MEMBER_ID"),
    ],
    ids=phi_free_ids,
)
def test_flagged(line: str, entity: str) -> None:
    assert entity in found(line)


@pytest.mark.parametrize(
    "line",
    [
        SPEC_NPI,  # a valid NPI shape without context: one epoch second in ten looks like this
        "npi 1234567890",  # wrong check digit
        "npi 1111111112",  # degenerate body
        SPEC_DEA,  # no context
        "dea AB1234567",  # wrong check digit
        "dea ab1234563",  # DEA numbers are upper case; lower case is a hex digest's alphabet
        SPEC_MBI,  # bare MBI shape without context
        "mbi 0EG4TE5MK73",  # position 1 is 1-9
        "mbi 1SG4TE5MK73",  # S is never used
        "00123456",  # a number without an MRN word
        "patient-api generation 1234567",  # service names are not context
        "dob: 02/30/1980",  # not a calendar date
        "2026-11-24T15:00:00Z build started",  # a timestamp
        "security scan 123456789 bytes",  # "security" is not SSN context here
        "ssn 666-12-3456",  # never issued
        "1732500123",  # epoch seconds
        "hipaa-build@nwh-analytics-prd.iam.gserviceaccount.com",
        "123456789012-compute@developer.gserviceaccount.com",
        "git@github.com:nwh/hipaa-platform.git",
        "member: serviceAccount:x@y.iam.gserviceaccount.com",
        '"member": "group:cloud-storage-analytics@google.com",',  # Google's usage-log writer, in preview.json
        "IAM policy BwYABC123456 updated",
    ],
)
def test_not_flagged(line: str) -> None:
    assert found(line) == set()


def test_only_the_exact_system_identity_is_excused_not_its_domain() -> None:
    assert found("contact jane.roe@google.com") == {"EMAIL_ADDRESS"}


def test_the_usage_log_writer_the_plan_grants_is_excused() -> None:
    """The platform grants this group on the access-log bucket; every preview.json the PHI gate scans holds it."""
    assert USAGE_LOG_WRITER.removeprefix("group:") in GOOGLE_SYSTEM_IDENTITIES


def test_context_only_counts_on_the_same_line() -> None:
    gate = detector(None)
    assert gate.detect("mrn lookup") == [] and gate.detect("00123456") == []


def test_a_context_word_lifts_a_match_to_the_floor_and_no_further() -> None:
    [detection] = detector(None).detect("mrn 00123456")
    assert detection.score == CONTEXT_FLOOR >= SCORE_THRESHOLD


def test_a_future_date_is_not_a_date_of_birth() -> None:
    next_year = datetime.date.today().year + 1
    assert found(f"dob {next_year}-01-02") == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1980-02-14", datetime.date(1980, 2, 14)),
        ("02/14/1980", datetime.date(1980, 2, 14)),
        ("2-14-1980", datetime.date(1980, 2, 14)),
        ("February 14, 1980", datetime.date(1980, 2, 14)),
        ("Feb. 14 1980", datetime.date(1980, 2, 14)),
        ("Sept 4, 1951", datetime.date(1951, 9, 4)),
        ("14-Feb-1980", datetime.date(1980, 2, 14)),
        ("02/30/1980", None),
        ("13/01/1980", None),
    ],
)
def test_parse_date(text: str, expected: datetime.date | None) -> None:
    assert parse_date(text) == expected


def test_checksums_filter_but_never_lift_the_score() -> None:
    npi, dea = NpiRecognizer(), DeaRecognizer()
    assert npi.validate_result(SPEC_NPI) is None and dea.validate_result(SPEC_DEA) is None
    assert npi.invalidate_result("1234567890") and not npi.invalidate_result(SPEC_NPI)
    assert dea.invalidate_result("AB1234567") and not dea.invalidate_result(SPEC_DEA)


def test_email_validation_never_reaches_the_network_or_the_disk(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    fresh = importlib.reload(recognizers)  # a new suffix extractor, loaded under the patches
    email = fresh.EmailAddressRecognizer()
    assert email.validate_result("pat.q@example.org") and not email.validate_result("pat.q@host.notatld")
    assert list(tmp_path.rglob("*")) == []
