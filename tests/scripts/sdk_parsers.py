"""Parse command lines with the Cloud SDK's own gcloud and bq parsers, stopping where a command would run.

Run under the SDK's Python, never imported by the tests (the SDK's modules are not in .venv):

    python -S sdk_parsers.py gcloud|bq SDK_ROOT RESULTS_JSONL SCRATCH_DIR... <ARGV_JSON_LINES

It loads the CLI first (the slow part, ~1 s for gcloud), then reads argument lists from stdin, one
JSON list a line, as the tests send them, and writes one {"ok", "error"} line for each to
RESULTS_JSONL, until stdin closes. A command line is accepted only when parsing reached the point
where the command's Run would start (gcloud: calliope's backend.Command.Run, after the flags and
resource arguments are parsed, with --format and --filter compiled as the display would; bq:
NewCmd.RunSafely, after appcommands found the command and absl parsed its flags and positional
arguments). An unknown command, an invalid choice, an unknown flag or a bad flag value is reported
with the CLI's own message. No command runs, so nothing needs credentials or reaches the network.

A file flag (`--policy-from-file=PATH`, gcloud reads it while parsing) names a file the script wrote
in its own scratch directory, gone by now, or stdin (`-`): its content is data, not syntax, so it
reads as `{}`. A missing file anywhere else is still an error.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import sys
from collections.abc import Callable
from typing import Any


class _ReachedRun(BaseException):
    """Raised where the command's Run would start: a BaseException, so the CLIs' handlers let it through."""


def _stand_in_for_scratch_files(scratch: tuple[str, ...]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def wrap(read: Callable[..., Any]) -> Callable[..., Any]:
        def read_or_stand_in(path: str, binary: bool) -> Any:
            gone = path.startswith(scratch) and not os.path.exists(path)
            if path == "-" or gone:
                return b"{}" if binary else "{}"
            return read(path, binary)

        return read_or_stand_in

    return wrap


def _gcloud(sdk_root: str, scratch: tuple[str, ...]) -> Callable[[list[str]], dict[str, Any]]:
    sys.path.insert(0, os.path.join(sdk_root, "lib"))
    bootstrap: Any = importlib.import_module("gcloud")  # lib/gcloud.py: puts the vendored packages first
    bootstrap._fix_google_module()
    sys.path = bootstrap.reorder_sys_path(sys.path)
    gcloud_main = bootstrap._import_gcloud_main()
    backend: Any = importlib.import_module("googlecloudsdk.calliope.backend")
    console_io: Any = importlib.import_module("googlecloudsdk.core.console.console_io")
    log: Any = importlib.import_module("googlecloudsdk.core.log")
    printer: Any = importlib.import_module("googlecloudsdk.core.resource.resource_printer")
    resource_filter: Any = importlib.import_module("googlecloudsdk.core.resource.resource_filter")

    def stop_before_run(_command: Any, cli: Any, args: Any) -> None:
        del cli  # called as Run(cli=..., args=...)
        # Execute has parsed the flags and the resource arguments; --format and --filter are only
        # compiled when the output is displayed, so compile them here as the display would.
        if args.IsKnownAndSpecified("format"):
            printer.Printer(args.format, out=io.StringIO())
        if args.IsKnownAndSpecified("filter"):
            resource_filter.Compile(args.filter)
        raise _ReachedRun

    backend.Command.Run = stop_before_run
    console_io.ReadFromFileOrStdin = _stand_in_for_scratch_files(scratch)(console_io.ReadFromFileOrStdin)
    cli = gcloud_main.CreateCLI([])

    def parse(argv: list[str]) -> dict[str, Any]:
        messages = io.StringIO()
        log.Reset(stdout=io.StringIO(), stderr=messages)  # gcloud's own ERROR lines
        return _outcome(lambda: cli.Execute(argv, call_arg_complete=False), messages)

    return parse


def _bq(sdk_root: str) -> Callable[[list[str]], dict[str, Any]]:
    bq_dir = os.path.join(sdk_root, "platform", "bq")
    sys.path.insert(0, bq_dir)
    sys.argv = [os.path.join(bq_dir, "bq.py")]
    bq: Any = importlib.import_module("bq")  # registers the global flags; its main() registers the commands
    sys.modules["__main__"] = bq  # appcommands calls __main__.main, as when bq.py runs as a script
    command: Any = importlib.import_module("frontend.bigquery_command")
    appcommands: Any = importlib.import_module("pyglib.appcommands")
    flags: Any = importlib.import_module("absl.flags")

    def stop_before_run(*_: Any) -> None:
        # NewCmd.Run has parsed the command's flags and matched its positional arguments.
        raise _ReachedRun

    command.NewCmd.RunSafely = command.NewCmd.RunDebug = command.BigqueryCmd.RunSafely = stop_before_run
    command.BigqueryCmd._NeedsInit = lambda _self: False  # never start `bq init`'s credential prompt

    def parse(argv: list[str]) -> dict[str, Any]:
        flags.FLAGS.unparse_flags()  # each line starts from the defaults, not the last line's values
        sys.argv = ["bq", *argv]
        messages = io.StringIO()
        return _outcome(appcommands.Run, messages)

    return parse


def _outcome(run: Callable[[], Any], messages: io.StringIO) -> dict[str, Any]:
    try:
        with contextlib.redirect_stdout(messages), contextlib.redirect_stderr(messages):
            run()
    except _ReachedRun:
        return {"ok": True, "error": ""}
    except SystemExit as stop:
        return {"ok": False, "error": f"exit {stop.code}: {_text(messages)}"}
    except Exception as error:  # every way out but _ReachedRun is a rejection
        return {"ok": False, "error": f"{type(error).__name__}: {error} {_text(messages)}".strip()}
    return {"ok": False, "error": f"returned before the command ran: {_text(messages)}"}


def _text(messages: io.StringIO) -> str:
    """The CLI's message on one line, without the usage text and help hints that follow it."""
    kept = []
    for line in messages.getvalue().splitlines():
        if line.startswith(("Usage:", "To search the help text", "For detailed information")):
            break
        if line.strip():
            kept.append(line.strip())
    return " | ".join(kept)


def main(argv: list[str]) -> int:
    tool, sdk_root, results = argv[1], argv[2], argv[3]
    scratch = tuple(os.path.join(root, "") for root in argv[4:])
    parse = _gcloud(sdk_root, scratch) if tool == "gcloud" else _bq(sdk_root)
    with open(results, "w", encoding="utf-8") as out:
        for row in sys.stdin:
            out.write(json.dumps(parse(list(json.loads(row)))) + "\n")
            out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
