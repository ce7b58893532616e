"""pipeline/phi/names.py and lexicon.py: when capitalised words are a person's name, and when not.

Names here are invented pairings of census names. Test ids never carry them (junit.xml is a build
output the PHI gate scans), hence `ids=` on every parametrized list of lines.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

from pipeline.phi import cli, lexicon_refresh
from pipeline.phi.engine import detector
from pipeline.phi.lexicon import (
    COMMON_WORDS,
    GIVEN_NAMES,
    PROPER_NOUNS,
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
        "assert block == 'Basic Latin'",  # a Unicode block: a language is no person
        "commune = 'Le Plessis-Belleville'",  # a particle and a compound: a place
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
    assert lexicon.is_name("Austin") and lexicon.is_proper_noun("Austin") and not lexicon.is_evidence("Austin")
    assert lexicon.is_name("English") and not lexicon.is_evidence("English")  # a language, always capitalised
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
    for name in (GIVEN_NAMES, SURNAMES, COMMON_WORDS, PROPER_NOUNS):
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
    (tmp_path / PROPER_NOUNS).write_text("# header\naustin\n\n", encoding="ascii")
    assert read_words(tmp_path / PROPER_NOUNS) == frozenset({"austin"})


def test_the_scan_fails_closed_without_name_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def no_data(_model: str | None) -> object:
        raise LexiconError("name data surnames.txt.gz cannot be read (FileNotFoundError)")

    monkeypatch.setattr(cli, "detector", no_data)
    (tmp_path / "a.log").write_text("ok\n", encoding="utf-8")
    assert cli.main(["scan", str(tmp_path / "a.log")]) == cli.ERROR
    assert capsys.readouterr().err.startswith("phi: ERROR: name data surnames.txt.gz cannot be read")


# --- the refresh tool, on miniature census files ---------------------------------------------


def census_file(path: Path, names: list[tuple[str, float]]) -> None:
    rows = [f"{name:<15}{percent:.3f}  0.000 {rank:>6}" for rank, (name, percent) in enumerate(names, start=1)]
    path.write_text("\n".join(rows) + "\n", encoding="ascii")


@pytest.fixture
def census(tmp_path: Path) -> tuple[Path, Path]:
    census_dir = tmp_path / "census"
    census_dir.mkdir()
    census_file(census_dir / "dist.female.first", [("MARY", 2.6), ("ROSE", 0.3)])
    census_file(census_dir / "dist.male.first", [("JAMES", 3.3), ("MARY", 0.1)])
    census_file(census_dir / "dist.all.last", [("SMITH", 1.0), ("BROWN", 0.6), ("WHITFIELD", 0.01)])
    probabilities = {"mary": -13.7, "Mary": -11.7, "rose": -11.8, "Rose": -11.6, "brown": -10.6, "Brown": -11.0}
    lexeme_prob = tmp_path / "en_lexeme_prob.json.gz"
    lexeme_prob.write_bytes(gzip.compress(json.dumps({**probabilities, "floor": -19.5}).encode()))
    return census_dir, lexeme_prob


def test_refresh_cuts_sorts_and_marks_ordinary_words(tmp_path: Path, census: tuple[Path, Path]) -> None:
    out = tmp_path / "out"
    assert lexicon_refresh.main([str(census[0]), str(census[1]), str(out), "--surnames", "2"]) == 0
    lines = {name: gzip.decompress((out / name).read_bytes()).decode().split() for name in os.listdir(out)}
    assert lines[GIVEN_NAMES] == ["james", "mary", "rose"]  # most frequent in either list first
    assert lines[SURNAMES] == ["smith", "brown"]
    assert lines[COMMON_WORDS] == ["rose", "brown"]  # "mary" is mostly capitalised
    first = (out / SURNAMES).read_bytes()
    lexicon_refresh.main([str(census[0]), str(census[1]), str(out), "--surnames", "2"])
    assert (out / SURNAMES).read_bytes() == first  # reproducible bytes: no timestamp in the gzip header


def test_refresh_refuses_a_malformed_census_file(
    tmp_path: Path, census: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    (census[0] / "dist.all.last").write_text("SMITH 1.0\n", encoding="ascii")
    assert lexicon_refresh.main([str(census[0]), str(census[1]), str(tmp_path / "out")]) == 2
    assert "dist.all.last:1: not NAME PERCENT CUMULATIVE RANK" in capsys.readouterr().err
