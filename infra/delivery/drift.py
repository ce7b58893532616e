"""Drift detection: once a day, Cloud Scheduler runs this stack's drift trigger (drift.cloudbuild.yaml).

The drift build refreshes and previews the stack without changing it (scripts/check-drift.sh) and
fails when anything was changed by hand since the last deploy; the infrastructure-drift alert
(infra/security/security_alerts.py) then pages the security topic. The trigger is a manual one (no
push filter): it builds the ref the last deploy built (`PlatformConfig.source_ref`), on the same
private pool (the build file's options), as the same build account, which impersonates the same
deployer. A dedicated scheduler account may run builds and act as the build account, nothing else.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.interface import register_declared
from infra.naming import child_opts, resource_name, role_suffix
from infra.placement import Placement
from pipeline.contract import DRIFT_CONFIG_NAME
from pipeline.drift_definition import DRIFT_SUBSTITUTION_KEYS

# Daily, in UTC, staggered so the three stacks do not refresh at once; after the working day of a
# US team (deploys happen then), before the next one starts.
DRIFT_SCHEDULES: dict[str, str] = {"dev": "0 6 * * *", "staging": "20 6 * * *", "prod": "40 6 * * *"}
DRIFT_TIME_ZONE = "Etc/UTC"
# Running a trigger needs cloudbuild.builds.create; no narrower predefined role holds it.
SCHEDULER_ROLE = "roles/cloudbuild.builds.editor"
# A trigger that runs as a user-managed account may only be run by a caller who can act as it.
ACT_AS_ROLE = "roles/iam.serviceAccountUser"


def drift_substitutions(substitutions: Mapping[str, pulumi.Input[str]]) -> dict[str, pulumi.Input[str]]:
    """The trigger's values for exactly the substitutions drift.cloudbuild.yaml declares (MUST_MATCH
    fails a build given one it does not use)."""
    missing = [key for key in DRIFT_SUBSTITUTION_KEYS if key not in substitutions]
    if missing:
        raise ValueError(f"the drift build needs substitutions the pipeline's trigger lacks: {missing}")
    return {key: substitutions[key] for key in DRIFT_SUBSTITUTION_KEYS}


def run_uri(project_id: str, region: str, trigger_id: str) -> str:
    """Cloud Build's `projects.locations.triggers.run` for this trigger."""
    return f"https://cloudbuild.googleapis.com/v1/projects/{project_id}/locations/{region}/triggers/{trigger_id}:run"


@dataclass(frozen=True)
class DriftCheckArgs:
    placement: Placement
    """Environment (schedule, substitution), workload project and region (trigger, scheduler job)."""
    repo_owner: str
    """GitHub owner of the repository the drift trigger checks out."""
    repo_name: str
    """GitHub repository the drift trigger checks out."""
    source_ref: str
    """The ref the last deploy built (`refs/tags/v1.2.3`, `refs/heads/main`), checked out by the drift build."""
    build_account_id: pulumi.Input[str]
    """The pipeline's build account (`projects/P/serviceAccounts/EMAIL`): the drift build runs as it."""
    substitutions: Mapping[str, pulumi.Input[str]]
    """The pipeline trigger's substitutions; the drift trigger carries the four its build declares."""
    drift_hash: str
    """sha256 of the generated drift.cloudbuild.yaml, carried in the trigger's description and tags."""

    def __post_init__(self) -> None:
        if len(self.drift_hash) != 64 or any(c not in "0123456789abcdef" for c in self.drift_hash):
            raise ValueError(f"DriftCheckArgs.drift_hash {self.drift_hash!r} is not a sha256 hex digest")
        if not self.source_ref.startswith(("refs/heads/", "refs/tags/")):
            raise ValueError(f"DriftCheckArgs.source_ref {self.source_ref!r} is not a full git ref")


class DriftCheck(pulumi.ComponentResource):
    """This stack's drift trigger, the daily Cloud Scheduler job that runs it, and the job's account."""

    TYPE_TOKEN = "hipaa:delivery:DriftCheck"

    trigger_id: pulumi.Output[str]
    """The manual trigger that runs drift.cloudbuild.yaml."""
    schedule_job_id: pulumi.Output[str]
    """The Cloud Scheduler job that runs the trigger once a day."""
    scheduler_account_email: pulumi.Output[str]
    """The account the job calls Cloud Build as."""

    def __init__(self, name: str, args: DriftCheckArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        placement = args.placement
        repository = f"https://github.com/{args.repo_owner}/{args.repo_name}"
        trigger = gcp.cloudbuild.Trigger(
            f"{name}-trigger",
            name=resource_name(placement, "drift"),
            project=placement.project_id,
            location=placement.region,
            description=f"HIPAA {placement.environment} drift check; {DRIFT_CONFIG_NAME} sha256 {args.drift_hash}",
            tags=["hipaa", placement.environment, "drift", f"drift-{args.drift_hash[:16]}"],
            source_to_build=gcp.cloudbuild.TriggerSourceToBuildArgs(
                uri=repository, ref=args.source_ref, repo_type="GITHUB"
            ),
            git_file_source=gcp.cloudbuild.TriggerGitFileSourceArgs(
                path=DRIFT_CONFIG_NAME, uri=repository, revision=args.source_ref, repo_type="GITHUB"
            ),
            service_account=args.build_account_id,
            substitutions=drift_substitutions(args.substitutions),
            # It deploys nothing (pipeline/checks/drift.py holds it to that), so it needs no approver.
            approval_config=gcp.cloudbuild.TriggerApprovalConfigArgs(approval_required=False),
            include_build_logs="INCLUDE_BUILD_LOGS_UNSPECIFIED",
            disabled=False,
            opts=child_opts(self),
        )
        account = gcp.serviceaccount.Account(
            f"{name}-scheduler",
            account_id=resource_name(placement, "drift-scheduler"),
            display_name="Cloud Scheduler: runs the daily drift trigger",
            description=f"Runs {resource_name(placement, 'drift')} once a day; no other use",
            project=placement.project_id,
            opts=child_opts(self),
        )
        runs_builds = gcp.projects.IAMMember(
            f"{name}-scheduler-{role_suffix(SCHEDULER_ROLE)}",
            project=placement.project_id,
            role=SCHEDULER_ROLE,
            member=account.member,
            opts=child_opts(self),
        )
        acts_as_build = gcp.serviceaccount.IAMMember(
            f"{name}-scheduler-acts-as-build",
            service_account_id=args.build_account_id,
            role=ACT_AS_ROLE,
            member=account.member,
            opts=child_opts(self),
        )
        job = gcp.cloudscheduler.Job(
            f"{name}-schedule",
            name=resource_name(placement, "drift"),
            project=placement.project_id,
            region=placement.region,
            description=f"Runs the {placement.environment} drift check once a day",
            schedule=DRIFT_SCHEDULES[placement.environment],
            time_zone=DRIFT_TIME_ZONE,
            attempt_deadline="60s",
            paused=False,
            retry_config=gcp.cloudscheduler.JobRetryConfigArgs(retry_count=2, min_backoff_duration="300s"),
            http_target=gcp.cloudscheduler.JobHttpTargetArgs(
                uri=trigger.trigger_id.apply(lambda t: run_uri(placement.project_id, placement.region, t)),
                http_method="POST",
                headers={"Content-Type": "application/json"},
                body=base64.b64encode(b"{}").decode("ascii"),
                oauth_token=gcp.cloudscheduler.JobHttpTargetOauthTokenArgs(
                    service_account_email=account.email,
                    scope="https://www.googleapis.com/auth/cloud-platform",
                ),
            ),
            opts=child_opts(self, depends_on=[runs_builds, acts_as_build]),
        )
        self.trigger_id = trigger.id
        self.schedule_job_id = job.id
        self.scheduler_account_email = account.email
        register_declared(self)
