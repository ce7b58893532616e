"""The monitoring definitions configure-monitoring.sh reads (monitoring/<env>/), exported from the plan.

The Monitoring component (infra/security/monitoring.py, over infra/security/security_alerts.py) is the one source: this
module takes the notification channel, log-based metrics and alert policies the offline plan of a
stack registers in the environment project and writes their inputs as the Cloud Monitoring and
Cloud Logging API bodies that `gcloud ... --channel-content-from-file`, `--config-from-file` and
`--policy-from-file` take. The engine's camelCase inputs are those bodies already; only what is not
part of them is dropped (`project`, Pulumi's `forceDelete`) and the policies' channel, which exists
only once created, is left for the script to fill in.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from infra.config import PlatformConfig
from infra.naming import SECURITY_TOPIC_ID, resource_name
from infra.plan.mockrun import PROJECT_ROOT
from infra.rules import Resource

MONITORING_DIR = PROJECT_ROOT / "monitoring"
CHANNEL = "gcp:monitoring/notificationChannel:NotificationChannel"
METRIC = "gcp:logging/metric:Metric"
ALERT_POLICY = "gcp:monitoring/alertPolicy:AlertPolicy"
# Inputs that are Pulumi's or the request's, not fields of the API object.
NOT_IN_BODY = ("project", "forceDelete")
ALERT_LABEL = "hipaa-alert"


class ExportError(Exception):
    """The plan's monitoring cannot be written as the definitions the script reads."""


def _integral(value: Any) -> Any:
    """The engine hands every number over as a float; write whole numbers as JSON integers, which
    both int32 fields (`trigger.count`) and double fields (`thresholdValue`) accept."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _integral(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_integral(item) for item in value]
    return value


def _body(resource: Resource) -> dict[str, Any]:
    return {key: _integral(value) for key, value in resource.inputs.items() if key not in NOT_IN_BODY}


def _render(body: Mapping[str, Any]) -> str:
    return json.dumps(body, indent=2, sort_keys=True, ensure_ascii=True) + "\n"


def export(resources: Iterable[Resource], config: PlatformConfig) -> dict[str, str]:
    """Relative path under monitoring/ -> file content, for one environment."""
    own = [r for r in resources if r.inputs.get("project") == config.project_id]
    channels = [r for r in own if r.type == CHANNEL and r.inputs.get("type") == "pubsub"]
    metrics = [r for r in own if r.type == METRIC]
    policies = [r for r in own if r.type == ALERT_POLICY]
    if len(channels) != 1 or not metrics or not policies:
        raise ExportError(
            f"{config.stack}: expected one Pub/Sub channel, log metrics and alert policies in {config.project_id}; "
            f"the plan has {len(channels)}, {len(metrics)} and {len(policies)}"
        )
    files = {f"{config.environment}/channels/{SECURITY_TOPIC_ID}.json": _render(_body(channels[0]))}
    for metric in metrics:
        files[f"{config.environment}/metrics/{metric.inputs['name']}.json"] = _render(_body(metric))
    for policy in policies:
        alert_id = (policy.inputs.get("userLabels") or {}).get(ALERT_LABEL)
        if not isinstance(alert_id, str) or not alert_id:
            raise ExportError(f"{policy.name}: alert policy without the {ALERT_LABEL} label to name its file")
        # The channel's id exists only once it is created: configure-monitoring.sh fills it in.
        body = {**_body(policy), "notificationChannels": []}
        files[f"{config.environment}/policies/{resource_name(config, alert_id)}.json"] = _render(body)
    return files


def write(files: Mapping[str, str], root: Path | None = None) -> None:
    """Replace each environment's definitions with the exported ones (stale files removed)."""
    root = root or MONITORING_DIR
    environments = {path.split("/", 1)[0] for path in files}
    for environment in environments:
        for stale in sorted((root / environment).glob("*/*.json")):
            if stale.relative_to(root).as_posix() not in files:
                stale.unlink()
    for path, content in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")


def differences(files: Mapping[str, str], root: Path | None = None) -> list[str]:
    """Paths under monitoring/ that are missing, different or no longer exported."""
    root = root or MONITORING_DIR
    environments = {path.split("/", 1)[0] for path in files}
    committed = {
        p.relative_to(root).as_posix() for environment in environments for p in (root / environment).glob("*/*.json")
    }
    changed = [
        path for path, content in files.items() if not (root / path).is_file() or (root / path).read_text() != content
    ]
    return sorted(set(changed) | (committed - set(files)))
