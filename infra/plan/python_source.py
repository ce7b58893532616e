"""Parse Python source without tripping CPython 3.11's shared AST recursion counter.

On 3.11 (checked on 3.11.7) `ast.parse` keeps its recursion depth in interpreter-wide state. If the
garbage collector runs while the tree is being converted to objects and frees an asyncio Future whose
exception nobody retrieved (a Pulumi mock run that was meant to fail leaves such futures behind), the
Future's finaliser logs a traceback, 3.11's traceback formatter calls `ast.parse` itself, and the
outer parse fails with "SystemError: AST constructor recursion depth mismatch". The collector is
paused for the length of the parse, so no finaliser can run inside it.
"""

from __future__ import annotations

import ast
import gc


def parse_python(source: str, filename: str = "<unknown>") -> ast.Module:
    """`ast.parse`, with the garbage collector paused so no finaliser can re-enter the parser."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return ast.parse(source, filename=filename)
    finally:
        if was_enabled:
            gc.enable()
