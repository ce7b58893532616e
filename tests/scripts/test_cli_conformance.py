"""The real CLI check itself: the installed parsers reject exactly the bad lines, and those turn a run red."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.scripts import cli_calls
from tests.scripts.cli_conformance import NODEID, REQUIRE_ENV, Conformance, shown
from tests.scripts.fakes import PROJECT_ROOT
from tests.scripts.real_clis import NO_GSUTIL_PARSER, Installation

IMAGE = "us-central1-docker.pkg.dev/nwh-analytics-prd/hipaa-prod-images/hipaa-api@sha256:" + "ab" * 32
KEY_VERSION = "projects/p-123456/locations/us-central1/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1"
SIGN_AND_CREATE = ("container", "binauthz", "attestations", "sign-and-create", "--artifact-url", IMAGE)
SIGN_FLAGS = ("--attestor", "projects/p-123456/attestors/a", "--keyversion", KEY_VERSION, "--project", "p-123456")
GONE = "/tmp/tmp.XXXXXXXXXX/objects.json"  # a manifest in a script's scratch directory, removed since

# (tool, argv, None if the real CLI accepts it, else a part of its message)
LINES: list[tuple[str, tuple[str, ...], str | None]] = [
    ("gcloud", (*SIGN_AND_CREATE, *SIGN_FLAGS), "Invalid choice: 'sign-and-create'"),
    ("gcloud", ("beta", *SIGN_AND_CREATE, *SIGN_FLAGS), None),
    ("gcloud", ("compute", "instances", "list", "--project", "p-123456", "--frmat=json"), "unrecognized arguments"),
    ("gcloud", ("dataproc", "clusters", "list", "--region=us-central1", "--format=jsn"), "Format must be one of"),
    ("gcloud", ("logging", "read", "severity>=ERROR", "--freshness=2zz"), "argument --freshness"),
    ("gcloud", ("kms", "keys", "list"), "Must be specified"),
    ("gcloud", ("alpha", "monitoring", "policies", "create", "--policy-from-file=-", "--format=json"), None),
    ("gcloud", ("beta", "monitoring", "channels", "create", f"--channel-content-from-file={GONE}"), None),
    ("gcloud", ("dataproc", "clusters", "list", "--region=r", "--filter=clusterName=c", "--format=json"), None),
    ("bq", ("--project_id=p-123456", "ls", "--format=json", "--max_results=10", "p-123456:d"), None),
    ("bq", ("query", "--nouse_legacy_sql", "--format=json", "SELECT 1\nFROM `p.d.t`"), None),
    ("bq", ("show", "--shcema", "p-123456:d.t"), "Unknown command line flag 'shcema'"),
    ("bq", ("list", "p-123456:d"), "Command 'list' unknown"),
    ("bq", ("ls", "p-123456:d", "--format=json"), "appears after final command line argument"),
    ("kubectl", ("get", "namespaces", "-o", "json"), None),
    ("kubectl", ("apply", "--server-side", "--field-manager=hipaa-pipeline", "-f", GONE), None),
    ("kubectl", ("rollout", "status", "deployment/api", "-n", "api", "--timeout=300s"), None),
    ("kubectl", ("get", "pods", "--selector-typo=app"), "unknown flag: --selector-typo"),
    ("kubectl", ("apply", "--dry-run=bogus", "-f", GONE), "Invalid dry-run value"),
    ("kubectl", ("rollout", "statuz", "deployment/api"), "statuz"),
    ("gsutil", ("ls", "gs://bucket"), NO_GSUTIL_PARSER),
]


def need(*tools: str) -> None:
    """Skip where a real CLI is missing, as the session check does; fail where CI requires them."""
    reasons = [r for tool in tools if (r := Installation.find().missing(tool))]
    if reasons and os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail("; ".join(reasons))
    if reasons:
        pytest.skip("; ".join(reasons))


def test_recorded_calls_are_deduplicated_across_scratch_directories(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cli_calls.CALLS_DIR_ENV, str(tmp_path))
    cli_calls.record(
        [
            ("kubectl", ["apply", "-f", "/tmp/tmp.AbC123xyZ9/objects.json"]),
            ("kubectl", ["apply", "-f", "/tmp/tmp.Q1w2E3r4T5/objects.json"]),
            ("jq", ["-r", "."]),
            ("bq", ["ls"]),
        ]
    )
    cli_calls.record([("bq", ["ls"])])
    log = cli_calls.CallLog(tmp_path)
    recorded = sorted(log.new(), key=lambda call: call.line)
    assert [c.line for c in recorded] == [("bq", "ls"), ("kubectl", "apply", "-f", GONE)]
    assert {c.test for c in recorded} == {os.environ["PYTEST_CURRENT_TEST"].rsplit(" (", 1)[0]}
    assert log.new() == []  # each call arrives once


def test_a_test_run_without_the_recording_directory_refuses_to_run_scripts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cli_calls.CALLS_DIR_ENV)
    with pytest.raises(RuntimeError, match="CLI conformance plugin is not active"):
        cli_calls.record([("gcloud", ["version"])])


def conformance(tmp_path: Path, *lines: tuple[str, ...]) -> Conformance:
    """The session check over these recorded lines, on a machine with none of the real CLIs."""
    (tmp_path / "gw0-1.jsonl").write_text(
        "".join(json.dumps({"line": line, "test": "t.py::t"}) + "\n" for line in lines), encoding="utf-8"
    )
    return Conformance(tmp_path, Installation.find(path=str(tmp_path / "no-bin")))


def test_a_missing_cli_is_one_skip_line_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REQUIRE_ENV, raising=False)
    check = conformance(tmp_path, ("kubectl", "get", "pods"), ("gcloud", "version"))
    assert check.verdict() == (
        "skipped",
        "real CLI parsers: gcloud (the Google Cloud SDK, bin/ beside lib/googlecloudsdk) is not installed; "
        "kubectl (the compiled program, not a script standing in for it) is not installed",
    )


def test_a_script_standing_in_for_kubectl_is_not_taken_for_its_parser(tmp_path: Path) -> None:
    """In a simulated build the world answers kubectl through a script; only the compiled program can judge a line."""
    (tmp_path / "kubectl").write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    (tmp_path / "kubectl").chmod(0o755)
    assert Installation.find(path=str(tmp_path)).missing("kubectl") == (
        "kubectl (the compiled program, not a script standing in for it) is not installed"
    )


def test_a_missing_cli_fails_where_ci_requires_the_real_clis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REQUIRE_ENV, "1")
    outcome, message = conformance(tmp_path, ("kubectl", "get", "pods")).verdict()
    assert outcome == "failed" and message.startswith("kubectl (the compiled program, not a script standing in for it)")
    assert message.endswith("and HIPAA_REQUIRE_REAL_CLIS=1 requires every real CLI")


def test_a_parser_that_dies_fails_the_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REQUIRE_ENV, raising=False)
    (tmp_path / "gw0-1.jsonl").write_text(json.dumps({"line": ["gcloud", "version"], "test": "t"}) + "\n")
    dead = Installation(Path("/no-sdk"), shutil.which("false"), None)  # a "Python" that exits 1 at once
    check = Conformance(tmp_path, dead)
    with pytest.raises(RuntimeError, match=r"the gcloud parser answered 0 of 1 lines \(exit 1\)"):
        check.verdict()
    assert check.parsers is not None
    check.parsers.close()


def test_no_recorded_call_is_no_verdict_unless_required(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REQUIRE_ENV, raising=False)
    assert conformance(tmp_path).verdict() == (None, "")
    monkeypatch.setenv(REQUIRE_ENV, "1")
    assert conformance(tmp_path).verdict()[0] == "failed"


# Two tests, one per xdist worker, each sending half of LINES through the fakes, which answer anything.
INNER_TESTS = """
import json
from pathlib import Path

import pytest

from tests.scripts.fakes import FakeTools

HERE = Path(__file__).parent
LINES = json.loads((HERE / "lines.json").read_text())


@pytest.mark.parametrize("half", [0, 1])
def test_sends_lines(tmp_path, half):
    tools = FakeTools(tmp_path)
    for tool in {line[0] for line in LINES}:
        tools.on(tool, [])
    for line in LINES[half::2]:
        assert tools.run(str(HERE / "call.sh"), *line).returncode == 0
"""
PYTEST = (sys.executable, "-m", "pytest", "-p", "tests.scripts.cli_conformance", "-p", "no:cacheprovider", "-n", "2")
REPORTED = re.compile(r"^  (\S.*)\n    sent by test_inner\.py::test_sends_lines\[[01]\]\n    (.*)$", re.MULTILINE)


def test_the_real_parsers_turn_an_xdist_run_red_on_exactly_the_bad_lines(tmp_path: Path) -> None:
    """The whole path: two workers' fakes record, the controller asks the real CLIs, the run fails on
    the lines they reject, each named with its test and the CLI's own message, and on no other."""
    need("gcloud", "bq", "kubectl")
    (tmp_path / "lines.json").write_text(json.dumps([[tool, *argv] for tool, argv, _ in LINES]), encoding="utf-8")
    (tmp_path / "call.sh").write_text('#!/usr/bin/env bash\nset -Eeuo pipefail\n"$@"\n', encoding="utf-8")
    (tmp_path / "test_inner.py").write_text(INNER_TESTS, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_", "HIPAA_")) and k != "PYTHONPATH"
    }
    inner = subprocess.run(
        [
            *PYTEST,
            *(
                "-c",
                str(tmp_path / "pytest.ini"),
                "--rootdir",
                str(tmp_path),
                "--junitxml",
                str(tmp_path / "junit.xml"),
            ),
            str(tmp_path / "test_inner.py"),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**environment, "PYTHONPATH": str(PROJECT_ROOT)},
        timeout=120,
        check=False,
    )
    output = inner.stdout + inner.stderr
    assert inner.returncode == 1 and "2 passed" in output and f"FAILED {NODEID}" in output, output
    # The unit-tests gate reads junit.xml: the check's failure must be in it, not only in the exit code.
    junit = (tmp_path / "junit.xml").read_text(encoding="utf-8")
    assert re.search(r'<testsuite [^>]*failures="1"[^>]* tests="3"', junit), junit
    assert re.search(r'<testcase [^>]*name="fake_calls_parse_with_the_real_clis"[^>]*>\s*<failure', junit), junit
    rejected = dict(REPORTED.findall(output))
    expected = {shown((tool, *argv)): rejection for tool, argv, rejection in LINES if rejection}
    assert sorted(rejected) == sorted(expected), output
    wrong = [
        f"{line}: {rejected[line]!r} lacks {part!r}" for line, part in expected.items() if part not in rejected[line]
    ]
    assert not wrong, "\n".join(wrong)
    assert f"{len(expected)} command lines the fakes accepted are rejected by the real CLI's parser" in output
