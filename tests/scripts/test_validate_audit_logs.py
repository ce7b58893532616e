"""scripts/validate-audit-logs.sh: audit configs, the sink to the SIEM project, its locked bucket, fresh entries."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.scripts.fakes import FakeTools, Result
from tests.scripts.gcloud_fixtures import (
    PROJECT,
    SIEM_PROJECT,
    Scenario,
    failed,
    failed_closed,
    load,
    passed,
    usage_failed,
    violated,
)
from tests.scripts.inventory_world import COUNTS, for_env, listing, planned, scope

SCRIPT = "validate-audit-logs.sh"
STEM = "validate-audit-logs"
GATE = "audit-logs"
USAGE = "validate-audit-logs.sh ENV PROJECT_ID SIEM_PROJECT_ID"
BUCKET = "hipaa-prod-audit-logs"
SINK = "hipaa-prod-siem-sink"


def compliant(env: str = "prod") -> Scenario:
    """Audit logging as the inventory plans it: the config, the sinks, the SIEM bucket; fresh entries."""
    s = scope(env)
    project, siem = s["project"], s["siem_project"]
    policy = {**for_env(env, load(STEM, "iam-policy")), "auditConfigs": listing(env, "audit_configs")}
    recorded = for_env(env, load(STEM, "sinks"))
    sinks = [*recorded[:2], *listing(env, "sinks", recorded[2])]  # Google's _Default and _Required, then ours
    scenario = Scenario()
    scenario.add("iam", "gcloud", ["projects", "get-iam-policy", project], policy)
    scenario.add("sinks", "gcloud", ["logging", "sinks", "list", "--project", project], sinks)
    for bucket in listing(env, "log_buckets", for_env(env, load(STEM, "log-bucket"))):
        location, bucket_id = bucket["name"].split("/")[3], bucket["name"].rsplit("/", 1)[-1]
        name = "bucket" if bucket_id == BUCKET.replace("prod", env) else bucket_id
        describe = ["logging", "buckets", "describe", bucket_id, "--location", location, "--project", siem]
        scenario.add(name, "gcloud", describe, bucket)
        read = ["logging", "read", "--project", siem, "--bucket", bucket_id, "--view", "_AllLogs", "--freshness", "1d"]
        scenario.add("entries", "gcloud", read, for_env(env, load(STEM, "audit-entries")))
    return scenario


def run(tools: FakeTools, scenario: Scenario, env: str = "prod") -> Result:
    scenario.install(tools)
    return tools.run(SCRIPT, env, scope(env)["project"], scope(env)["siem_project"])


def sink(scenario: Scenario, name: str = SINK) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in scenario["sinks"] if s["name"] == name)
    return found


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_compliant_logging_passes_and_reads_the_siem_bucket(tools: FakeTools, env: str) -> None:
    evidence = passed(run(tools, compliant(env), env), GATE)
    assert evidence["checked"] == 4  # audit config, the SIEM sink, its bucket, fresh entries
    read = next(c.argv for c in tools.calls("gcloud") if c.argv[:2] == ["logging", "read"])
    assert read[2] == f'logName:"projects/{scope(env)["project"]}/logs/cloudaudit.googleapis.com"'
    assert "--limit" in read and "--format=json" in read
    # the audit config, both planned sinks (not Google's two) and the SIEM bucket, as planned
    inventory = evidence["inventory"]
    assert {k: inventory[k] for k in COUNTS} == planned(env, GATE)
    assert (inventory["expected"], inventory["properties"]) == (4, 8)


def test_dev_accepts_an_unlocked_bucket_with_30_days(tools: FakeTools) -> None:
    scenario = compliant("dev")
    assert (scenario["bucket"]["locked"], scenario["bucket"]["retentionDays"]) == (False, 30)  # as dev plans it
    assert {k: v for k, v in passed(run(tools, scenario, env="dev"), GATE)["inventory"].items() if k in COUNTS} == (
        planned("dev", GATE)
    )


def test_a_planned_bucket_no_sink_routes_to_is_still_read(tools: FakeTools) -> None:
    scenario = compliant()
    sink(scenario)["destination"] = f"logging.googleapis.com/projects/{SIEM_PROJECT}/locations/us-central1/buckets/x"
    other = {**scenario["bucket"], "name": f"projects/{SIEM_PROJECT}/locations/us-central1/buckets/x"}
    scenario.add("other", "gcloud", ["logging", "buckets", "describe", "x"], other)
    scenario.add("other entries", "gcloud", ["logging", "read", "--bucket", "x"], scenario["entries"])
    result = run(tools, scenario)
    assert failed(result, GATE)["violations"] == [
        f"log sink {SINK}: destination is logging.googleapis.com/projects/{SIEM_PROJECT}/locations/us-central1/"
        f"buckets/x, the inventory expects logging.googleapis.com/projects/{SIEM_PROJECT}/locations/us-central1/"
        f"buckets/{BUCKET}"
    ]
    assert tools.called("gcloud", "logging", "buckets", "describe", BUCKET)


def test_a_sink_nobody_planned_fails_outside_dev(tools: FakeTools) -> None:
    scenario = compliant()
    scenario["sinks"].append({**sink(scenario), "name": "export-everything"})
    evidence = failed(run(tools, scenario), GATE)
    assert evidence["violations"] == ["log sink export-everything: not in the inventory (unmanaged)"]


def test_an_iam_policy_without_audit_configs_is_an_empty_listing(tools: FakeTools) -> None:
    scenario = compliant()
    scenario["iam"].pop("auditConfigs")
    result = run(tools, scenario)
    evidence = failed(result, GATE)
    reason = f"audit configs of {PROJECT}: listed nothing, but the inventory plans 1 audit config(s)"
    assert result.reason == f"{SCRIPT}: FAIL: {reason}"
    # what the rules found before the listing stopped the gate stays in the evidence
    assert evidence["violations"][0] == f"project {PROJECT}: audit log ADMIN_READ is not enabled for allServices"


def _siem_sink_broken(s: Scenario) -> None:
    siem_sink = sink(s)
    siem_sink.update(disabled=True, filter='logName:"cloudaudit.googleapis.com" AND NOT logName:"data_access"')
    siem_sink["exclusions"].append(
        {"filter": 'logName:"cloudaudit.googleapis.com%2Fdata_access"', "name": "quiet-reads"}
    )
    s["sinks"].append(
        {
            **siem_sink,
            "name": "hipaa-prod-siem-bq",
            "disabled": False,
            "exclusions": [],
            "filter": "",
            "destination": f"bigquery.googleapis.com/projects/{SIEM_PROJECT}/datasets/audit",
        }
    )


def _data_logs_off(s: Scenario) -> None:
    s["iam"]["auditConfigs"][0]["auditLogConfigs"] = [{"logType": "ADMIN_READ"}]


PLANNED_FILTER = sink(compliant(), SINK)["filter"]
VIOLATIONS: dict[str, tuple[Callable[[Scenario], object], list[str]]] = {
    "audit-config": (
        _data_logs_off,
        [f"project {PROJECT}: audit log {t} is not enabled for allServices" for t in ("DATA_READ", "DATA_WRITE")]
        + ["audit config allServices: auditLogConfigs differs from the inventory"],
    ),
    "no-siem-sink": (
        lambda s: s["sinks"].remove(sink(s)),
        [
            f"project {PROJECT}: no log sink to the SIEM project {SIEM_PROJECT}",
            f"log sink {SINK}: planned but not found",
        ],
    ),
    "siem-sink": (
        _siem_sink_broken,
        [
            f'log sink {SINK}: filter is logName:"cloudaudit.googleapis.com" AND NOT logName:"data_access", '
            f"the inventory expects {PLANNED_FILTER}",
            "log sink hipaa-prod-siem-bq: not in the inventory (unmanaged)",
            f"sink {SINK}: disabled",
            f"sink {SINK}: filter does not route cloudaudit.googleapis.com logs",
            f"sink {SINK}: exclusion quiet-reads drops audit logs",
            "sink hipaa-prod-siem-bq: destination is not a log bucket, its lock and retention cannot be verified",
        ],
    ),
    "log-bucket": (
        lambda s: s["bucket"].update(locked=False, retentionDays=365),
        [
            f"log bucket {BUCKET}: not locked (required in prod)",
            f"log bucket {BUCKET}: retention 365 days, prod requires at least 2190",
            f"log bucket projects/{SIEM_PROJECT}/locations/us-central1/buckets/{BUCKET}: locked is false, "
            "the inventory expects true",
            f"log bucket projects/{SIEM_PROJECT}/locations/us-central1/buckets/{BUCKET}: retentionDays is 365, "
            "the inventory expects 2190",
        ],
    ),
    "no-fresh-entries": (
        lambda s: s.__setitem__("entries", []),
        [f"log bucket {BUCKET}: no audit entries from {PROJECT} in the last 1d"],
    ),
    "entries-of-another-project": (
        lambda s: s["entries"][0].update(
            logName="projects/nwh-analytics-stg/logs/cloudaudit.googleapis.com%2Factivity"
        ),
        [f"log bucket {BUCKET}: no audit entries from {PROJECT} in the last 1d"],
    ),
}


@pytest.mark.parametrize("family", VIOLATIONS)
def test_each_broken_rule_fails_naming_the_resource(tools: FakeTools, family: str) -> None:
    change, expected = VIOLATIONS[family]
    scenario = compliant()
    change(scenario)
    assert sorted(violated(run(tools, scenario), GATE, expected[0])) == sorted(expected)


def test_payloads_of_audit_entries_are_never_printed(tools: FakeTools) -> None:
    scenario = compliant()
    scenario["entries"][0]["protoPayload"]["request"] = {"query": "SELECT * WHERE mrn = 'MRN-0048213'"}
    result = run(tools, scenario)
    passed(result, GATE)
    assert "MRN-0048213" not in result.stderr + result.stdout
    assert "MRN-0048213" not in (tools.evidence / f"{GATE}.json").read_text()


@pytest.mark.parametrize(
    ("answer", "how", "what"),
    [
        ("iam", "error", f"IAM policy of {PROJECT}"),
        ("bucket", "empty", f"SIEM log bucket {BUCKET}"),
        ("entries", "malformed", f"audit entries in {BUCKET}"),
    ],
)
def test_tool_failure_empty_or_malformed_output_fails_closed(
    tools: FakeTools, answer: str, how: str, what: str
) -> None:
    scenario = compliant().break_answer(answer, how)
    failed_closed(run(tools, scenario), GATE, what, scenario.answers[answer].tool, how)


def test_missing_bucket_fails(tools: FakeTools) -> None:
    scenario = compliant("staging")
    scenario.answers["bucket"].exit = 1
    scenario.answers["bucket"].stderr = "ERROR: (gcloud.logging.buckets.describe) NOT_FOUND: Bucket does not exist\n"
    result = run(tools, scenario, env="staging")
    assert failed(result, GATE)["environment"] == "staging"
    assert result.reason.endswith(
        "gcloud failed (exit 1): ERROR: (gcloud.logging.buckets.describe) NOT_FOUND: Bucket does not exist"
    )


@pytest.mark.parametrize(
    "args", [("prod", PROJECT), ("prod", PROJECT, PROJECT), ("prod", PROJECT, "siem"), ("Prod", PROJECT, SIEM_PROJECT)]
)
def test_missing_or_malformed_arguments_exit_2(tools: FakeTools, args: tuple[str, ...]) -> None:
    usage_failed(tools.run(SCRIPT, *args), USAGE)
