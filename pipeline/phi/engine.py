"""The Presidio analyzer of the PHI gate, built once per process, asked one log line at a time.

A line is the unit: a context word counts only on the line of the match, as a log line is one
event, and a finding names the line (a line longer than a window is asked in bounded windows,
pipeline/phi/windows.py). Scores: a match that needs context starts below the threshold; a context
word adds CONTEXT_BOOST and lifts it to at least CONTEXT_FLOOR.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry, RecognizerResult
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer

from pipeline.phi.names import PERSON, PersonNameRecognizer
from pipeline.phi.nlp import BLANK_ENGLISH, LANGUAGE, PATTERN_ONLY, LogLineEngine
from pipeline.phi.postal import POSTAL_ADDRESS, CardNumberRecognizer, PostalAddressRecognizer
from pipeline.phi.recognizers import REGEX_FLAGS, model_recognizers, pattern_recognizers

SCORE_THRESHOLD = 0.5
CONTEXT_BOOST = 0.35
CONTEXT_FLOOR = 0.55
# Words before a match that are looked at for context (Presidio's default window).
CONTEXT_WORDS_BEFORE = 5
# Every model-free recognizer needs a digit (identifiers, dates, phones, addresses, cards), an @
# (e-mail) or a capital letter (names): in pattern-only mode a line with none cannot match.
_MAY_MATCH_A_PATTERN = re.compile(r"[0-9@A-Z]")


@dataclass(frozen=True)
class Detection:
    """An entity type found, its score and where the match starts and ends (0-based, end exclusive);
    never the matched text."""

    entity_type: str
    score: float
    start: int
    end: int


class Detector:
    """Finds PHI entity types in one line of text; never hands back the matched text."""

    def __init__(self, mode: str, analyzer: AnalyzerEngine) -> None:
        self.mode = mode
        self._analyzer = analyzer

    def matches(self, text: str) -> list[Detection]:
        """Every match over the threshold, each with where it starts."""
        if self.mode == PATTERN_ONLY and not _MAY_MATCH_A_PATTERN.search(text):
            return []
        results = self._analyzer.analyze(text=text, language=LANGUAGE, score_threshold=SCORE_THRESHOLD)
        return [Detection(r.entity_type, round(r.score, 2), r.start, r.end) for r in within_addresses_dropped(results)]

    def detect(self, line: str) -> list[Detection]:
        """One detection per entity type found on the line (see strongest)."""
        return strongest(self.matches(line))


def strongest(detections: Iterable[Detection]) -> list[Detection]:
    """Per entity type, the best-scoring match (the first of equals), sorted by type."""
    best: dict[str, Detection] = {}
    for detection in detections:
        held = best.get(detection.entity_type)
        if held is None or (detection.score, -detection.start) > (held.score, -held.start):
            best[detection.entity_type] = detection
    return [best[entity] for entity in sorted(best)]


def within_addresses_dropped(results: list[RecognizerResult]) -> list[RecognizerResult]:
    """A person's name inside an address is a street or a city (Martin Luther King Blvd, 12 Oak Dr Springfield)."""
    addresses = [(r.start, r.end) for r in results if r.entity_type == POSTAL_ADDRESS]
    return [
        r
        for r in results
        if r.entity_type != PERSON or not any(start <= r.start and r.end <= end for start, end in addresses)
    ]


def recognizers_for(mode: str) -> list[EntityRecognizer]:
    """Every mode: identifiers, addresses, cards and census names; with a model, its PERSON entities too."""
    model_free = [*pattern_recognizers(), PostalAddressRecognizer(), CardNumberRecognizer(), PersonNameRecognizer()]
    return model_free if mode == PATTERN_ONLY else [*model_free, *model_recognizers()]


@functools.cache
def detector(model: str | None) -> Detector:
    """The analyzer for a spaCy model (a name or directory), or pattern-only for None. Cached."""
    # Presidio logs through its own logger; a log record may quote analyzed text, so none is kept.
    logging.getLogger("presidio-analyzer").disabled = True
    engine = LogLineEngine(model or BLANK_ENGLISH)
    engine.load()
    analyzer = AnalyzerEngine(
        registry=RecognizerRegistry(recognizers=recognizers_for(engine.mode), global_regex_flags=REGEX_FLAGS),
        nlp_engine=engine,
        supported_languages=[LANGUAGE],
        default_score_threshold=SCORE_THRESHOLD,
        context_aware_enhancer=LemmaContextAwareEnhancer(
            context_similarity_factor=CONTEXT_BOOST,
            min_score_with_context_similarity=CONTEXT_FLOOR,
            context_prefix_count=CONTEXT_WORDS_BEFORE,
            context_suffix_count=0,
            context_matching_mode="whole_word",
        ),
    )
    return Detector(engine.mode, analyzer)
