"""The build a stack's trigger would start: its substitutions, its ref and Cloud Build's built-ins.

Read from the Cloud Build trigger the program plans for the stack (infra/delivery/), not from a
copy of its values: the substitutions, the push filter, the approval gate, the service account and
the location are exactly what `pulumi up` would give the trigger. The ref is the first of a few
typical refs the trigger's RE2 filter accepts (dev: branch main; staging: tag v1.0.0-rc.1; prod:
tag v1.0.0), so the build is one the trigger would really start.
"""

from __future__ import annotations

import re
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

from pipeline.simulate.program import Plan

TRIGGER = "gcp:cloudbuild/trigger:Trigger"
PIPELINE_FILE = "cloudbuild.yaml"
BRANCH_CANDIDATES = ("main", "master", "develop")
TAG_CANDIDATES = ("v1.0.0-rc.1", "v1.0.0")


class TriggerError(Exception):
    """The stack's plan has no usable trigger (one line naming what is missing)."""


@dataclass(frozen=True)
class TriggeredBuild:
    stack: str
    trigger_name: str
    project_id: str
    project_number: str
    location: str
    substitutions: dict[str, str]
    approval_required: bool
    branch: str
    tag: str
    service_account: str
    repo_owner: str
    repo_name: str
    config_path: str


def _first_match(pattern: str, candidates: tuple[str, ...]) -> str:
    for candidate in candidates:
        if re.fullmatch(pattern, candidate):
            return candidate
    raise TriggerError(f"no typical ref matches the trigger's filter {pattern!r}")


def from_plan(plan: Plan) -> TriggeredBuild:
    # A stack also plans a drift trigger (drift.cloudbuild.yaml, a git_file_source, no filename):
    # the build a push starts is the one whose trigger builds the pipeline file.
    triggers = [t for t in plan.of_type(TRIGGER) if t.inputs.get("filename") == PIPELINE_FILE]
    if len(triggers) != 1:
        raise TriggerError(
            f"stack {plan.stack}: {len(triggers)} Cloud Build triggers building {PIPELINE_FILE} planned, expected 1"
        )
    inputs = triggers[0].inputs
    push = (inputs.get("github") or {}).get("push") or {}
    if push.get("invertRegex"):
        raise TriggerError(f"stack {plan.stack}: inverted ref filters are not simulated")
    branch = _first_match(str(push["branch"]), BRANCH_CANDIDATES) if push.get("branch") else ""
    tag = _first_match(str(push["tag"]), TAG_CANDIDATES) if push.get("tag") else ""
    if bool(branch) == bool(tag):
        raise TriggerError(f"stack {plan.stack}: the trigger must filter on exactly one of branch and tag")
    account = str(inputs.get("serviceAccount") or "")
    project = str(inputs["project"])
    return TriggeredBuild(
        stack=plan.stack,
        trigger_name=str(inputs["name"]),
        project_id=project,
        project_number=plan.project_number(project),
        location=str(inputs.get("location") or "global"),
        substitutions={str(k): str(v) for k, v in (inputs.get("substitutions") or {}).items()},
        approval_required=bool((inputs.get("approvalConfig") or {}).get("approvalRequired")),
        branch=branch,
        tag=tag,
        service_account=account.rsplit("/", maxsplit=1)[-1],
        repo_owner=str((inputs.get("github") or {}).get("owner") or ""),
        repo_name=str((inputs.get("github") or {}).get("name") or ""),
        config_path=str(inputs["filename"]),
    )


def commit_sha(repository: Path) -> str:
    """The repository's HEAD, the commit a push would build."""
    completed = subprocess.run(
        ["git", "-C", str(repository), "rev-parse", "HEAD"], capture_output=True, text=True, check=False
    )
    sha = completed.stdout.strip()
    if completed.returncode != 0 or not re.fullmatch(r"[0-9a-f]{40}", sha):
        raise TriggerError(f"{repository}: no git HEAD to build")
    return sha


def new_build_id() -> str:
    return str(uuid.uuid4())


def builtins(build: TriggeredBuild, build_id: str, commit: str) -> dict[str, str]:
    """Cloud Build's built-in substitutions for a triggered build of this stack."""
    return {
        "PROJECT_ID": build.project_id,
        "PROJECT_NUMBER": build.project_number,
        "BUILD_ID": build_id,
        "LOCATION": build.location,
        "TRIGGER_NAME": build.trigger_name,
        "COMMIT_SHA": commit,
        "REVISION_ID": commit,
        "SHORT_SHA": commit[:7],
        "REPO_NAME": build.repo_name,
        "REPO_FULL_NAME": f"{build.repo_owner}/{build.repo_name}",
        "BRANCH_NAME": build.branch,
        "TAG_NAME": build.tag,
        "REF_NAME": build.branch or build.tag,
        "TRIGGER_BUILD_CONFIG_PATH": build.config_path,
        "SERVICE_ACCOUNT_EMAIL": build.service_account,
        "SERVICE_ACCOUNT": f"projects/{build.project_id}/serviceAccounts/{build.service_account}",
    }
