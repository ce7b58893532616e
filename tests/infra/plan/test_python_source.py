"""parse_python survives the finaliser re-entry that breaks `ast.parse` on CPython 3.11."""

from __future__ import annotations

import ast
import asyncio
import gc
import inspect
import logging
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from infra.plan.python_source import class_source, parse_python
from infra.platform import HipaaPlatform

SOURCE = (Path(__file__).resolve().parents[3] / "infra" / "platform.py").read_text(encoding="utf-8")


@pytest.fixture
def unretrieved_failures(caplog: pytest.LogCaptureFixture) -> Iterator[Callable[[], None]]:
    """Leaves failed Futures in reference cycles, only the collector frees them (logging a traceback)."""
    loop = asyncio.new_event_loop()
    threshold = gc.get_threshold()
    gc.set_threshold(50)

    def leave_one() -> None:
        future = loop.create_future()
        try:
            raise RuntimeError("synthetic failure")
        except RuntimeError as error:
            future.set_exception(error)
        holder: list[object] = [future]
        holder.append(holder)

    with caplog.at_level(logging.ERROR, logger="asyncio"):
        yield leave_one
        gc.collect()
    gc.set_threshold(*threshold)
    loop.close()


@pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="the shared AST counter is a CPython 3.11 defect")
def test_the_hostile_setup_does_break_a_plain_parse(unretrieved_failures: Callable[[], None]) -> None:
    failures = 0
    for _ in range(20):
        unretrieved_failures()
        try:
            ast.parse(SOURCE)
        except SystemError:
            failures += 1
    assert failures > 0


def test_parse_python_is_not_disturbed_by_finalisers(unretrieved_failures: Callable[[], None]) -> None:
    for _ in range(20):
        unretrieved_failures()
        assert isinstance(parse_python(SOURCE), ast.Module)


@pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="the shared AST counter is a CPython 3.11 defect")
def test_the_hostile_setup_does_break_a_plain_getsource_of_a_class(unretrieved_failures: Callable[[], None]) -> None:
    # 3.11's inspect finds a class by parsing its whole module: the reference and interface tests read
    # components that way, and a full run failed test_readme on it.
    failures = 0
    for _ in range(20):
        unretrieved_failures()
        try:
            inspect.getsource(HipaaPlatform)
        except SystemError:
            failures += 1
    assert failures > 0


def test_class_source_is_not_disturbed_by_finalisers(unretrieved_failures: Callable[[], None]) -> None:
    for _ in range(20):
        unretrieved_failures()
        assert "class HipaaPlatform(" in class_source(HipaaPlatform)


def test_parse_python_restores_the_collector() -> None:
    assert gc.isenabled()
    parse_python("x = 1")
    assert gc.isenabled()


def test_parse_python_leaves_a_paused_collector_paused() -> None:
    gc.disable()
    try:
        parse_python("x = 1")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_parse_python_reports_syntax_errors_with_the_file_name() -> None:
    with pytest.raises(SyntaxError) as raised:
        parse_python("def (", filename="broken.py")
    assert raised.value.filename == "broken.py"


def test_no_other_module_calls_ast_parse_directly() -> None:
    root = Path(__file__).resolve().parents[3]
    direct = [
        str(path.relative_to(root))
        for folder in ("infra", "pipeline", "tests", "security", "policypack", "workloads")
        for path in (root / folder).rglob("*.py")
        if any(call in path.read_text(encoding="utf-8") for call in ("ast.parse(", "inspect.getsource("))
        and path.name not in {"python_source.py", "test_python_source.py"}
    ]
    assert direct == []
