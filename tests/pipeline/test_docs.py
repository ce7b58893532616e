"""docs/pipeline.md shows the current DAG and numbers, so the documentation cannot drift."""

from __future__ import annotations

from pipeline.dag import critical_path, mermaid
from pipeline.definition import pipeline
from pipeline.render import ROOT

DOC = (ROOT / "docs" / "pipeline.md").read_text(encoding="utf-8")
STEPS = [step.to_dict() for step in pipeline().steps]


def test_the_documented_dag_is_the_generated_one() -> None:
    block = DOC.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert block == mermaid(STEPS)


def test_the_documented_numbers_are_current() -> None:
    stats = critical_path(STEPS)
    assert f"{len(STEPS)} steps" in DOC
    assert f"{stats.critical_seconds:,.0f} s of step timeouts out of {stats.total_seconds:,.0f} s" in DOC.replace(
        "\n", " "
    )
    assert f"a ratio of {stats.ratio:.3f}" in DOC.replace("\n", " ")
