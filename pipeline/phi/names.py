"""Names of people without a language model: capitalised words, census name lists and context.

Build logs are full of capitalised tool, product and place names ("Cloud Build", "Apache Spark",
"Northern Virginia"), so a capitalised word is never enough. A candidate is a run of one to three
capitalised words (initials allowed between them), or "Last, First". "Unambiguous" below means a
census name that is neither an ordinary word nor another proper noun (pipeline/phi/lexicon.py). It counts when:

- an honorific stands right before it (Dr., Mrs.): one census name, or two or more words;
- a person field or person word stands right before it (first_name=, "family":, pt, guarantor=,
  next of kin:): two or three words, or one census name; when the person word is part of the same
  capitalised phrase ("Patient Portal Service"), one unambiguous word is needed;
- a person context word is among the five words before it (patient, subscriber, emergency, ...):
  two or three words, all census names or one unambiguous; "Last, First" needs such context;
- a weaker context word is (name, member, contact): two or three words, one of them unambiguous;
- with no context at all: exactly "First [M.] Last" (or "First,Last" / "Last,First" in a CSV row),
  a census given name then an unambiguous census surname, the given name unambiguous too or a
  place before a surname that is no given name (Dallas Whitaker); or a quoted value of two or
  three words with one unambiguous name ('Agnes Bellweather'). Never glued to a path or an
  identifier, never part of a longer capitalised run.

Upper-case names (PATIENT: WHITFIELD, ELEANOR) count only with context: log headers are upper case.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from pipeline.phi.lexicon import Lexicon, census_lexicon
from pipeline.phi.recognizers import STANDS_ALONE

PERSON = "PERSON"
# A name with its context word scores like any context-lifted match (engine.CONTEXT_FLOOR).
WITH_CONTEXT = 0.55
CONTEXT_WINDOW = 5
MAX_NAME_WORDS = 3

HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr"})
PERSON_CONTEXT = frozenset(
    {
        "patient", "patients", "pt", "guarantor", "subscriber", "insured", "beneficiary", "resident",
        "guardian", "spouse", "mother", "father", "parent", "kin", "caregiver", "physician", "doctor",
        "nurse", "attending", "referring", "dependent", "policyholder", "cardholder", "emergency",
    }
)  # fmt: skip
WEAK_CONTEXT = frozenset({"name", "names", "member", "contact", "recipient"})
# first_name=, "family":, lastName:, surname= ... right before the value.
_FIELD_KEY = re.compile(
    r"(?i:(?:first|last|given|family|middle|maiden|full|legal|preferred|sur|fore|patient|pt|member)"
    r"[ _.-]{0,2}name|given|family|surname|forename|fname|lname)[\"']?\s*[:=]\s*[\"'\[ ]{0,3}$"
)
_HONORIFIC_BEFORE = re.compile(r"(?i:\b(?:mr|mrs|ms|miss|mx|dr))\.?\s$")
# A person word right before the value: "pt Eleanor Whitfield", "guarantor=...", "next of kin: ...".
_PERSON_WORD_BEFORE = re.compile(
    r"(?i:\b(?:patient|pt|guarantor|subscriber|insured|beneficiary|resident|guardian|spouse|kin|caregiver"
    r"|physician|doctor|nurse|dependent|policyholder|cardholder))\.?[\"']?\s*[:=]?\s*[\"'\[]{0,2}$"
)
_TITLE = r"(?:[A-Z][a-z]*['\u2019]?[A-Z][a-z]+|[A-Z][a-z]+)"
_TITLE_WORD = re.compile(rf"{_TITLE}(?:-{_TITLE})?")
_UPPER_WORD = re.compile(r"[A-Z]{2,}(?:['\u2019][A-Z]+)?(?:-[A-Z]{2,})?")
_TOKEN = re.compile(r"[A-Za-z]+(?:['\u2019][A-Za-z]+)*(?:-[A-Za-z]+)*")
_CONTEXT_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
# Characters that glue a word into a path, an identifier or an address (projects/Foo, foo.Bar, a@B).
_GLUE_BEFORE = frozenset("/\\_.@-$%&*+#<>|~^`")
_GLUE_AFTER = frozenset("/\\_@-$%&*+<>|~^`([")


@dataclass(frozen=True)
class Word:
    text: str
    start: int
    end: int

    @property
    def is_initial(self) -> bool:
        return len(self.text) == 1 and self.text.isupper()

    @property
    def shape(self) -> str:
        if self.is_initial:
            return "initial"
        if _TITLE_WORD.fullmatch(self.text):
            return "title"
        return "upper" if _UPPER_WORD.fullmatch(self.text) else "other"


def words_of(line: str) -> list[Word]:
    return [Word(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(line)]


def joined(line: str, left: Word, right: Word) -> bool:
    """Two words of one name: one space apart, or `. ` after an initial or honorific."""
    gap = line[left.end : right.start]
    return gap == " " or (gap == ". " and (left.is_initial or left.text.lower() in HONORIFICS))


def runs(line: str, words: list[Word]) -> list[list[Word]]:
    """Maximal runs of capitalised words of one case (title or upper), initials allowed inside."""
    found: list[list[Word]] = []
    current: list[Word] = []
    case = ""
    for word in words:
        shape = word.shape
        if shape == "other":
            found.append(current)
            current, case = [], ""
            continue
        if not (current and shape in {"initial", case or shape} and joined(line, current[-1], word)):
            found.append(current)
            current, case = [], ""
        current.append(word)
        case = case or ("" if shape == "initial" else shape)
    found.append(current)
    return [run for run in found if any(not w.is_initial for w in run)]


def context_words(prefix: str) -> list[str]:
    """The last words before a candidate, split at punctuation, underscores and camelCase."""
    return [w.lower() for w in _CONTEXT_WORD.findall(prefix)][-CONTEXT_WINDOW:]


class PersonNameRecognizer(EntityRecognizer):
    """PERSON from census name lists, capitalisation and context; needs no language model."""

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon or census_lexicon()
        # No Presidio context list: the rules above decide, and Presidio's enhancer leaves us alone.
        super().__init__(supported_entities=[PERSON], name="PersonNameRecognizer", context=[])

    def load(self) -> None:
        """The lexicon is loaded in the constructor."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        words = words_of(text)
        spans = [span for run in runs(text, words) for span in self._run_candidates(text, run)]
        spans += self._comma_candidates(text, words)
        return [self._result(start, end, score) for start, end, score in spans]

    def _result(self, start: int, end: int, score: float) -> RecognizerResult:
        metadata: dict[str, object] = {
            RecognizerResult.RECOGNIZER_NAME_KEY: "PersonNameRecognizer",
            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
        }
        return RecognizerResult(PERSON, start, end, score, recognition_metadata=metadata)

    def _run_candidates(self, line: str, run: list[Word]) -> list[tuple[int, int, float]]:
        # Context words written in the run itself ("Patient Eleanor Whitfield", "Dr Whitfield").
        lead = 0
        while lead < len(run) - 1 and run[lead].text.lower() in HONORIFICS | PERSON_CONTEXT | WEAK_CONTEXT:
            lead += 1
        name = run[lead:]
        while name and name[0].is_initial:
            name = name[1:]
        if not name:
            return []
        score = self.score(line, name, upper=name[0].shape == "upper", bare_run=lead == 0)
        return [] if score is None else [(name[0].start, name[-1].end, score)]

    def score(self, line: str, name: list[Word], *, upper: bool, bare_run: bool) -> float | None:
        """The score of a candidate of capitalised words, or None when it is not a name."""
        texts = [w.text for w in name if not w.is_initial]
        start, end = name[0].start, name[-1].end
        if len(texts) > MAX_NAME_WORDS or _glued(line, start, end):
            return None
        lexicon, prefix = self.lexicon, line[:start]
        any_evidence = any(lexicon.is_evidence(t) for t in texts)
        all_names = all(lexicon.is_name(t) for t in texts)
        if _HONORIFIC_BEFORE.search(prefix):
            return WITH_CONTEXT if len(texts) > 1 or lexicon.is_name(texts[0]) else None
        field, person_word = _FIELD_KEY.search(prefix), _PERSON_WORD_BEFORE.search(prefix)
        if field or person_word:
            # The value of a person field. Two capitalised words are a name, unless the person word
            # is part of the same capitalised phrase ("Patient Portal Service" is a product).
            if len(texts) == 1:
                return WITH_CONTEXT if (field and all_names) or any_evidence else None
            return WITH_CONTEXT if any_evidence or (bare_run and (all_names or not upper)) else None
        if len(texts) < 2:
            return None
        before = set(context_words(prefix))
        if before & PERSON_CONTEXT:
            return WITH_CONTEXT if all_names or any_evidence else None
        if before & WEAK_CONTEXT:
            return WITH_CONTEXT if any_evidence else None
        if upper or not bare_run:
            return None
        if self.first_last(texts[0], texts[-1], texts[1:-1]):
            return STANDS_ALONE
        # A quoted value that is two or three capitalised words, one an unambiguous census name
        # (assert 'Amara Diallo' == ...): how a name sits in a test failure or a JSON value.
        quoted = start > 0 and end < len(line) and line[start - 1] == line[end] and line[end] in "'\""
        plain_evidence = any(lexicon.is_evidence(t) and "-" not in t for t in texts)  # not "Le Plessis-Belleville"
        return STANDS_ALONE if quoted and plain_evidence else None

    def first_last(self, first: str, last: str, middle: list[str]) -> bool:
        """A census given name, then a census surname, and at least the surname unambiguous.

        A given name that is also a place or a month (Dallas Whitaker) counts only before a surname
        that is no given name too: "Charlotte Douglas" stays an airport. One that is also a word never counts
        alone: "Les Loges-Marchis", "See Tom Bohman".
        """
        lexicon = self.lexicon
        if not (lexicon.is_given(first) and lexicon.is_surname(last) and all(lexicon.is_given(m) for m in middle)):
            return False
        if not lexicon.is_evidence(last):
            return False
        if lexicon.is_evidence(first):
            return True
        ordinary_word = first.lower() in lexicon.common_words
        return lexicon.is_proper_noun(first) and not ordinary_word and not lexicon.is_given(last)

    def _comma_candidates(self, line: str, words: list[Word]) -> list[tuple[int, int, float]]:
        """ "Last, First" after a person context word, and "First,Last" or "Last,First" in a CSV row."""
        found = []
        lexicon = self.lexicon
        for left, right in itertools.pairwise(words):
            gap = line[left.end : right.start]
            if gap not in {",", ", "} or left.shape != right.shape or left.shape not in {"title", "upper"}:
                continue
            if _glued(line, left.start, right.end):
                continue
            prefix = line[: left.start]
            if gap == ", ":
                context = bool(_FIELD_KEY.search(prefix) or _PERSON_WORD_BEFORE.search(prefix))
                context = context or bool(set(context_words(prefix)) & PERSON_CONTEXT)
                last_first = lexicon.is_surname(left.text) and lexicon.is_given(right.text)
                if context and (last_first or lexicon.is_evidence(left.text)):
                    found.append((left.start, right.end, WITH_CONTEXT))
            elif left.shape == "title" and (
                self.first_last(left.text, right.text, []) or self.first_last(right.text, left.text, [])
            ):
                found.append((left.start, right.end, STANDS_ALONE))
        return found


def _glued(line: str, start: int, end: int) -> bool:
    before = line[start - 1] if start > 0 else " "
    after = line[end] if end < len(line) else " "
    dotted = after == "." and end + 1 < len(line) and line[end + 1].isalnum()
    return before in _GLUE_BEFORE or after in _GLUE_AFTER or dotted
