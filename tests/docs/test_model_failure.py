"""model_failure.md answers every item of the failure list with a test, or says plainly it is not tested."""

from __future__ import annotations

import re

from tests.docs.citations import cited_tests, text

DOCUMENT = text("model_failure.md")
ITEMS = (
    *(f"1.{n}" for n in range(1, 9)),  # failure criteria
    *(f"2.{n}" for n in range(1, 6)),  # failure patterns
    *(f"5.{n}" for n in range(1, 6)),  # red flags of the summary, emoji included
)


def sections() -> dict[str, str]:
    parts = re.split(r"^### (\d\.\d) ", DOCUMENT, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def rows(section: str) -> list[list[str]]:
    lines = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| failure ")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]


def test_every_failure_item_is_answered() -> None:
    assert list(sections()) == list(ITEMS)


def test_every_item_cites_a_test_and_every_row_cites_one_or_says_not_tested() -> None:
    problems = []
    for item, body in sections().items():
        if not cited_tests(body):
            problems.append(f"{item}: cites no test")
        for cells in rows(body):
            if len(cells) != 3:
                problems.append(f"{item}: row with {len(cells)} cells")
            elif not cited_tests(cells[2]) and cells[2] != "Not tested":
                problems.append(f"{item}: '{cells[0]}' neither cites a test nor says Not tested")
    assert problems == []


def test_emoji_is_answered_by_the_emoji_test() -> None:
    assert "tests/docs/test_no_emoji.py::test_no_tracked_text_file_holds_an_emoji" in sections()["5.3"]
