"""The build a stack's trigger starts: the pipeline trigger, never the drift one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from pipeline.simulate.program import Plan
from pipeline.simulate.trigger import TRIGGER, TriggerError, from_plan

PIPELINE: dict[str, Any] = {
    "name": "hipaa-prod-pipeline",
    "project": "nwh-analytics-prd",
    "location": "us-central1",
    "filename": "cloudbuild.yaml",
    "github": {"owner": "northwind", "name": "hipaa", "push": {"tag": r"^v\d+\.\d+\.\d+$"}},
    "approvalConfig": {"approvalRequired": True},
    "substitutions": {"_ENVIRONMENT": "prod"},
}
# As infra/delivery/drift.py plans it: a manual trigger whose build file comes from git_file_source.
DRIFT: dict[str, Any] = {
    "name": "hipaa-prod-drift",
    "project": "nwh-analytics-prd",
    "location": "us-central1",
    "gitFileSource": {"path": "drift.cloudbuild.yaml", "repoType": "GITHUB"},
    "sourceToBuild": {"ref": "refs/heads/main", "repoType": "GITHUB"},
    "approvalConfig": {"approvalRequired": False},
}


@dataclass(frozen=True)
class Resource:
    type: str
    name: str
    urn: str
    inputs: Mapping[str, Any]


def plan(*triggers: dict[str, Any]) -> Plan:
    resources = tuple(Resource(TRIGGER, str(t["name"]), f"urn:{t['name']}", t) for t in triggers)
    return Plan(stack="prod", resources=resources, project_number=lambda _: "123")


def test_the_pipeline_trigger_is_chosen_beside_the_drift_trigger() -> None:
    build = from_plan(plan(DRIFT, PIPELINE))
    assert (build.trigger_name, build.config_path, build.tag, build.approval_required) == (
        "hipaa-prod-pipeline",
        "cloudbuild.yaml",
        "v1.0.0",
        True,
    )


@pytest.mark.parametrize("triggers", [(DRIFT,), (PIPELINE, PIPELINE)])
def test_no_single_pipeline_trigger_is_refused(triggers: tuple[dict[str, Any], ...]) -> None:
    with pytest.raises(TriggerError, match=r"Cloud Build triggers building cloudbuild\.yaml planned, expected 1"):
        from_plan(plan(*triggers))
