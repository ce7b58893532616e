"""Rules for drift detection: a daily scheduled drift build per stack, as the pipeline's own identity.

The drift trigger (infra/delivery/drift.py) builds drift.cloudbuild.yaml from the ref the last deploy
built; a Cloud Scheduler job runs it once a day as a dedicated account that may do nothing else.
"""

from __future__ import annotations

import re
from typing import Any

from infra.rules import Context, Resource, Rule, dig
from infra.rules.delivery import TRIGGER, is_drift_trigger, release_ref_problem

JOB = "gcp:cloudscheduler/job:Job"
# What drift.cloudbuild.yaml declares (pipeline/drift_definition.py; a test keeps the two equal).
DRIFT_SUBSTITUTION_KEYS = frozenset({"_ENVIRONMENT", "_ARTIFACT_REGISTRY", "_DATAPROC_REGION", "_SECURITY_PROJECT_ID"})
# The scheduler account's whole access: run builds, as the build account.
SCHEDULER_GRANTS = frozenset(
    {
        ("gcp:projects/iAMMember:IAMMember", "roles/cloudbuild.builds.editor"),
        ("gcp:serviceaccount/iAMMember:IAMMember", "roles/iam.serviceAccountUser"),
    }
)
CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
# Once a day: a fixed minute and hour, every day of every month.
_DAILY = re.compile(r"^([0-5]?[0-9]) ([01]?[0-9]|2[0-3]) \* \* \*$")


def _drift_triggers(context: Context) -> list[Resource]:
    return [trigger for trigger in context.of_type(TRIGGER) if is_drift_trigger(trigger)]


def _run_uri_prefix(trigger: Resource) -> str:
    inputs = trigger.inputs
    return f"https://cloudbuild.googleapis.com/v1/projects/{inputs.get('project')}/locations/{inputs.get('location')}/triggers/"


def one_daily_drift_run(context: Context) -> list[str]:
    triggers, jobs = _drift_triggers(context), context.of_type(JOB)
    if len(triggers) != 1:
        return [f"expected exactly one drift trigger (building drift.cloudbuild.yaml), found {len(triggers)}"]
    if len(jobs) != 1:
        return [f"expected exactly one Cloud Scheduler job running the drift trigger, found {len(jobs)}"]
    uri = str(dig(jobs[0].inputs, "httpTarget.uri") or "")
    prefix = _run_uri_prefix(triggers[0])
    if not (uri.startswith(prefix) and uri.endswith(":run") and "/" not in uri[len(prefix) :]):
        return [f"the scheduler job does not run the drift trigger ({prefix}ID:run)"]
    return []


def drift_trigger_source(resource: Resource, context: Context) -> str | None:
    if not is_drift_trigger(resource):
        return None
    inputs = resource.inputs
    if inputs.get("github") or inputs.get("triggerTemplate") or inputs.get("pubsubConfig"):
        return "the drift trigger reacts to an event; it must be a manual trigger the schedule runs"
    ref, revision = dig(inputs, "sourceToBuild.ref"), dig(inputs, "gitFileSource.revision")
    if dig(inputs, "sourceToBuild.uri") != dig(inputs, "gitFileSource.uri") or ref != revision:
        return "the drift trigger checks out one repository or ref and reads its build file from another"
    problem = release_ref_problem(context.environment, str(ref))
    if problem:
        return f"the drift trigger builds {problem}"
    if inputs.get("disabled"):
        return "the drift trigger is disabled"
    values: dict[str, Any] = inputs.get("substitutions") or {}
    if set(values) != DRIFT_SUBSTITUTION_KEYS or not all(values.values()):
        return f"the drift trigger must set exactly {', '.join(sorted(DRIFT_SUBSTITUTION_KEYS))}"
    if values["_ENVIRONMENT"] != context.environment:
        return f"_ENVIRONMENT is {values['_ENVIRONMENT']}, not the stack's {context.environment}"
    return None


def same_build_identity(context: Context) -> list[str]:
    pipeline = {str(t.inputs.get("serviceAccount")) for t in context.of_type(TRIGGER) if not is_drift_trigger(t)}
    return [
        f"drift trigger {trigger.name} runs as {trigger.inputs.get('serviceAccount')}, not the pipeline's build account"
        for trigger in _drift_triggers(context)
        if len(pipeline) != 1 or str(trigger.inputs.get("serviceAccount")) not in pipeline
    ]


def daily_schedule(resource: Resource, _: Context) -> str | None:
    schedule = str(resource.inputs.get("schedule") or "")
    if not _DAILY.match(schedule):
        return f"schedule {schedule!r} is not once a day (MINUTE HOUR * * *)"
    if not resource.inputs.get("timeZone"):
        return "the schedule names no time zone"
    if resource.inputs.get("paused"):
        return "the drift schedule is paused"
    target = resource.inputs.get("httpTarget") or {}
    if target.get("httpMethod") != "POST" or target.get("oidcToken"):
        return "the job must POST with an OAuth token (Google APIs take no OIDC token)"
    if dig(target, "oauthToken.scope") != CLOUD_PLATFORM_SCOPE or not dig(target, "oauthToken.serviceAccountEmail"):
        return "the job calls Cloud Build without a service account's cloud-platform OAuth token"
    return None


def _members(resource: Resource) -> list[str]:
    member, members = resource.inputs.get("member"), resource.inputs.get("members")
    return [str(member)] if member else [str(m) for m in members or ()]


def dedicated_scheduler_account(context: Context) -> list[str]:
    findings: list[str] = []
    builds = {str(t.inputs.get("serviceAccount")) for t in context.of_type(TRIGGER)}
    for job in context.of_type(JOB):
        email = str(dig(job.inputs, "httpTarget.oauthToken.serviceAccountEmail") or "")
        if not email or any(account.endswith(f"/serviceAccounts/{email}") for account in builds):
            findings.append(f"job {job.name} calls Cloud Build as {email or 'no account'}, not a dedicated account")
            continue
        grants = {
            (resource.type, str(resource.inputs.get("role")))
            for resource in context.resources
            if f"serviceAccount:{email}" in _members(resource)
        }
        if grants != SCHEDULER_GRANTS:
            extra = sorted(role for _, role in grants - SCHEDULER_GRANTS)
            missing = sorted(role for _, role in SCHEDULER_GRANTS - grants)
            findings.append(f"scheduler account {email}: extra grants {extra}, missing {missing}")
    return findings


_CFR = "45 CFR 164.308(a)(1)(ii)(D)"
RULES = [
    Rule(
        "DRF-01",
        _CFR,
        "one drift trigger per stack, run by one daily Cloud Scheduler job",
        stack_check=one_daily_drift_run,
        scope=(TRIGGER,),
    ),
    Rule(
        "DRF-02",
        _CFR,
        "the drift trigger is manual, builds a ref its environment deploys, with the drift build's substitutions",
        (TRIGGER,),
        drift_trigger_source,
    ),
    Rule(
        "DRF-03",
        "45 CFR 164.308(a)(4)(ii)(B)",
        "the drift build runs as the pipeline's build account (same pool, same deployer)",
        stack_check=same_build_identity,
        scope=(TRIGGER,),
    ),
    Rule("DRF-04", _CFR, "the drift schedule runs once a day, with an OAuth token", (JOB,), daily_schedule),
    Rule(
        "DRF-05",
        "45 CFR 164.308(a)(4)(ii)(B)",
        "the scheduler account may only run builds as the build account",
        stack_check=dedicated_scheduler_account,
        scope=(JOB,),
    ),
]
