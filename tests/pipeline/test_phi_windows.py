"""pipeline/phi/windows.py: a line of any length is analysed whole, in bounded windows (synthetic data only).

The long lines are generated here, never committed: over spaCy's nlp.max_length (1,000,000
characters), which made the gate fail on a one-line coverage.json before lines were windowed.
"""

from __future__ import annotations

import io
import itertools
import json
from pathlib import Path

import pytest

from pipeline.phi import cli
from pipeline.phi.engine import detector
from pipeline.phi.scanner import Finding, ScanError, scan
from pipeline.phi.windows import MARGIN, OVERLAP, WINDOW, Window, windows
from tests.pipeline.phi_corpus import seeded, ssn

SPACY_MAX_LENGTH = 1_000_000
STRIDE = WINDOW - OVERLAP
# Lower-case filler the pattern-only analyzer skips fast; the windows around the values are analysed in full.
FILLER = "step ok cache hit "


def owned_positions(found: list[Window]) -> list[tuple[int, int]]:
    return [(w.line, w.column + i) for w in found for i in range(len(w.text)) if w.owns(i)]


@pytest.mark.parametrize(
    "text",
    ["", "\n", "a\n\nb", "x" * 20, "x" * 21 + "\n", "y" * 10 + "\n" + "z" * 37, "abcdefghij" * 7 + "\nq\n"],
)
def test_every_character_is_owned_by_exactly_one_window_and_windows_stay_bounded(text: str) -> None:
    found = list(windows(io.StringIO(text), size=10, overlap=4))
    lines = text.split("\n")
    expected = [(number, column) for number, line in enumerate(lines, 1) for column in range(len(line))]
    assert owned_positions(found) == expected
    assert all(len(w.text) <= 10 and w.text == lines[w.line - 1][w.column : w.column + len(w.text)] for w in found)
    # Each piece after the first starts within the previous one: nothing between them is skipped.
    assert all(b.column == a.column + 6 for a, b in itertools.pairwise(found) if a.line == b.line)


def test_a_window_must_be_longer_than_its_overlap() -> None:
    with pytest.raises(ValueError, match="longer than its overlap"):
        next(windows(io.StringIO("x"), size=4, overlap=4))


def test_chunking_leaves_room_for_the_longest_match_and_its_context() -> None:
    assert WINDOW < SPACY_MAX_LENGTH and MARGIN >= 254 * 2  # an e-mail address is at most 254 characters


def long_line(values: dict[int, str], length: int = SPACY_MAX_LENGTH + 40_000) -> str:
    """A single line of `length` characters with each value placed at its (0-based) column."""
    line = (FILLER * (length // len(FILLER) + 1))[:length]
    for column, value in values.items():
        line = line[: column - 1] + " " + value + " " + line[column + len(value) + 1 :]
    assert len(line) == length
    return line


# A window past spaCy's limit: the value sits astride its end, astride where ownership passes to the
# next window (which also holds it whole), and astride the start of the next one.
K = SPACY_MAX_LENGTH // STRIDE
END = K * STRIDE + WINDOW
OWNERSHIP_SPLIT = (K + 1) * STRIDE + MARGIN
NEXT_START = (K + 2) * STRIDE


@pytest.mark.parametrize("column", [END - 5, OWNERSHIP_SPLIT - 5, OWNERSHIP_SPLIT, NEXT_START - 5])
def test_a_value_across_a_window_edge_past_spacys_limit_is_found_once_where_it_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], column: int
) -> None:
    value = ssn(seeded(column))
    path = tmp_path / "coverage.json"
    path.write_text(long_line({column: value}) + "\n", encoding="utf-8")
    assert column > SPACY_MAX_LENGTH
    assert scan([path], detector(None)).findings == [Finding(str(path), 1, column + 1, "US_SSN", 0.5)]
    assert cli.main(["scan", str(path), "--json", str(tmp_path / "phi.json")]) == cli.FOUND
    out = capsys.readouterr()
    written = (tmp_path / "phi.json").read_text(encoding="utf-8")
    assert f":1:{column + 1}: US_SSN (score 0.50)" in out.out
    assert value not in out.out + out.err + written
    assert json.loads(written)["findings"][0]["column"] == column + 1


def test_of_equal_values_on_one_long_line_the_first_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    columns = [300, END - 3, SPACY_MAX_LENGTH + 30_000]
    path.write_text(long_line({c: ssn(seeded(c)) for c in columns}), encoding="utf-8")  # no final newline
    assert scan([path], detector(None)).findings == [Finding(str(path), 1, 301, "US_SSN", 0.5)]


def test_a_long_clean_line_cut_into_ssn_shapes_at_window_edges_passes(tmp_path: Path) -> None:
    # Neither token is an SSN on the line; cut at a window's first or last character, each looks like one.
    # At the first edges and past spaCy's limit only: the windows between are filler, skipped fast.
    starts = (STRIDE, 2 * STRIDE, (K + 1) * STRIDE, (K + 2) * STRIDE)
    shape = ssn(seeded(1))
    cuts = {start - 1: f"9{shape}" for start in starts} | {start + OVERLAP - 11: f"{shape}0" for start in starts}
    line = long_line(cuts)
    first_edges = next(windows(io.StringIO(line))), list(windows(io.StringIO(line[: 2 * WINDOW])))[1]
    assert all(detector(None).detect(window.text) for window in first_edges)  # the cut pieces would be flagged
    path = tmp_path / "clean.json"
    path.write_text(line + "\n", encoding="utf-8")
    result = scan([path], detector(None))
    assert result.findings == [] and result.files_scanned == 1


def test_an_analysis_error_in_a_later_window_names_the_line_not_the_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    value = ssn(seeded(3))
    path = tmp_path / "big.json"
    path.write_text("ok\n" + long_line({END: value}), encoding="utf-8")
    gate = detector(None)

    def quoting_failure(text: str) -> list[object]:
        if value in text:
            raise ValueError(f"[E088] Text of length {len(text)} exceeds maximum: {text}")
        return []

    monkeypatch.setattr(gate, "matches", quoting_failure)
    with pytest.raises(ScanError) as raised:
        scan([path], gate)
    assert str(raised.value) == f"{path}:2: analysis failed (ValueError)"
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
