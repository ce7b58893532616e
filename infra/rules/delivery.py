"""Rules for delivery: private pool, dedicated build identity, per-environment refs and approval."""

from __future__ import annotations

import re

from infra.rules import Context, Resource, Rule, dig

POOL = "gcp:cloudbuild/workerPool:WorkerPool"
TRIGGER = "gcp:cloudbuild/trigger:Trigger"
# The ref each environment builds (RE2, as Cloud Build evaluates them): the Delivery component
# fills the triggers from this table, and scripts/verify-release.sh must agree with it.
RELEASE_REFS: dict[str, tuple[str, str]] = {
    "dev": ("branch", r"^main$"),
    "staging": ("tag", r"^v[0-9]+\.[0-9]+\.[0-9]+-rc\.[0-9]+$"),
    "prod": ("tag", r"^v[0-9]+\.[0-9]+\.[0-9]+$"),
}


def required_substitutions() -> tuple[str, ...]:
    """Every substitution the generated pipeline declares: the trigger must fill each one."""
    # Imported when a trigger is judged: pipeline.substitutions spells names through infra.naming,
    # which loads the Pulumi SDK, and the policy pack loads the rules without it.
    from pipeline.substitutions import SUBSTITUTIONS

    return tuple(SUBSTITUTIONS)


_SERVICE_ACCOUNT = re.compile(r"^projects/[^/]+/serviceAccounts/[^@]+@[^.]+\.iam\.gserviceaccount\.com$")


def private_pool(resource: Resource, _: Context) -> str | None:
    if dig(resource.inputs, "workerConfig.noExternalIp") is not True:
        return "worker pool workers get public IPs (workerConfig.noExternalIp is not true)"
    if not dig(resource.inputs, "networkConfig.peeredNetwork"):
        return "worker pool is not peered to the private VPC"
    return None


def dedicated_build_identity(resource: Resource, _: Context) -> str | None:
    account = str(resource.inputs.get("serviceAccount") or "")
    if not _SERVICE_ACCOUNT.match(account):
        return "trigger runs as the legacy Cloud Build service account, not a dedicated one"
    return None


def prod_approval(resource: Resource, context: Context) -> str | None:
    if context.is_prod and dig(resource.inputs, "approvalConfig.approvalRequired") is not True:
        return "prod trigger builds without manual approval"
    return None


def environment_ref(resource: Resource, context: Context) -> str | None:
    kind, pattern = RELEASE_REFS[context.environment]
    push = dig(resource.inputs, "github.push") or {}
    other = "tag" if kind == "branch" else "branch"
    if push.get(kind) != pattern or push.get(other) or push.get("invertRegex"):
        return f"{context.environment} trigger must build {kind} {pattern} only"
    return None


def substitutions_complete(resource: Resource, context: Context) -> str | None:
    values = resource.inputs.get("substitutions") or {}
    missing = [key for key in required_substitutions() if not values.get(key)]
    if missing:
        return f"trigger leaves substitutions unset: {', '.join(missing)}"
    if values.get("_ENVIRONMENT") != context.environment:
        return f"_ENVIRONMENT is {values.get('_ENVIRONMENT')}, not the stack's {context.environment}"
    return None


def logs_stay_private(resource: Resource, _: Context) -> str | None:
    if resource.inputs.get("includeBuildLogs") == "INCLUDE_BUILD_LOGS_WITH_STATUS":
        return "build logs are published to GitHub with the build status"
    return None


def one_trigger_per_stack(context: Context) -> list[str]:
    count = len(context.of_type(TRIGGER))
    return [] if count == 1 else [f"expected exactly one Cloud Build trigger, found {count}"]


RULES = [
    Rule("DLV-01", "45 CFR 164.312(e)(1)", "builds run in a private pool without public IPs", (POOL,), private_pool),
    Rule(
        "DLV-02",
        "45 CFR 164.308(a)(4)(ii)(B)",
        "the trigger runs as a dedicated build service account",
        (TRIGGER,),
        dedicated_build_identity,
    ),
    Rule("DLV-03", "45 CFR 164.308(a)(4)(ii)(B)", "prod builds need manual approval", (TRIGGER,), prod_approval),
    Rule(
        "DLV-04",
        "45 CFR 164.308(a)(1)(ii)(B)",
        "dev builds main, staging release-candidate tags, prod release tags",
        (TRIGGER,),
        environment_ref,
    ),
    Rule(
        "DLV-05",
        "45 CFR 164.312(c)(1)",
        "the trigger sets all ten substitutions, _ENVIRONMENT equal to the stack",
        (TRIGGER,),
        substitutions_complete,
    ),
    Rule("DLV-06", "45 CFR 164.312(e)(1)", "build logs are not published to GitHub", (TRIGGER,), logs_stay_private),
    Rule("DLV-07", "45 CFR 164.308(a)(1)(ii)(B)", "one trigger per stack", stack_check=one_trigger_per_stack),
]
