"""scripts/validate-audit-logs.sh: audit configs, the sink to the SIEM project, its locked bucket, fresh entries."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

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

SCRIPT = "validate-audit-logs.sh"
STEM = "validate-audit-logs"
GATE = "audit-logs"
USAGE = "validate-audit-logs.sh ENV PROJECT_ID SIEM_PROJECT_ID"
BUCKET = "hipaa-prod-audit"
SINK = "hipaa-prod-siem"


def compliant() -> Scenario:
    scenario = Scenario()
    scenario.add("iam", "gcloud", ["projects", "get-iam-policy", PROJECT], load(STEM, "iam-policy"))
    scenario.add("sinks", "gcloud", ["logging", "sinks", "list", "--project", PROJECT], load(STEM, "sinks"))
    bucket = ["logging", "buckets", "describe", BUCKET, "--location", "us-central1", "--project", SIEM_PROJECT]
    scenario.add("bucket", "gcloud", bucket, load(STEM, "log-bucket"))
    read = ["logging", "read", "--project", SIEM_PROJECT, "--bucket", BUCKET, "--view", "_AllLogs", "--freshness", "1d"]
    scenario.add("entries", "gcloud", read, load(STEM, "audit-entries"))
    return scenario


def run(tools: FakeTools, scenario: Scenario, env: str = "prod") -> Result:
    scenario.install(tools)
    return tools.run(SCRIPT, env, PROJECT, SIEM_PROJECT)


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


def test_compliant_logging_passes_and_reads_the_siem_bucket(tools: FakeTools) -> None:
    evidence = passed(run(tools, compliant()), GATE)
    assert evidence["checked"] == 4  # audit config, the SIEM sink, its bucket, fresh entries
    read = next(c.argv for c in tools.calls("gcloud") if c.argv[:2] == ["logging", "read"])
    assert read[2] == f'logName:"projects/{PROJECT}/logs/cloudaudit.googleapis.com"'
    assert "--limit" in read and "--format=json" in read


def test_dev_accepts_an_unlocked_bucket_with_30_days(tools: FakeTools) -> None:
    scenario = compliant()
    scenario["bucket"].update(locked=False, retentionDays=30)
    passed(run(tools, scenario, env="dev"), GATE)


def _siem_sink_broken(s: Scenario) -> None:
    sink = s["sinks"][2]
    sink.update(disabled=True, filter='logName:"cloudaudit.googleapis.com" AND NOT logName:"data_access"')
    sink["exclusions"].append({"filter": 'logName:"cloudaudit.googleapis.com%2Fdata_access"', "name": "quiet-reads"})
    s["sinks"].append(
        {
            **sink,
            "name": "hipaa-prod-siem-bq",
            "disabled": False,
            "exclusions": [],
            "filter": "",
            "destination": f"bigquery.googleapis.com/projects/{SIEM_PROJECT}/datasets/audit",
        }
    )


VIOLATIONS: dict[str, tuple[Callable[[Scenario], object], list[str]]] = {
    "audit-config": (
        lambda s: s["iam"].pop("auditConfigs"),
        [
            f"project {PROJECT}: audit log {t} is not enabled for allServices"
            for t in ("ADMIN_READ", "DATA_READ", "DATA_WRITE")
        ],
    ),
    "no-siem-sink": (
        lambda s: s["sinks"].pop(2),
        [f"project {PROJECT}: no log sink to the SIEM project {SIEM_PROJECT}"],
    ),
    "siem-sink": (
        _siem_sink_broken,
        [
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
    assert violated(run(tools, scenario), GATE, expected[0]) == expected


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
    scenario = compliant()
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
