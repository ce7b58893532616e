"""The step graph under Cloud Build's waitFor rules, its critical path and its Mermaid picture."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.dag import critical_path, dependencies, mermaid, parse_duration


def node(step_id: str, seconds: int, wait_for: list[str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": step_id, "name": "x:1", "timeout": f"{seconds}s"}
    if wait_for is not None:
        out["waitFor"] = wait_for
    return out


# a(10) fans out to b(20) and c(5); d(1) joins them; e(7) starts at once.
SMALL = [node("a", 10, ["-"]), node("b", 20, ["a"]), node("c", 5, ["a"]), node("d", 1, ["b", "c"]), node("e", 7, ["-"])]


def test_durations() -> None:
    assert parse_duration("600s") == 600.0
    assert parse_duration("1.5s") == 1.5
    assert parse_duration("10m") is None
    assert parse_duration(600) is None


def test_absent_wait_for_means_every_earlier_step_and_dash_means_none() -> None:
    deps = dependencies([node("a", 1), node("b", 1, ["-"]), node("c", 1), node("d", 1, ["zzz"])])
    assert deps == {"a": (), "b": (), "c": ("a", "b"), "d": ()}


def test_critical_path_of_a_small_known_dag() -> None:
    stats = critical_path(SMALL)
    assert stats.critical_seconds == 31.0
    assert stats.chain == ("a", "b", "d")
    assert stats.total_seconds == 43.0
    assert stats.ratio == pytest.approx(31 / 43)


def test_a_sequential_pipeline_has_ratio_one() -> None:
    assert critical_path([node("a", 5), node("b", 5), node("c", 5)]).ratio == 1.0


def test_an_empty_pipeline_has_no_path() -> None:
    stats = critical_path([])
    assert (stats.critical_seconds, stats.chain, stats.ratio) == (0.0, (), 0.0)


def test_a_cycle_has_no_critical_path() -> None:
    with pytest.raises(ValueError, match="cycle: a -> b -> a"):
        critical_path([node("a", 1, ["b"]), node("b", 1, ["a"])])


def test_a_step_without_timeout_has_no_critical_path() -> None:
    with pytest.raises(ValueError, match="step b has no valid timeout"):
        critical_path([node("a", 1), {"id": "b", "name": "x:1"}])


def test_mermaid_of_a_small_dag() -> None:
    assert mermaid(SMALL) == (
        'flowchart TD\n  a["a"]\n  b["b"]\n  c["c"]\n  d["d"]\n  e["e"]\n  a --> b\n  a --> c\n  b --> d\n  c --> d\n'
    )


def test_mermaid_drops_edges_a_longer_path_implies() -> None:
    # c waits for a and b, b waits for a: a --> c is implied by a --> b --> c.
    text = mermaid([node("a", 1), node("b-1", 1, ["a"]), node("c", 1, ["a", "b-1"])])
    assert "  a --> b_1\n  b_1 --> c\n" in text
    assert "a --> c" not in text
    assert 'b_1["b-1"]' in text
