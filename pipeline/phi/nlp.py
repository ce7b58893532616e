"""The language side of the PHI gate: a spaCy model when one is installed, spaCy's tokenizer otherwise.

No model can be downloaded inside the build's perimeter, and the gate must not try: Presidio's spaCy
engine downloads a missing model at load time, ours refuses instead. Without a model the gate runs
`pattern-only` on spaCy's rule-based English tokenizer (`blank:en`, no weights): lines are still
split into words, so context words work; names of people are then out of reach. Every run says
which mode it used.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import cast

import spacy
from presidio_analyzer.nlp_engine import NlpArtifacts, SpacyNlpEngine
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_infix_regex

PATTERN_ONLY = "pattern-only"
SPACY_MODEL = "spacy-model"
BLANK_ENGLISH = "blank:en"
# Installed models, best first; the first one found is used. en_core_web_trf needs spacy-transformers.
PREFERRED_MODELS = ("en_core_web_lg", "en_core_web_md", "en_core_web_sm")
# Pins a model (package name or model directory); a pinned model that cannot load is an error.
MODEL_ENV = "PHI_SPACY_MODEL"
# Log punctuation that glues a key to its value (mrn=..., "dob":"...", patient_dob): split it off,
# so the key is a word of its own for the context check.
LOG_PUNCTUATION = r"""[=:_/|,;#"'@\[\]{}()<>]"""
LANGUAGE = "en"


class NlpSetupError(Exception):
    """The language model asked for cannot be used."""


def is_available(model: str) -> bool:
    return model == BLANK_ENGLISH or spacy.util.is_package(model) or Path(model).is_dir()


def installed_model(environment: Mapping[str, str] | None = None) -> str | None:
    """The spaCy model to run with: the pinned one, else the best installed one, else None."""
    environment = os.environ if environment is None else environment
    pinned = environment.get(MODEL_ENV, "").strip()
    if pinned:
        if not is_available(pinned):
            raise NlpSetupError(
                f"{MODEL_ENV}={pinned} is neither an installed spaCy package nor a model directory "
                "(models are never downloaded)"
            )
        return pinned
    return next((name for name in PREFERRED_MODELS if spacy.util.is_package(name)), None)


class LogLineEngine(SpacyNlpEngine):
    """Presidio's spaCy engine that never downloads, splits log punctuation, and lemmatizes without a model."""

    def __init__(self, model: str = BLANK_ENGLISH) -> None:
        super().__init__(models=[{"lang_code": LANGUAGE, "model_name": model}])
        self.model = model
        self.mode = PATTERN_ONLY if model == BLANK_ENGLISH else SPACY_MODEL

    @staticmethod
    def _download_spacy_model_if_needed(model_name: str) -> None:
        if not is_available(model_name):
            raise NlpSetupError(f"spaCy model {model_name} is not installed (models are never downloaded)")

    def load(self) -> None:
        try:
            super().load()
        except (OSError, ValueError) as error:  # spaCy's errors for a missing or broken model
            raise NlpSetupError(f"spaCy model {self.model} cannot be loaded ({type(error).__name__})") from error
        nlp = self.get_nlp(LANGUAGE)
        tokenizer = cast(Tokenizer, nlp.tokenizer)
        tokenizer.infix_finditer = compile_infix_regex([*(nlp.Defaults.infixes or []), LOG_PUNCTUATION]).finditer

    def _doc_to_nlp_artifact(self, doc: Doc, language: str) -> NlpArtifacts:
        entities, scores = self._get_updated_entities(list(doc.ents), self._get_scores_for_entities(doc))
        return NlpArtifacts(
            entities=entities,
            tokens=doc,
            tokens_indices=[token.idx for token in doc],
            # spaCy's tokenizer alone leaves lemmas empty: a word then stands for itself.
            lemmas=[(token.lemma_ or token.text).lower() for token in doc],
            nlp_engine=self,
            language=language,
            scores=scores,
        )
