"""notify-security.sh: the verdict of the uploaded report, PHI-scanned, published to hipaa-deployments."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.contract import RECORDED_FAIL_EXIT
from tests.pipeline.phi_corpus import seeded, ssn
from tests.scripts.fakes import FakeTools

SCRIPT = "notify-security.sh"
COMMIT = "0123456789abcdef0123456789abcdef01234567"
REPORT_URI = "gs://nwh-analytics-prd-reports/reports/b-123"
TOPIC = "projects/nwh-security-prd/topics/hipaa-deployments"
ENV = {"COMMIT_SHA": COMMIT}


def report(verdict: str = "PASS", **changes: Any) -> dict[str, Any]:
    return {"report_version": 1, "environment": "prod", "build_id": "b-123", "verdict": verdict, **changes}


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


def uploaded(tools: FakeTools, document: Any, uri: str = REPORT_URI, **answer: Any) -> FakeTools:
    return tools.on("gcloud", ["storage", "cat", f"{uri}/report.json"], stdout=document, **answer)


def published(tools: FakeTools, **answer: Any) -> FakeTools:
    return tools.on("gcloud", ["pubsub", "topics", "publish", TOPIC], **{"stdout": {"messageIds": ["9021"]}, **answer})


def publish_call(tools: FakeTools) -> list[str]:
    [call] = [c for c in tools.calls("gcloud") if c.argv[:3] == ["pubsub", "topics", "publish"]]
    return call.argv


def test_a_passing_build_is_published(tools: FakeTools) -> None:
    published(uploaded(tools, report()))
    result = tools.run(SCRIPT, "prod", "nwh-security-prd", REPORT_URI + "/", env=ENV)
    assert result.returncode == 0, result.stderr
    argv = publish_call(tools)
    message = json.loads(next(a for a in argv if a.startswith("--message="))[len("--message=") :])
    assert {k: v for k, v in message.items() if k != "sent_at"} == {
        "build_id": "b-123",
        "environment": "prod",
        "commit": COMMIT,
        "verdict": "pass",
        "report_uri": REPORT_URI,
    }
    assert "--attribute=environment=prod,verdict=pass" in argv and "--format=json" in argv
    assert result.reason.endswith(f"published pass for prod build b-123 to {TOPIC} (message 9021)")


def test_a_failing_report_is_published_and_then_fails_with_the_recorded_fail_code(tools: FakeTools) -> None:
    published(uploaded(tools, report("FAIL")))
    result = tools.run(SCRIPT, "prod", "nwh-security-prd", REPORT_URI, env=ENV)
    assert result.returncode == RECORDED_FAIL_EXIT
    assert "--attribute=environment=prod,verdict=fail" in publish_call(tools)
    assert result.reason.endswith("the compliance report of build b-123 says FAIL (the security team was notified)")


def test_phi_in_the_message_is_never_published(tools: FakeTools) -> None:
    secret = ssn(seeded(5))
    uri = f"gs://ward-{secret}-exports/reports/b-123"  # an SSN-shaped bucket name: valid URI, flagged text
    uploaded(tools, report(), uri=uri)
    result = tools.run(SCRIPT, "prod", "nwh-security-prd", uri, env=ENV)
    assert result.returncode == 1
    assert result.reason.endswith("PHI found in the notification (1 finding(s)); nothing was published")
    assert "PHI found: message.json:1:125: US_SSN (score 0.5)" in result.stderr
    assert not tools.called("gcloud", "pubsub")
    assert secret not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ({"exit": 1, "stderr": "ERROR: 404 No such object"}, "report download: gcloud failed (exit 1)"),
        ({"stdout": ""}, "report download: gcloud printed nothing"),
        ({"stdout": "{not json"}, "report download: gcloud printed malformed JSON"),
        ({"stdout": ["PASS"]}, "has no PASS or FAIL verdict"),
        ({"stdout": report("MAYBE")}, "has no PASS or FAIL verdict"),
        ({"stdout": report(build_id="b-999")}, "is not the report of prod build b-123"),
        ({"stdout": report(environment="dev")}, "is not the report of prod build b-123"),
    ],
)
def test_a_missing_or_malformed_report_is_not_announced(tools: FakeTools, answer: dict[str, Any], reason: str) -> None:
    tools.on("gcloud", ["storage", "cat"], **answer)
    result = tools.run(SCRIPT, "prod", "nwh-security-prd", REPORT_URI, env=ENV)
    assert result.returncode == 1 and reason in result.reason
    assert not tools.called("gcloud", "pubsub")


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ({"exit": 1, "stderr": "ERROR: PERMISSION_DENIED: pubsub.topics.publish"}, "gcloud failed (exit 1)"),
        ({"stdout": {"messageIds": []}}, "no message id came back"),
    ],
)
def test_a_failed_publish_fails(tools: FakeTools, answer: dict[str, Any], reason: str) -> None:
    published(uploaded(tools, report()), **answer)
    result = tools.run(SCRIPT, "prod", "nwh-security-prd", REPORT_URI, env=ENV)
    assert result.returncode == 1 and reason in result.reason and f"publish to {TOPIC}" in result.reason


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("prod", "nwh-security-prd"),
        ("qa", "nwh-security-prd", REPORT_URI),
        ("prod", "Nwh_Security", REPORT_URI),
        ("prod", "nwh-security-prd", "https://example.com/report"),
        ("prod", "nwh-security-prd", "gs://nwh-analytics-prd-reports/b-123"),
        ("prod", "nwh-security-prd", "gs://nwh-analytics-prd-reports/reports/b-999"),
    ],
)
def test_missing_or_malformed_arguments_exit_2(tools: FakeTools, args: tuple[str, ...]) -> None:
    result = tools.run(SCRIPT, *args, env=ENV)
    assert result.returncode == 2 and result.reason.startswith("usage: notify-security.sh ENV SECURITY_PROJECT_ID")
    assert tools.calls() == []


@pytest.mark.parametrize("env", [{}, {"COMMIT_SHA": "abc123"}, {"COMMIT_SHA": COMMIT, "BUILD_ID": ""}])
def test_missing_build_context_fails_before_anything_runs(tools: FakeTools, env: dict[str, str]) -> None:
    result = tools.run(SCRIPT, "prod", "nwh-security-prd", REPORT_URI, env=env)
    assert result.returncode == 1 and tools.calls() == []
