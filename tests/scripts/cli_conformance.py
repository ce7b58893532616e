"""Held to the real CLIs: every gcloud, bq, gsutil and kubectl command line the fakes answered in this run
must also pass the installed CLI's own argument parser. A pytest plugin, loaded by tests/conftest.py.

Why at the end of the session, on the controller: under pytest-xdist a test cannot know when the
other workers have sent their last call, but the controller's sessionfinish runs after every test
of every worker has reported, and each worker writes its calls (tests/scripts/cli_calls.py) before
its test reports. While the tests run, the controller hands each new call to the real parsers once a
second, so little is left to parse at the end. The check is one test of its own in the report: it
fails the run and names each rejected command line, the test that sent it and the CLI's message;
where a CLI is not installed it is skipped with one line naming it, or fails when
HIPAA_REQUIRE_REAL_CLIS=1 (set by .ci/run).
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
_LOOK_EVERY = 1.0  # seconds between looks at the recorded calls while the tests run


class Conformance:
    """The controller's side: reads the run's calls as they arrive, feeds them to the real parsers
    (which parse while the tests still run), and reports the verdict as one test at the end."""

    def __init__(self, calls: Path, installation: Installation) -> None:
        self.calls = calls
        self.installation = installation
        self.log = cli_calls.CallLog(calls)
        self.parsers: RealParsers | None = None
        self.counts: dict[str, int] = defaultdict(int)
        self.failure: Exception | None = None  # a parser that could not be fed fails the check
        self._last_look = 0.0
        self._finished = False  # every call taken and fed; the parsers are closing
        self.summary = ""

    def pytest_runtest_logreport(self) -> None:
        if time.monotonic() - self._last_look >= _LOOK_EVERY:
            self._take_new_calls()

    def _take_new_calls(self) -> None:
        self._last_look = time.monotonic()
        if self.failure is not None or self._finished:
            return
        try:
            arrived: dict[str, list[tuple[str, ...]]] = defaultdict(list)
            for call in self.log.new():
                arrived[call.tool].append(call.argv)
            for tool, argvs in arrived.items():
                self.counts[tool] += len(argvs)
                if not self.installation.missing(tool):
                    if self.parsers is None:
                        self.parsers = RealParsers(self.installation)
                    self.parsers.feed(tool, argvs)
        except Exception as error:  # reported at the end, as the check's failure
            self.failure = error

    # First among the sessionfinish hooks: junitxml writes its file in its own, and the check's result
    # must be in that file (the unit-tests gate reads junit.xml, not only pytest's exit code).
    @pytest.hookimpl(tryfirst=True)
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
        """The outcome and its message; no outcome when no test sent a call (and none had to)."""
        self._take_new_calls()
        self._finished = True
        if self.failure is not None:
            raise self.failure
        required = os.environ.get(REQUIRE_ENV) == "1"
        if not self.counts:
            if required:
                return "failed", f"no gcloud/bq/gsutil/kubectl call was recorded, yet {REQUIRE_ENV}=1 needs the check"
            return None, ""
        missing = [reason for tool in sorted(self.counts) if (reason := self.installation.missing(tool))]
        verdicts = self.parsers.finish() if self.parsers is not None else []
        rejected = [v for v in verdicts if v.error]
        counts = ", ".join(
            f"{n} {tool}" for tool, n in sorted(self.counts.items()) if not self.installation.missing(tool)
        )
        if rejected:
            return "failed", "\n".join([rejection_report(rejected, self.log.first), *missing])
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


def rejection_report(rejected: list[Verdict], sent_by: dict[tuple[str, ...], str]) -> str:
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
