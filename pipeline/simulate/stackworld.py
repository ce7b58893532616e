"""The stack's fake world for one build: the plan's resources and the build Cloud Build is running."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pipeline.simulate import trigger
from pipeline.simulate.program import Plan
from pipeline.simulate.substitution import ALLOW_LOOSE
from pipeline.simulate.workspace import RunDir
from pipeline.simulate.world import build as world_build
from pipeline.simulate.world.model import Env, Planned, Resources


def env(build: trigger.TriggeredBuild, plan_number: Any) -> Env:
    subs = build.substitutions
    return Env(
        subs["_ENVIRONMENT"],
        build.project_id,
        subs["_SECURITY_PROJECT_ID"],
        subs["_SIEM_PROJECT_ID"],
        subs["_DATAPROC_REGION"],
        plan_number,
    )


def build_record(
    build: trigger.TriggeredBuild, build_id: str, pool: str | None, user: dict[str, str]
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": build_id,
        "projectId": build.project_id,
        "status": "WORKING",
        "buildTriggerId": build.trigger_name,
        "serviceAccount": f"projects/{build.project_id}/serviceAccounts/{build.service_account}",
        "substitutions": user,
        "options": {
            "logging": "CLOUD_LOGGING_ONLY",
            "substitutionOption": ALLOW_LOOSE,
            **({"pool": {"name": pool}} if pool else {}),
        },
        "_location": build.location if pool else "global",
    }
    if build.approval_required:
        record["approval"] = {
            "state": "APPROVED",
            "config": {"approvalRequired": True},
            "result": {"decision": "APPROVED", "approverAccount": "release-approver@example.test"},
        }
    return record


def create_world(
    run: RunDir,
    plan: Plan,
    triggered: trigger.TriggeredBuild,
    record: Mapping[str, Any],
    extract: Mapping[str, Any],
    *,
    pulled: Sequence[str] = (),
) -> None:
    """Write the world of `plan` (with the build `record`) under the run's world directory.

    `pulled`: the step images, which Cloud Build pulls onto the worker whose daemon `docker build` uses.
    """
    resources = Resources([Planned(r.type, r.name, r.inputs) for r in plan.resources])
    world_build.create(run.world, resources, env(triggered, plan.project_number), record, extract, pulled=pulled)
