"""The name data the model-free person recognizer looks words up in (pipeline/phi/data/SOURCE.md).

Given names and surnames come from the 1990 US Census frequency lists; a census name that English
also writes as an ordinary word ("Brown", "Grant", "Will") or that is another proper noun (a place,
a language, a month: "Austin", "English", "June") is *ambiguous*: it counts with a context word,
never as evidence on its own.
Missing or empty data is an error: without it the gate would silently stop finding names.
"""

from __future__ import annotations

import functools
import gzip
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
GIVEN_NAMES = "given-names.txt.gz"
SURNAMES = "surnames.txt.gz"
COMMON_WORDS = "common-words.txt.gz"
PROPER_NOUNS = "proper-nouns.txt"


class LexiconError(Exception):
    """The vendored name data cannot be read."""


def normalise(word: str) -> str:
    """The census spelling of a word: lower case, no apostrophes (O'Malley is OMALLEY)."""
    return word.lower().replace("'", "").replace("\u2019", "")


def read_words(path: Path) -> frozenset[str]:
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        text = raw.decode("ascii")
    except (OSError, EOFError, gzip.BadGzipFile, UnicodeDecodeError) as error:
        raise LexiconError(f"name data {path.name} cannot be read ({type(error).__name__})") from error
    words = frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))
    if not words:
        raise LexiconError(f"name data {path.name} is empty")
    return words


@dataclass(frozen=True)
class Lexicon:
    given: frozenset[str]
    surnames: frozenset[str]
    common_words: frozenset[str]
    proper_nouns: frozenset[str]

    def _parts(self, word: str) -> list[str]:
        return [normalise(part) for part in word.split("-") if part]

    def is_given(self, word: str) -> bool:
        return any(part in self.given for part in self._parts(word))

    def is_surname(self, word: str) -> bool:
        """A surname, or a double-barrelled one with a census part (Ruiz-Delgado)."""
        return any(part in self.surnames for part in self._parts(word))

    def is_name(self, word: str) -> bool:
        return self.is_given(word) or self.is_surname(word)

    def is_proper_noun(self, word: str) -> bool:
        """A place, a language or nationality, a month or a weekday."""
        return any(part in self.proper_nouns for part in self._parts(word))

    def is_evidence(self, word: str) -> bool:
        """A census name that is neither an ordinary English word nor another proper noun."""
        parts = self._parts(word)
        return self.is_name(word) and not any(part in self.common_words or part in self.proper_nouns for part in parts)


@functools.cache
def census_lexicon(data_dir: Path = DATA_DIR) -> Lexicon:
    return Lexicon(
        given=read_words(data_dir / GIVEN_NAMES),
        surnames=read_words(data_dir / SURNAMES),
        common_words=read_words(data_dir / COMMON_WORDS),
        proper_nouns=read_words(data_dir / PROPER_NOUNS),
    )
