"""scripts/configure-monitoring.sh: HIPAA log metrics and alert policies notifying the security topic."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.scripts.fakes import PROJECT_ROOT, FakeTools, Result
from tests.scripts.gcloud_fixtures import (
    PROJECT,
    SECURITY_PROJECT,
    Scenario,
    failed,
    failed_closed,
    load,
    passed,
    usage_failed,
    violated,
)

SCRIPT = "configure-monitoring.sh"
STEM = "configure-monitoring"
GATE = "monitoring"
USAGE = "configure-monitoring.sh ENV PROJECT_ID SECURITY_PROJECT_ID"
# Exported from infra/security/monitoring.py per environment (python -m infra monitoring-export).
DEFINITIONS = PROJECT_ROOT / "monitoring" / "prod"
METRICS = sorted(p.stem for p in (DEFINITIONS / "metrics").glob("*.json"))
POLICIES = sorted(p.stem for p in (DEFINITIONS / "policies").glob("*.json"))
# The one policy on a built-in metric rather than a shipped log metric.
BUILT_IN = "logging.googleapis.com/exports/error_count"
TOPIC = f"projects/{SECURITY_PROJECT}/topics/hipaa-deployments"
CHANNELS = ["beta", "monitoring", "channels", "list", "--project", PROJECT]
METRIC_LIST = ["logging", "metrics", "list", "--project", PROJECT]
POLICY_LIST = ["alpha", "monitoring", "policies", "list", "--project", PROJECT]


def configured() -> Scenario:
    """A project where everything the definitions ask for already exists."""
    scenario = Scenario()
    scenario.add("channels", "gcloud", CHANNELS, load(STEM, "channels"))
    scenario.add("metrics", "gcloud", METRIC_LIST, load(STEM, "metrics"))
    scenario.add("policies", "gcloud", POLICY_LIST, load(STEM, "policies"))
    return scenario


def run(tools: FakeTools, scenario: Scenario, env: dict[str, str] | None = None, approval: str = "APPROVED") -> Result:
    tools.approve_build(approval)
    scenario.install(tools)
    return tools.run(SCRIPT, "prod", PROJECT, SECURITY_PROJECT, env=env)


def policy(scenario: Scenario, metric: str) -> dict[str, Any]:
    found: dict[str, Any] = next(
        p for p in scenario["policies"] if metric in p["conditions"][0]["conditionThreshold"]["filter"]
    )
    return found


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


def test_configured_project_passes_without_creating_anything(tools: FakeTools) -> None:
    evidence = passed(run(tools, configured()), GATE)
    # the channel, 9 log metrics, 10 policies (one on the built-in exports/error_count metric)
    assert evidence["checked"] == 1 + len(METRICS) + len(POLICIES) == 20
    assert not any("create" in call.argv for call in tools.calls("gcloud"))


def test_missing_channel_metrics_and_policy_are_created_then_verified(tools: FakeTools) -> None:
    after = configured()
    before = configured()
    before["channels"] = before["channels"][:1]  # only an unrelated email channel
    before["metrics"] = before["metrics"][2:]
    before["policies"] = before["policies"][1:]
    scenario = Scenario()
    for name, match in (("channels", CHANNELS), ("metrics", METRIC_LIST), ("policies", POLICY_LIST)):
        scenario.add(f"{name} before", "gcloud", match, before[name], times=1)
        scenario.add(name, "gcloud", match, after[name])
    for what in ("channels", "policies"):
        scenario.add(f"create {what}", "gcloud", ["monitoring", what, "create"], {"name": "created"})
    scenario.add("create metrics", "gcloud", ["logging", "metrics", "create"], "")
    passed(run(tools, scenario), GATE)

    creates = [call.argv for call in tools.calls("gcloud") if "create" in call.argv]
    assert [argv[:4] for argv in creates] == [
        ["beta", "monitoring", "channels", "create"],
        ["logging", "metrics", "create", METRICS[0]],
        ["logging", "metrics", "create", METRICS[1]],
        ["alpha", "monitoring", "policies", "create"],
    ]
    assert f"--config-from-file={DEFINITIONS}/metrics/{METRICS[0]}.json" in creates[1]
    assert any(arg.startswith("--policy-from-file=") for arg in creates[3])
    assert sum(call.argv[:4] == POLICY_LIST[:4] for call in tools.calls("gcloud")) == 2  # listed again to verify


def _still_missing(s: Scenario) -> None:
    s["metrics"] = s["metrics"][1:]
    s.add("create metric", "gcloud", ["logging", "metrics", "create"], "")


def _disabled(s: Scenario) -> None:
    s["channels"][1]["enabled"] = False
    s["metrics"][2]["disabled"] = True
    policy(s, METRICS[3])["enabled"] = False


def _drifted(s: Scenario) -> None:
    s["metrics"][0]["filter"] = 'protoPayload.methodName="SetIamPolicy" AND severity>=ERROR'
    policy(s, METRICS[1])["notificationChannels"] = ["projects/nwh-analytics-prd/notificationChannels/1"]
    condition = policy(s, METRICS[2])["conditions"][0]["conditionThreshold"]
    condition["filter"] = 'metric.type="logging.googleapis.com/user/something-else"'
    export_failure = policy(s, BUILT_IN)["conditions"][0]["conditionThreshold"]
    export_failure["filter"] = (
        'metric.type="logging.googleapis.com/exports/byte_count" AND resource.type="logging_sink"'
    )


def _title(metric: str) -> str:
    title: str = json.loads((DEFINITIONS / "policies" / f"{metric}.json").read_text())["displayName"]
    return title


VIOLATIONS: dict[str, tuple[Callable[[Scenario], object], list[str]]] = {
    "missing-after-configuring": (_still_missing, [f"log metric {METRICS[0]}: missing after configuring"]),
    "disabled": (
        _disabled,
        [
            "notification channel projects/nwh-analytics-prd/notificationChannels/14720938475610293847: disabled",
            f"log metric {METRICS[2]}: disabled",
            f"alert policy {_title(METRICS[3])}: disabled",
        ],
    ),
    "drifted": (
        _drifted,
        [
            f"log metric {METRICS[0]}: filter differs from monitoring/prod/metrics/{METRICS[0]}.json",
            "alert policy [HIPAA prod] Audit log export to the SIEM project failing: no longer alerts on its metric",
            f"alert policy {_title(METRICS[1])}: does not notify the channel to {TOPIC}",
            f"alert policy {_title(METRICS[2])}: no longer alerts on its metric",
        ],
    ),
}


@pytest.mark.parametrize("family", VIOLATIONS)
def test_each_broken_rule_fails_naming_the_resource(tools: FakeTools, family: str) -> None:
    change, expected = VIOLATIONS[family]
    scenario = configured()
    change(scenario)
    assert violated(run(tools, scenario), GATE, expected[0]) == expected


@pytest.mark.parametrize(
    ("answer", "how", "what"),
    [
        ("channels", "error", f"notification channels of {PROJECT}"),
        ("metrics", "empty", f"log metrics of {PROJECT}"),
        ("policies", "malformed", f"alert policies of {PROJECT}"),
    ],
)
def test_tool_failure_empty_or_malformed_output_fails_closed(
    tools: FakeTools, answer: str, how: str, what: str
) -> None:
    scenario = configured().break_answer(answer, how)
    failed_closed(run(tools, scenario), GATE, what, scenario.answers[answer].tool, how)


def test_a_failed_create_fails_the_gate(tools: FakeTools) -> None:
    scenario = configured()
    scenario["metrics"] = scenario["metrics"][1:]
    scenario.add("create metric", "gcloud", ["logging", "metrics", "create"], "")
    scenario.answers["create metric"].exit = 1
    scenario.answers["create metric"].stderr = "ERROR: (gcloud.logging.metrics.create) PERMISSION_DENIED: denied\n"
    result = run(tools, scenario)
    failed(result, GATE)
    assert result.reason.startswith(f"{SCRIPT}: FAIL: create log metric {METRICS[0]}: gcloud failed (exit 1)")


def test_a_policy_on_an_unshipped_metric_is_refused_before_any_call(tools: FakeTools, tmp_path: Path) -> None:
    definitions = tmp_path / "monitoring"
    shutil.copytree(DEFINITIONS, definitions)
    (definitions / "metrics" / f"{METRICS[0]}.json").unlink()
    result = run(tools, configured(), env={"MONITORING_DIR": str(definitions)})
    failed(result, GATE)
    assert result.reason.endswith(
        f"policy definition {_title(METRICS[0])}: must alert on a shipped log metric or a built-in metric"
    )
    assert tools.calls() == []


@pytest.mark.parametrize(
    "args", [("prod", PROJECT), ("prod", PROJECT, PROJECT), ("prod", PROJECT, "projects/nwh-security-prd")]
)
def test_missing_or_malformed_arguments_exit_2(tools: FakeTools, args: tuple[str, ...]) -> None:
    usage_failed(tools.run(SCRIPT, *args), USAGE)


@pytest.mark.parametrize("state", ["PENDING", "REJECTED"])
def test_prod_without_approval_changes_nothing(tools: FakeTools, state: str) -> None:
    scenario = configured()
    scenario["policies"] = []  # everything would be created
    result = run(tools, scenario, approval=state)
    assert result.returncode == 1
    assert result.reason.endswith(f"prod deploy refused: build b-123 approval state is {state}, not APPROVED")
    assert [call.argv[:2] for call in tools.calls()] == [["builds", "describe"]]
    assert tools.evidence_of("monitoring")["status"] == "fail"


def test_prod_approval_is_checked_before_the_project_is_read(tools: FakeTools) -> None:
    result = run(tools, configured())
    assert result.returncode == 0, result.stderr
    assert tools.calls("gcloud")[0].argv[:2] == ["builds", "describe"]
