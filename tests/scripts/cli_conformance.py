"""Held to the real CLIs: every gcloud, bq, gsutil and kubectl command line the fakes answered in this run
must also pass the installed CLI's own argument parser. A pytest plugin, loaded by tests/conftest.py.

Why at the end of the session, on the controller: under pytest-xdist a test cannot know when the
other workers have sent their last call, but the controller's sessionfinish runs after every test
of every worker has reported, and each worker writes its calls (tests/scripts/cli_calls.py) before
its test reports. The check is one test of its own in the report: it fails the run and names each
rejected command line, the test that sent it and the CLI's message; where a CLI is not installed
it is skipped with one line naming it, or fails when HIPAA_REQUIRE_REAL_CLIS=1 (set by .ci/run).
"""

from __future__ import annotations

import os
import shlex
import shutil
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Literal

import pytest

from tests.scripts import cli_calls
from tests.scripts.real_clis import Installation, RealParsers, Verdict

REQUIRE_ENV = "HIPAA_REQUIRE_REAL_CLIS"
NODEID = "tests/scripts/cli_conformance.py::fake_calls_parse_with_the_real_clis"
_SCRIPT_TESTS = "tests/scripts/"


class Conformance:
    """The controller's side: the run's directory of calls, the parsers, the verdict as one test."""

    def __init__(self, calls: Path, installation: Installation) -> None:
        self.calls = calls
        self.installation = installation
        self.parsers: RealParsers | None = None
        self.summary = ""

    def _parsers(self) -> RealParsers:
        if self.parsers is None:
            self.parsers = RealParsers(self.installation)
            self.parsers.start()
        return self.parsers

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # Loading gcloud's parser takes a second: start it with the first script test, not at the end.
        if self.parsers is None and report.nodeid.startswith(_SCRIPT_TESTS):
            self._parsers()

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if session.exitstatus in (pytest.ExitCode.INTERRUPTED, pytest.ExitCode.INTERNAL_ERROR):
            return  # the run did not finish: its calls are incomplete, and the user wants out
        started = time.monotonic()
        try:
            outcome, message = self.verdict()
        except Exception as error:  # a check that cannot run fails, with its reason
            outcome, message = "failed", f"the real CLI check could not run: {type(error).__name__}: {error}"
        if outcome is None:
            return
        path, name = NODEID.split("::")
        report = pytest.TestReport(
            nodeid=NODEID,
            location=(path, None, name),
            keywords={},
            outcome=outcome,
            longrepr=(path, 0, f"Skipped: {message}") if outcome == "skipped" else message,
            when="call",
            duration=time.monotonic() - started,
        )
        # One more test than the workers collected: its letter on a line of its own, progress at 100 %.
        session.testscollected += 1
        terminal = session.config.pluginmanager.get_plugin("terminalreporter")
        if terminal is not None:
            terminal.write_line("")  # the workers' progress line ends without one
        session.config.hook.pytest_runtest_logreport(report=report)
        if outcome == "failed" and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
        checked = message if outcome != "failed" else "real CLI parsers: FAILED, see above"
        self.summary = f"{checked} ({report.duration:.1f} s after the last test)"

    def verdict(self) -> tuple[Literal["passed", "failed", "skipped"] | None, str]:
        """The outcome and its message; no outcome when no script test sent a call (and none had to)."""
        recorded = cli_calls.load(self.calls)
        required = os.environ.get(REQUIRE_ENV) == "1"
        if not recorded:
            if required:
                return "failed", f"no gcloud/bq/gsutil/kubectl call was recorded, yet {REQUIRE_ENV}=1 needs the check"
            return None, ""
        lines: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for call in recorded:
            lines[call.tool].append(call.argv)
        missing = [reason for tool in lines if (reason := self.installation.missing(tool))]
        checkable = {tool: argvs for tool, argvs in lines.items() if not self.installation.missing(tool)}
        verdicts = self._parsers().check(checkable) if checkable else []
        rejected = [v for v in verdicts if v.error]
        counts = ", ".join(f"{len(argvs)} {tool}" for tool, argvs in sorted(checkable.items()))
        if rejected:
            return "failed", "\n".join([rejection_report(rejected, recorded), *missing])
        if missing and required:
            return "failed", f"{'; '.join(missing)}, and {REQUIRE_ENV}=1 requires every real CLI"
        if missing:
            checked = f" ({counts} checked)" if counts else ""
            return "skipped", f"real CLI parsers: {'; '.join(missing)}{checked}"
        return "passed", f"real CLI parsers accepted every command line the fakes answered: {counts}"

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self.summary:
            terminalreporter.write_line(self.summary)

    def pytest_unconfigure(self) -> None:
        if self.parsers is not None:
            self.parsers.close()
        shutil.rmtree(self.calls, ignore_errors=True)


def shown(line: tuple[str, ...]) -> str:
    """A command line as a shell would take it, on one line of the report (a newline in SQL shows as \\n)."""
    return shlex.join(line).replace("\n", "\\n")


def rejection_report(rejected: list[Verdict], recorded: list[cli_calls.RecordedCall]) -> str:
    sent_by = {call.line: call.test for call in recorded}
    lines = [f"{len(rejected)} command lines the fakes accepted are rejected by the real CLI's parser:"]
    for verdict in rejected:
        line = (verdict.tool, *verdict.argv)
        lines += [f"  {shown(line)}", f"    sent by {sent_by.get(line, '?')}", f"    {verdict.error}"]
    return "\n".join(lines)


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # the controller, or a run without xdist
        calls = Path(tempfile.mkdtemp(prefix="hipaa-cli-calls-"))
        os.environ[cli_calls.CALLS_DIR_ENV] = str(calls)  # xdist starts its workers later: they inherit it
        config.pluginmanager.register(Conformance(calls, Installation.find()), "hipaa-cli-conformance")
