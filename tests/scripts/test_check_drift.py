"""check-drift.sh: the daily read-only refresh and preview; any change is drift and fails the gate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.scripts.fakes import FakeTools, Result

SCRIPT = "check-drift.sh"
GATE = "drift-check"
BACKEND = "gs://nwh-security-dev-pulumi-state"
PREFIX = "urn:pulumi:dev::hipaa::pulumi:pulumi:Stack$hipaa:platform:HipaaPlatform"
BUCKET_URN = f"{PREFIX}$gcp:storage/bucket:Bucket::platform-compliance"
FIREWALL_URN = f"{PREFIX}$gcp:compute/firewall:Firewall::platform-deny-egress"
STACK_URN = "urn:pulumi:dev::hipaa::pulumi:pulumi:Stack::hipaa-dev"


def step(op: str, urn: str, **extra: Any) -> dict[str, Any]:
    kind = urn.rsplit("$", maxsplit=1)[-1].split("::", maxsplit=1)[0] if "$" in urn else "pulumi:pulumi:Stack"
    return {"op": op, "urn": urn, "newState": {"type": kind, "urn": urn}, **extra}


def document(*steps: dict[str, Any], summary: dict[str, int] | None = None) -> str:
    counts: dict[str, int] = {}
    for s in steps:
        counts[s["op"]] = counts.get(s["op"], 0) + 1
    return json.dumps({"steps": list(steps), "changeSummary": counts if summary is None else summary})


CLEAN = document(step("same", STACK_URN), step("same", BUCKET_URN), step("same", FIREWALL_URN))


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


def answer(
    tools: FakeTools, refresh: str = CLEAN, preview: str = CLEAN, *, refresh_exit: int = 0, preview_exit: int = 0
) -> FakeTools:
    tools.on("pulumi", ["login", BACKEND], stdout="Logged in to pulumi-state (gs://nwh-security-dev-pulumi-state)\n")
    tools.on(
        "pulumi",
        ["refresh", "--preview-only"],
        stdout=refresh,
        exit=refresh_exit,
        writes={"$HOME/refresh-as-$GOOGLE_IMPERSONATE_SERVICE_ACCOUNT": ""},
    )
    tools.on("pulumi", ["preview"], stdout=preview, exit=preview_exit, stderr="error: no changes were expected\n")
    return tools


def run(tools: FakeTools, env: str = "dev") -> Result:
    return tools.run(SCRIPT, env, BACKEND, env={"PROJECT_ID": "nwh-analytics-dev"})


def test_an_unchanged_environment_passes_counting_its_resources(tools: FakeTools) -> None:
    result = run(answer(tools))
    assert result.returncode == 0, result.stderr
    evidence = tools.evidence_of(GATE)
    assert (evidence["status"], evidence["checked"], evidence["violations"]) == ("pass", 2, [])
    refresh = next(c.argv for c in tools.calls("pulumi") if "refresh" in c.argv)
    preview = next(c.argv for c in tools.calls("pulumi") if "preview" in c.argv)
    for argv in (refresh, preview):
        assert {"--expect-no-changes", "--json", "--non-interactive", "--suppress-outputs"} <= set(argv)
        assert argv[argv.index("--stack") + 1] == "dev"
    assert "--preview-only" in refresh
    # Nothing that could change the state or the cloud is ever called.
    changing = {"up", "update", "destroy", "import", "cancel", "state"}
    assert not any(changing & set(c.argv) for c in tools.calls("pulumi"))
    assert [p.name for p in tools.root.glob("refresh-as-*")] == [
        "refresh-as-hipaa-dev-deployer@nwh-analytics-dev.iam.gserviceaccount.com"
    ]


def test_a_resource_changed_by_hand_fails_naming_its_urn(tools: FakeTools) -> None:
    drifted = document(step("same", STACK_URN), step("refresh", FIREWALL_URN, diffReasons=["sourceRanges"]))
    result = run(answer(tools, refresh=drifted, refresh_exit=255))
    assert result.returncode == 1
    assert "check-drift.sh: FAIL: drift-check: 1 violation(s)" in result.stderr
    evidence = tools.evidence_of(GATE)
    assert evidence["status"] == "fail"
    assert evidence["violations"] == [f"drift (refresh): refresh {FIREWALL_URN}"]


def test_a_refresh_step_without_a_diff_is_not_drift(tools: FakeTools) -> None:
    quiet = document(step("refresh", BUCKET_URN), summary={"same": 1})
    assert run(answer(tools, refresh=quiet)).returncode == 0


def test_a_deleted_resource_and_a_pending_update_are_both_named(tools: FakeTools) -> None:
    refresh = document(step("delete", BUCKET_URN))
    preview = document(step("update", FIREWALL_URN), step("create", BUCKET_URN))
    result = run(answer(tools, refresh=refresh, preview=preview, refresh_exit=255, preview_exit=255))
    assert result.returncode == 1
    assert tools.evidence_of(GATE)["violations"] == [
        f"drift (refresh): delete {BUCKET_URN}",
        f"drift (preview): update {FIREWALL_URN}",
        f"drift (preview): create {BUCKET_URN}",
    ]


def test_a_summary_counting_changes_no_step_names_is_drift(tools: FakeTools) -> None:
    hidden = document(step("same", BUCKET_URN), summary={"same": 1, "update": 2})
    result = run(answer(tools, preview=hidden, preview_exit=255))
    assert result.returncode == 1
    assert tools.evidence_of(GATE)["violations"] == [
        "drift (preview): the change summary counts 2 change(s) no step names"
    ]


def test_a_step_of_another_stack_is_a_violation(tools: FakeTools) -> None:
    other = document(step("same", BUCKET_URN.replace(":dev::", ":prod::")))
    result = run(answer(tools, preview=other))
    assert result.returncode == 1
    assert "is not of stack dev" in tools.evidence_of(GATE)["violations"][0]


@pytest.mark.parametrize(
    ("stdout", "code", "reason"),
    [
        ("", 255, "pulumi preview: pulumi failed (exit 255): error: no changes were expected"),
        ("{not json", 0, "pulumi preview: report preview.json is malformed JSON"),
        ('{"changeSummary": {}}', 0, "pulumi preview: report preview.json does not have the expected shape"),
        (CLEAN, 255, "pulumi preview: pulumi failed (exit 255)"),
        (document(summary={}), 0, "stack dev: no resources previewed"),
    ],
)
def test_a_tool_failure_or_an_empty_answer_fails_closed(tools: FakeTools, stdout: str, code: int, reason: str) -> None:
    # An empty document: the refresh too, so nothing at all was previewed.
    refresh = stdout if stdout == document(summary={}) else CLEAN
    result = run(answer(tools, refresh=refresh, preview=stdout, preview_exit=code))
    assert result.returncode != 0
    assert reason in result.stderr
    # die records the reason as the gate's one violation: the evidence never reads as a pass.
    evidence = tools.evidence_of(GATE)
    assert evidence["status"] == "fail"
    assert any(reason in v for v in evidence["violations"])


def test_usage_and_bad_arguments_stop_before_pulumi_runs(tools: FakeTools) -> None:
    answer(tools)
    assert "usage: check-drift.sh ENV BACKEND_URL" in tools.run(SCRIPT, "dev").stderr
    assert tools.run(SCRIPT, "qa", BACKEND).returncode != 0
    assert tools.run(SCRIPT, "dev", "s3://state").returncode != 0
    assert tools.calls("pulumi") == []
