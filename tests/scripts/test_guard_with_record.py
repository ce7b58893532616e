"""guard-with-record.sh: a first guard's refusal still leaves the refused build's record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.scripts.fakes import FakeTools

SCRIPT = "guard-with-record.sh"
BUCKET = "nwh-analytics-prd-reports"
DESTINATION = f"gs://{BUCKET}/reports/b-123/"
TOPIC = "projects/nwh-security-prd/topics/hipaa-deployments"
POOL = "projects/nwh-analytics-prd/locations/us-central1/workerPools/hipaa-prod-build-pool"
GUARD = ("prod", "pool-guard", BUCKET, "nwh-security-prd", "scripts/require-private-pool.sh", "prod", POOL)


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


def on_pool(tools: FakeTools, pool: str) -> FakeTools:
    return tools.on("gcloud", ["builds", "describe", "--format=value(options.pool.name)"], stdout=f"{pool}\n")


def recorded(tools: FakeTools, *, cp_exit: int = 0, publish_exit: int = 0) -> FakeTools:
    tools.on("gcloud", ["storage", "cp"], exit=cp_exit, stderr="AccessDeniedException: 403\n" if cp_exit else "")
    return tools.on("gcloud", ["pubsub", "topics", "publish"], stdout={"messageIds": ["7"]}, exit=publish_exit)


def test_a_passing_guard_records_nothing(tools: FakeTools) -> None:
    on_pool(tools, POOL)
    result = tools.run(SCRIPT, *GUARD, env={"PATH": tools.image_path("cloud-sdk")})
    assert result.returncode == 0, result.stderr
    assert not tools.called("gcloud", "storage") and not tools.called("gcloud", "pubsub")


def test_a_refusal_uploads_the_record_and_notifies_the_security_topic(tools: FakeTools) -> None:
    recorded(on_pool(tools, ""))
    result = tools.run(SCRIPT, *GUARD, env={"PATH": tools.image_path("cloud-sdk")})
    assert result.returncode == 1  # the guard's refusal stands
    assert "runs on 'the default pool', not the private pool" in result.stderr
    upload = next(c for c in tools.calls("gcloud") if c.argv[:2] == ["storage", "cp"])
    assert [Path(a).name for a in upload.argv[2:4]] == ["report.json", "report.md"]
    assert upload.argv[4] == DESTINATION
    publish = next(c for c in tools.calls("gcloud") if c.argv[:3] == ["pubsub", "topics", "publish"])
    assert publish.argv[3] == TOPIC
    assert "--attribute=environment=prod,verdict=fail" in publish.argv
    message = json.loads(next(a for a in publish.argv if a.startswith("--message="))[len("--message=") :])
    assert message == {"environment": "prod", "build_id": "b-123", "verdict": "fail", "refused_by": "pool-guard"}
    assert f"published fail for prod build b-123 to {TOPIC}" in result.stderr
    assert result.reason == (
        f"{SCRIPT}: FAIL: pool-guard refused the build (exit 1): recorded at {DESTINATION} "
        "and the security team notified"
    )


def test_a_record_that_cannot_be_uploaded_is_said_and_the_refusal_stands(tools: FakeTools) -> None:
    recorded(on_pool(tools, ""), cp_exit=1)
    result = tools.run(SCRIPT, *GUARD)
    assert result.returncode == 1
    assert result.reason == (
        f"{SCRIPT}: FAIL: pool-guard refused the build (exit 1); record not uploaded to {DESTINATION}: "
        "AccessDeniedException: 403"
    )
    assert not tools.called("gcloud", "pubsub")


def test_a_notification_that_cannot_be_published_is_said_and_the_refusal_stands(tools: FakeTools) -> None:
    recorded(on_pool(tools, ""), publish_exit=1)
    result = tools.run(SCRIPT, *GUARD)
    assert result.returncode == 1
    assert "pool-guard refused the build (exit 1); recorded, but the security topic was not notified" in result.reason


def test_the_guards_usage_error_is_its_exit_code_and_is_recorded(tools: FakeTools) -> None:
    recorded(tools)
    result = tools.run(SCRIPT, *GUARD[:6], "not-a-pool-path")
    assert result.returncode == 2
    assert tools.called("gcloud", "storage", "cp")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (GUARD[:4], "usage: guard-with-record.sh"),
        (("prod", "Pool Guard", *GUARD[2:]), "GATE"),
        ((*GUARD[:4], "scripts/no-such-guard.sh"), "is not an executable script of this repository"),
        ((*GUARD[:4], "scripts/guard-with-record.sh"), "GUARD may not be guard-with-record.sh itself"),
        ((*GUARD[:4], "/bin/false"), "GUARD"),
    ],
    ids=["too-few", "bad-gate", "no-such-guard", "itself", "not-a-repository-script"],
)
def test_usage_errors_exit_2_before_anything_runs(tools: FakeTools, args: tuple[str, ...], message: str) -> None:
    result = tools.run(SCRIPT, *args)
    assert result.returncode == 2 and message in result.stderr
    assert tools.calls() == []
