"""monitoring/<env>/ is exported from the Monitoring component, so the script verifies what Pulumi creates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import infra.__main__ as cli
from infra.plan import monitoring_export
from infra.plan.monitoring_export import ALERT_POLICY, METRIC, ExportError, differences, export, write
from infra.rules import Resource
from infra.security.security_alerts import ALERTS
from tests.conftest import find, planned
from tests.infra.recording import config_for


def exported(stack: str) -> dict[str, str]:
    return export(planned(stack), config_for(stack))


@pytest.mark.parametrize("stack_name", ["dev", "staging", "prod"])
def test_committed_definitions_are_the_exported_ones(stack_name: str) -> None:
    files = exported(stack_name)
    assert differences(files) == [], "run python -m infra monitoring-export"
    log_alerts = [a for a in ALERTS if a.log_filter]
    assert len(files) == 1 + len(log_alerts) + len(ALERTS)


def test_a_policy_is_the_planned_alert_policy_as_the_api_takes_it() -> None:
    planned_policy = next(
        r for r in find(planned("prod"), ALERT_POLICY) if r.inputs["userLabels"]["hipaa-alert"] == "iam-policy-change"
    )
    body = json.loads(exported("prod")["prod/policies/hipaa-prod-iam-policy-change.json"])
    expected = {k: v for k, v in planned_policy.inputs.items() if k != "project"}
    assert json.loads(json.dumps(expected)) == {
        **body,
        "notificationChannels": planned_policy.inputs["notificationChannels"],
    }
    assert body["notificationChannels"] == []
    assert body["conditions"][0]["conditionThreshold"]["trigger"] == {"count": 1}  # an int32, not 1.0


def test_a_metric_is_the_planned_log_metric() -> None:
    planned_metric = next(r for r in find(planned("prod"), METRIC) if r.inputs["name"] == "hipaa-prod-firewall-change")
    body = json.loads(exported("prod")["prod/metrics/hipaa-prod-firewall-change.json"])
    assert body["filter"] == planned_metric.inputs["filter"]
    assert set(body) == {"name", "description", "filter", "metricDescriptor", "disabled"}


def test_the_channel_names_the_security_topic_and_drops_pulumi_only_inputs() -> None:
    body = json.loads(exported("prod")["prod/channels/hipaa-deployments.json"])
    assert body["type"] == "pubsub"
    assert body["labels"] == {"topic": "projects/nwh-security-prd/topics/hipaa-deployments"}
    assert "forceDelete" not in body and "project" not in body


def test_a_plan_without_its_monitoring_cannot_be_exported() -> None:
    with pytest.raises(ExportError, match="expected one Pub/Sub channel"):
        export([r for r in planned("prod") if r.type != METRIC], config_for("prod"))


def test_a_policy_without_its_alert_label_cannot_name_its_file() -> None:
    resources = [
        Resource(r.type, r.name, r.urn, {**r.inputs, "userLabels": {}}, r.protect) if r.type == ALERT_POLICY else r
        for r in planned("prod")
    ]
    with pytest.raises(ExportError, match="alert policy without the hipaa-alert label"):
        export(resources, config_for("prod"))


def test_write_replaces_stale_files_and_differences_names_them(tmp_path: Path) -> None:
    files = exported("dev")
    stale = tmp_path / "dev" / "policies" / "hipaa-dev-retired.json"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}")
    assert "dev/policies/hipaa-dev-retired.json" in differences(files, tmp_path)
    write(files, tmp_path)
    assert not stale.exists() and differences(files, tmp_path) == []
    (tmp_path / "dev" / "channels" / "hipaa-deployments.json").write_text("{}\n")
    assert differences(files, tmp_path) == ["dev/channels/hipaa-deployments.json"]


def test_check_detects_drift(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "planned_resources", lambda stack: list(planned(stack)))
    monkeypatch.setattr(monitoring_export, "MONITORING_DIR", tmp_path)
    assert cli.main(["monitoring-export"]) == 0
    assert cli.main(["monitoring-export", "--check"]) == 0
    (tmp_path / "prod" / "metrics" / "hipaa-prod-firewall-change.json").write_text("{}\n")
    capsys.readouterr()
    assert cli.main(["monitoring-export", "--check"]) == 1
    assert capsys.readouterr().err == (
        "monitoring/prod/metrics/hipaa-prod-firewall-change.json: differ from the definitions exported from "
        "infra/; run python -m infra monitoring-export\n"
    )
