"""Counts the documents state ("35 steps", "16 pre-deploy gates") are the pipeline's, so they cannot go stale."""

from __future__ import annotations

import re

import yaml

from pipeline.contract import PRE_DEPLOY_GATES
from tests.docs.citations import ROOT, text

DOCUMENTS = ("README.md", "model_failure.md", "prompt.md", "docs/pipeline.md", "docs/contracts.md")


def stated(pattern: str) -> list[tuple[str, int]]:
    return [(doc, int(n)) for doc in DOCUMENTS for n in re.findall(pattern, text(doc))]


def test_stated_step_counts_are_the_generated_pipelines() -> None:
    steps = len(yaml.safe_load((ROOT / "cloudbuild.yaml").read_text(encoding="utf-8"))["steps"])
    claims = stated(r"\b(\d+) steps\b")
    assert claims, "no document states the step count; drop this test with the last claim"
    assert [c for c in claims if c[1] != steps] == [], f"the pipeline has {steps} steps"


def test_stated_gate_counts_are_the_contracts() -> None:
    claims = stated(r"\b(\d+) pre-deploy gates\b")
    assert claims, "no document states the pre-deploy gate count; drop this test with the last claim"
    assert [c for c in claims if c[1] != len(PRE_DEPLOY_GATES)] == [], f"{len(PRE_DEPLOY_GATES)} pre-deploy gates"
