"""Parse Python source without tripping CPython 3.11's shared AST recursion counter.

On 3.11 (checked on 3.11.7) `ast.parse` keeps its recursion depth in interpreter-wide state. If the
garbage collector runs while the tree is being converted to objects and frees an asyncio Future whose
exception nobody retrieved (a Pulumi mock run that was meant to fail leaves such futures behind), the
Future's finaliser logs a traceback, 3.11's traceback formatter calls `ast.parse` itself, and the
outer parse fails with "SystemError: AST constructor recursion depth mismatch". The collector is
paused for the length of the parse, so no finaliser can run inside it. `inspect.getsource` of a class
parses the class's whole module the same way on 3.11 (to find the class), so it is wrapped too.
"""

from __future__ import annotations

import ast
import gc
import inspect
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def _collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def parse_python(source: str, filename: str = "<unknown>") -> ast.Module:
    """`ast.parse`, with the garbage collector paused so no finaliser can re-enter the parser."""
    with _collector_paused():
        return ast.parse(source, filename=filename)


def class_source(cls: type) -> str:
    """`inspect.getsource(cls)`, collector paused: on 3.11 it finds the class by parsing its module."""
    with _collector_paused():
        return inspect.getsource(cls)
