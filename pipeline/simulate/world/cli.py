"""The fake CLIs' dispatcher: a command line is routed by its command words to one handler.

Every call is journalled (calls.jsonl); a command line no handler models exits 1 with
`fake world: unmodelled command: ...` and is journalled in unmodelled.jsonl too, so a run lists
everything the world could not answer. A command line the real CLI's parser would refuse exits 2.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TextIO

from pipeline.simulate.world import state as world_state
from pipeline.simulate.world.args import UsageError
from pipeline.simulate.world.call import Call, Handler, RefusedError, Table
from pipeline.simulate.world.commands import table as command_table

UNMODELLED_EXIT = 1
# CLIs whose parser answers `--help` on any command it has by printing the command's help, exit 0,
# before doing anything (gcloud's calliope, kubectl's, docker's, cosign's, trivy's and pulumi's cobra).
# The suite runs `docker build --help` to check the README's build line against the real CLI.
ANSWERS_HELP = frozenset({"gcloud", "kubectl", "docker", "docker-buildx", "cosign", "trivy", "pulumi"})


def _route(tool: str, argv: list[str], table: Table) -> tuple[tuple[str, ...], list[str], list[str]] | None:
    globals_: list[str] = []
    words = list(argv)
    if tool == "bq":
        while words and words[0].startswith("--"):
            globals_.append(words.pop(0))
    for command in sorted(table, key=len, reverse=True):
        if tuple(words[: len(command)]) == command:
            return command, words[len(command) :], globals_
    return None


def main(world: Path, tool: str, argv: list[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    record = {"tool": tool, "argv": argv, "at": time.time()}
    world_state.append(world, world_state.CALLS, record)
    handlers = command_table(tool, argv)
    routed = _route(tool, argv, handlers)
    if routed is None:
        world_state.append(world, world_state.UNMODELLED, record)
        err.write(f"fake world: unmodelled command: {tool} {' '.join(argv)}\n")
        return UNMODELLED_EXIT
    command, rest, globals_ = routed
    if tool in ANSWERS_HELP and "--help" in rest[: rest.index("--") if "--" in rest else len(rest)]:
        out.write(f"Usage: {tool} {' '.join(command)} [FLAGS] (the fake world's stand-in for the CLI's help)\n")
        return 0
    call = Call(world, tool, command, rest, out, err, globals_)
    try:
        return call_handler(call, handlers[command])
    except UsageError as error:
        err.write(f"ERROR: ({call.scope}) {error}\n")
        return 2
    except RefusedError as error:
        err.write(f"ERROR: ({call.scope}) {error}\n")
        return 1
    except (KeyError, IndexError, TypeError, ValueError, OSError) as error:  # a world bug, never a silent pass
        world_state.append(world, world_state.ERRORS, {**record, "error": f"{type(error).__name__}: {error}"})
        err.write(f"fake world: error answering {tool} {' '.join(argv)[:120]}: {type(error).__name__}: {error}\n")
        return 1


def call_handler(call: Call, handler: Handler) -> int:
    return handler(call)
