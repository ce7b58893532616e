"""A script run that exits 0 after core.sh's ERR trap fired fails the test that ran it.

`log "$(jq ... )"`: the substitution's subshell dies with "unexpected failure", the argument is
empty, and the script goes on to exit 0. Every script test runs through FakeTools.run, so no
passing script test can hide such a failure.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scripts.fakes import PROJECT_ROOT, FakeTools

PRELUDE = f'#!/usr/bin/env bash\nset -Eeuo pipefail\nsource "{PROJECT_ROOT}/scripts/lib/core.sh"\n'


def _script(tmp_path: Path, body: str) -> str:
    script = tmp_path / "probe.sh"
    script.write_text(PRELUDE + body, encoding="utf-8")
    return str(script)


def test_a_failure_inside_an_argument_that_the_script_outlives_fails_the_run(tmp_path: Path) -> None:
    tools = FakeTools(tmp_path / "fakes")
    with pytest.raises(AssertionError, match="exited 0 after a failure it did not stop for"):
        tools.run(_script(tmp_path, 'log "count: $(false)"\nexit 0\n'))


def test_a_script_that_stops_on_the_failure_is_an_ordinary_failed_run(tmp_path: Path) -> None:
    result = FakeTools(tmp_path / "fakes").run(_script(tmp_path, "count=$(false)\nlog never\n"))
    assert result.returncode != 0 and "unexpected failure at line" in result.stderr


def test_a_clean_script_passes(tmp_path: Path) -> None:
    result = FakeTools(tmp_path / "fakes").run(_script(tmp_path, 'log "count: $(printf 3)"\n'))
    assert result.returncode == 0 and "count: 3" in result.stderr
