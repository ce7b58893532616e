"""pipeline/phi/postal.py: street addresses, PO boxes and card numbers, and the build-log lines that are neither.

Addresses are made up; card numbers are the networks' published test numbers. Test ids name the
case, never the value (junit.xml is a build output the PHI gate scans).
"""

from __future__ import annotations

import pytest

from pipeline.phi.engine import detector
from pipeline.phi.postal import CREDIT_CARD, POSTAL_ADDRESS, CardNumberRecognizer
from tests.pipeline.phi_corpus import luhn_check_digit, numbered


def found(line: str) -> set[str]:
    return {d.entity_type for d in detector(None).detect(line)}


@pytest.mark.parametrize(
    "line",
    [
        "address: 1420 Maple St, Springfield, IL 62704",
        "1420 Maple Street Apt 4B",
        "77 N Old Mill Rd Suite 210",
        "9 Cedar Hollow Ln # 3",
        "240 5th Ave",
        "SHIP TO 657 JUNIPER PL ALBANY NY 12208",
        "1420 Martin Luther King Jr Blvd",
        "Springfield, IL 62704-1234",
        "St. Paul, MN 55102",
        "PO Box 2247",
        "P.O. Box 88",
        "Post Office Box 12",
        "po box 4471",
        '{"zip": "62704"}',
        "postal code 05401",
    ],
    ids=numbered("address-"),
)
def test_addresses(line: str) -> None:
    assert POSTAL_ADDRESS in found(line)


@pytest.mark.parametrize(
    "line",
    [
        "card 4111 1111 1111 1111 declined",
        "4111-1111-1111-1111",
        "3782 822463 10005",
        "3056 930902 5904",
        '{"cc_number": "5555555555554444"}',
        "visa=4012888888881881",
        "credit card 6011111111111117 on file",
    ],
    ids=numbered("card-"),
)
def test_cards(line: str) -> None:
    assert CREDIT_CARD in found(line)


@pytest.mark.parametrize(
    "line",
    [
        "Step 3/12 : RUN pip install",
        "Lost task 3.0 in stage 2.0 (TID 41)",
        "Hope Street deployment freeze lifted",  # no house number
        "12 Cloud Run services",  # Run is no street suffix
        "Council Bluffs, Iowa, North America",  # state spelled out, no ZIP
        "Processed IN 12345 ms",  # a state code needs "City, ST ZIP"
        "zip: 62 files, 4104 KB compressed",
        "received 62704 bytes",  # a ZIP-shaped number without zip/postal
        "v1.2 Main St",  # a version is no house number
        "4111111111111111",  # a bare card-shaped run needs context
        "card 4111 1111 1111 1112",  # fails Luhn
        "trace_ns=1732500123456789",
        "build 4242424242424242 finished",  # Luhn-valid, no card word
        "card 1234 5678 9012 3456",  # no card network starts with 1
        "debian 12.8 (bookworm) discover 4111111111111111",  # "discover" is no card context here
    ],
    ids=numbered("neither-"),
)
def test_neither_an_address_nor_a_card(line: str) -> None:
    assert not found(line) & {POSTAL_ADDRESS, CREDIT_CARD}


def test_luhn_filters_but_never_lifts_the_score() -> None:
    card = CardNumberRecognizer()
    body = "401288888888188"
    good, bad = body + str(luhn_check_digit(body)), body + str((luhn_check_digit(body) + 1) % 10)
    assert card.validate_result(good) is None  # Presidio's own would return True and score 1.0
    assert not card.invalidate_result(good) and card.invalidate_result(bad)
    assert [d.score for d in detector(None).detect(f"4012 8888 8888 {good[-4:]}")] == [0.5]
