"""The worker groups really reach pytest-xdist: a pytest upgrade once left every test ungrouped.

pytest 9.2 stores node ids where xdist 3.8 no longer rewrites them, so each worker started its own
Spark JVM and Great Expectations context; this test fails under that combination.
"""

from __future__ import annotations

import pytest


def test_grouped_tests_carry_their_group_under_loadgroup(request: pytest.FixtureRequest) -> None:
    if request.config.getoption("dist", "no") != "loadgroup" and not getattr(request.config.option, "loadgroup", False):
        pytest.skip("only meaningful under `pytest -n auto --dist loadgroup` (make test)")
    grouped = [item.nodeid for item in request.session.items if item.get_closest_marker("xdist_group")]
    assert grouped, "no test carries an xdist_group marker"
    assert all("@" in nodeid for nodeid in grouped), "xdist did not attach the group to the node ids"
