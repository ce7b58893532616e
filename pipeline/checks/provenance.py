"""Tool provenance: every command a step needs is in its image (pipeline/images.py) or installed into
/workspace (pipeline/installs.py) by a step it waits for, directly or through others.

What a step needs: its entrypoint, the tools its scripts declare with `require_tool` and the tools
their code runs by name (with the scripts they run and the library functions they call: a helper's
jq counts for the steps whose scripts call it, declared or not), and the commands its inline shell
calls. A command given
by name must be in the image or in an installed directory the step puts on PATH; one given by path
must be an installed file. Each finding names the step and the tool.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from pathlib import Path

from pipeline.checks.text import command, inline_shell, label, scripts_called, steps
from pipeline.contract import WORKSPACE
from pipeline.dag import ancestors, dependencies, step_key
from pipeline.installs import provided
from pipeline.model import Json
from pipeline.requirements import command_words, path_dirs, script_requirements


def _env(step: Json) -> dict[str, str]:
    pairs = [str(e).split("=", 1) for e in step.get("env") or [] if "=" in str(e)]
    return {name: value for name, value in pairs if name != "PATH"}


def needed(step: Json, root: Path) -> tuple[dict[str, str], set[str]]:
    """The tools a step needs, each with what requires it, and the `require_tool` words it cannot resolve."""
    needs: dict[str, str] = {}
    unresolved: set[str] = set()
    entry = step.get("entrypoint")
    if isinstance(entry, str) and entry:
        needs[entry] = "its entrypoint"
    for script in sorted(scripts_called(step)):
        found = script_requirements(root, script, _env(step))
        for tool, where in [*sorted(found.declared_in.items()), *sorted(found.used.items())]:
            needs.setdefault(tool, where if where == f"scripts/{script}" else f"{where}, via scripts/{script}")
        unresolved |= {f"{word} (scripts/{script})" for word in found.unresolved}
    shell = inline_shell(step)
    if shell is not None:
        for word in command_words(shell):
            if not word.startswith("scripts/"):
                needs.setdefault(word, "its inline shell")
    return needs, unresolved


def _absolute(tool: str, step: Json) -> str:
    base = posixpath.join(WORKSPACE, str(step.get("dir") or ""))
    return posixpath.normpath(posixpath.join(base, tool))


def tool_provenance(root: Path) -> Callable[[Json], list[str]]:
    def rule(build: Json) -> list[str]:
        all_steps = steps(build)
        deps = dependencies(all_steps)
        findings: list[str] = []
        for index, step in enumerate(all_steps):
            image = str(step.get("name") or "")
            before = ancestors(deps, step_key(step, index))
            names, paths = provided(image, before, path_dirs(command(step), [str(e) for e in step.get("env") or []]))
            needs, unresolved = needed(step, root)
            where = label(step, index)
            for tool, why in needs.items():
                ok = _absolute(tool, step) in paths if "/" in tool else tool in names
                if not ok:
                    findings.append(
                        f"[provenance] {where} needs '{tool}' ({why}), which neither its image {image}"
                        " nor a step it waits for provides"
                    )
            findings.extend(
                f"[provenance] {where}: cannot tell which tool require_tool {word} names" for word in sorted(unresolved)
            )
        return findings

    return rule
