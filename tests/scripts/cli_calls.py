"""The command lines the script tests send to the fakes of the cloud CLIs, collected for one test run.

Every FakeTools run appends the new distinct gcloud, bq, gsutil and kubectl command lines to a file
of its own process in the run's directory (HIPAA_FAKE_CLI_CALLS, made by the conformance plugin on
the controller before any xdist worker starts, so every worker inherits it). A worker writes its
file before its test reports: the controller reads new calls as the tests run, and every call of
the run once the last test has reported.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

CALLS_DIR_ENV = "HIPAA_FAKE_CLI_CALLS"
CHECKED_TOOLS = ("gcloud", "bq", "gsutil", "kubectl")
# `mktemp -d` names (tmp.XXXXXXXXXX): the same command line with a fresh scratch directory per test.
_MKTEMP_NAME = re.compile(r"(?<=/)tmp\.[A-Za-z0-9]{10}(?=/|$)")
_recorded: dict[str, set[tuple[str, ...]]] = {}


@dataclass(frozen=True)
class RecordedCall:
    tool: str
    argv: tuple[str, ...]
    test: str  # the first test that sent it, for the report

    @property
    def line(self) -> tuple[str, ...]:
        return (self.tool, *self.argv)


def normalized(argument: str) -> str:
    return _MKTEMP_NAME.sub("tmp.XXXXXXXXXX", argument)


def record(calls: Iterable[tuple[str, list[str]]]) -> None:
    """Append the calls of the checked tools that this process has not recorded yet."""
    directory = os.environ.get(CALLS_DIR_ENV)
    if not directory:
        if "PYTEST_CURRENT_TEST" in os.environ:
            # A test run whose calls go unrecorded would pass the conformance check unchecked.
            raise RuntimeError(f"{CALLS_DIR_ENV} is not set: the CLI conformance plugin is not active in this run")
        return
    seen = _recorded.setdefault(directory, set())
    test = os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" (", 1)[0]
    rows = []
    for tool, argv in calls:
        line = (tool, *(normalized(a) for a in argv))
        if tool in CHECKED_TOOLS and line not in seen:
            seen.add(line)
            rows.append(json.dumps({"line": line, "test": test}) + "\n")
    if rows:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        with (Path(directory) / f"{worker}-{os.getpid()}.jsonl").open("a", encoding="utf-8") as out:
            out.write("".join(rows))


class CallLog:
    """The run's recorded calls as they arrive: each distinct call once, with the first test that sent it.

    Read while the workers still append: only whole rows (up to the last newline) are taken.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.first: dict[tuple[str, ...], str] = {}
        self._offsets: dict[Path, int] = {}

    def new(self) -> list[RecordedCall]:
        """The distinct calls recorded since the last look."""
        arrived = []
        for path in sorted(self.directory.glob("*.jsonl")):
            with path.open("rb") as log:
                log.seek(self._offsets.get(path, 0))
                chunk = log.read()
            whole = chunk[: chunk.rfind(b"\n") + 1]
            self._offsets[path] = self._offsets.get(path, 0) + len(whole)
            for row in whole.decode("utf-8").splitlines():
                entry = json.loads(row)
                line = tuple(str(part) for part in entry["line"])
                if line not in self.first:
                    self.first[line] = str(entry["test"])
                    arrived.append(RecordedCall(line[0], line[1:], self.first[line]))
        return arrived
