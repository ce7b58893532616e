"""pipeline/phi/names.py and lexicon.py: when capitalised words are a person's name, and when not.

Names here are invented pairings of census names. Test ids never carry them (junit.xml is a build
output the PHI gate scans), hence `ids=` on every parametrized list of lines.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from pipeline.phi.engine import detector
from pipeline.phi.lexicon import (
    COMMON_WORDS,
    GIVEN_NAMES,
    PLACES,
    SURNAMES,
    LexiconError,
    census_lexicon,
    normalise,
    read_words,
)
from pipeline.phi.names import PERSON, WITH_CONTEXT, PersonNameRecognizer, runs, words_of
from pipeline.phi.recognizers import STANDS_ALONE
from tests.pipeline.phi_corpus import numbered


def person_score(line: str) -> float | None:
    scores = [d.score for d in detector(None).detect(line) if d.entity_type == PERSON]
    return max(scores) if scores else None


NAMES_WITH_CONTEXT = [
    "Patient: Eleanor Whitfield",
    "pt Eleanor Whitfield admitted to 4B",
    "guarantor=Chidi Okonkwo relationship=self",  # not census names: the field makes them a name
    '{"patient_name": "Priya Raman"}',
    '"given": ["Eleanor"]',
    "last_name=Whitfield",
    "Dr. Whitfield signed the note",
    "Mrs. Eleanor Whitfield called",
    "NEXT OF KIN: ELEANOR WHITFIELD",
    "subscriber: WHITFIELD, ELEANOR R",
    "member name: Eleanor R. Whitfield",
    "emergency contact: Eleanor Whitfield (spouse)",
    "Patient Eleanor Whitfield was discharged",
    "Name: Eleanor Whitfield",
]
NAMES_ALONE = [
    "reminder sent to Eleanor Whitfield",
    "Eleanor Whitfield checked in",
    "Eleanor J. Whitfield checked in",
    "1042,Eleanor,Whitfield,F",
    "1042,Whitfield,Eleanor,F",
    "Dallas Whitaker checked in",  # a place as given name, before a surname that is no given name
    "assert 'Agnes Bellweather' == '[REDACTED]'",  # quoted, one unambiguous census name
    "signed by Walter McAllister",
    "reviewed by Siobhan O'Malley",
]


@pytest.mark.parametrize("line", NAMES_WITH_CONTEXT, ids=numbered("context-"))
def test_names_with_a_context_word_score_at_the_context_floor(line: str) -> None:
    assert person_score(line) == WITH_CONTEXT


@pytest.mark.parametrize("line", NAMES_ALONE, ids=numbered("alone-"))
def test_unambiguous_first_last_pairs_count_alone(line: str) -> None:
    assert person_score(line) == STANDS_ALONE


@pytest.mark.parametrize(
    "line",
    [
        "Apache Spark 3.5.1 on Dataproc",
        "Great Expectations validation passed",
        "Cloud Build Service Agent",
        "Name: Cloud Build Service Agent",
        "Northern Virginia (us-east4)",
        "Region Virginia Beach edge",
        "Austin Region runners are idle",
        "Grant Young Generation pause",  # both ordinary words: need context
        "Will Retry in 15s",
        "Charlotte Douglas airport code",  # place, then a surname that is also a given name
        "Patient Portal Service healthy",  # the person word is part of a product name
        "PATIENT MATCHING SERVICE STARTED",
        "NAME READY STATUS RESTARTS AGE",
        "first: 1, last: 500",
        "Last Modified: Tuesday",
        "French, German, Italian",
        "Dr. Elephant tuning hints",
        "projects/Eleanor Whitfield",  # glued to a path
        "https://example.org/Eleanor_Whitfield",
        "Eleanor Whitfield Memorial Hospital Foundation",  # four words: an institution
        "ELEANOR WHITFIELD",  # upper case needs context
        "1420 Martin Luther King Blvd, Springfield, IL 62704",  # a street, not a person
    ],
    ids=numbered("not-a-name-"),
)
def test_not_a_name(line: str) -> None:
    assert person_score(line) is None


def test_runs_split_at_case_changes_and_punctuation() -> None:
    line = "INFO Eleanor J. Whitfield: ELEANOR WHITFIELD,Foo"
    assert [[w.text for w in run] for run in runs(line, words_of(line))] == [
        ["INFO"],
        ["Eleanor", "J", "Whitfield"],
        ["ELEANOR", "WHITFIELD"],
        ["Foo"],
    ]


def test_results_carry_presidio_metadata_and_no_text() -> None:
    recognizer = PersonNameRecognizer()
    [result] = recognizer.analyze("Patient: Eleanor Whitfield", [PERSON])
    assert (result.start, result.end, result.entity_type) == (9, 26, PERSON)
    assert result.recognition_metadata["recognizer_identifier"] == recognizer.id
    assert recognizer.context == []  # Presidio's context enhancer must not add to our scores


def test_the_lexicon_tells_names_words_and_places_apart() -> None:
    lexicon = census_lexicon()
    assert lexicon.is_given("Eleanor") and lexicon.is_surname("Whitfield") and lexicon.is_evidence("Whitfield")
    assert lexicon.is_surname("O'Malley") and lexicon.is_surname("Ruiz-Delgado")
    assert lexicon.is_name("Brown") and not lexicon.is_evidence("Brown")  # an ordinary word too
    assert lexicon.is_name("Austin") and lexicon.is_place("Austin") and not lexicon.is_evidence("Austin")
    assert not lexicon.is_name("Kubernetes") and not lexicon.is_name("Pulumi")
    assert normalise("O\u2019Malley") == "omalley"


def test_the_vendored_data_is_complete_and_small() -> None:
    lexicon = census_lexicon()
    assert len(lexicon.given) == 5163 and len(lexicon.surnames) == 88799
    data = Path(__file__).resolve().parents[2] / "pipeline/phi/data"
    assert sum(f.stat().st_size for f in data.iterdir()) < 600_000
    assert (data / "SOURCE.md").is_file()


@pytest.mark.parametrize("damage", ["missing", "empty", "not gzip"])
def test_damaged_name_data_is_an_error_not_an_empty_list(tmp_path: Path, damage: str) -> None:
    data = Path(__file__).resolve().parents[2] / "pipeline/phi/data"
    for name in (GIVEN_NAMES, SURNAMES, COMMON_WORDS, PLACES):
        (tmp_path / name).write_bytes((data / name).read_bytes())
    target = tmp_path / SURNAMES
    if damage == "missing":
        target.unlink()
    elif damage == "empty":
        target.write_bytes(gzip.compress(b"# nothing\n"))
    else:
        target.write_bytes(b"smith\n")
    with pytest.raises(LexiconError, match=SURNAMES):
        census_lexicon.__wrapped__(tmp_path)


def test_comment_lines_are_not_names(tmp_path: Path) -> None:
    (tmp_path / "places.txt").write_text("# header\naustin\n\n", encoding="ascii")
    assert read_words(tmp_path / "places.txt") == frozenset({"austin"})
