"""Rules for organization policies: every required constraint present and enforced, none weakened."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from infra.rules import Context, Resource, Rule, dig
from infra.rules.baseline_org import (
    CMEK_REQUIRED_SERVICES,
    REQUIRED_CONSTRAINTS,
    RequiredConstraint,
    required_constraint,
)

POLICY = "gcp:orgpolicy/policy:Policy"
COMPONENT = "hipaa:security:OrgPolicies"
# The stacks the stack rules judge: those planning any of these. Once the component is wired into the
# platform, adding "hipaa:platform:HipaaPlatform" here makes the whole area mandatory for every stack.
# The platform plans every area, so on a platform stack the area is mandatory.
SCOPE = ("hipaa:platform:HipaaPlatform", COMPONENT, POLICY)
RISK = "45 CFR 164.308(a)(1)(ii)(B)"
# Constraints with a rule of their own; looked up so a rename in the list fails at import.
NON_CMEK = required_constraint("gcp.restrictNonCmekServices").name
LOCATIONS = required_constraint("gcp.resourceLocations").name
KEY_PROJECTS = required_constraint("gcp.restrictCmekCryptoKeyProjects").name
WORKER_POOLS = required_constraint("cloudbuild.allowedWorkerPools").name


def _constraint_of(resource: Resource) -> str:
    return str(resource.inputs.get("name") or "").rsplit("/policies/", 1)[-1]


def _rules(resource: Resource) -> list[Mapping[str, Any]]:
    return list(dig(resource.inputs, "spec.rules") or [])


def _values(resource: Resource, key: str) -> set[str]:
    return {str(v) for rule in _rules(resource) for v in (dig(rule, f"values.{key}") or [])}


def enforces(item: RequiredConstraint, resource: Resource) -> str | None:
    """None when the policy enforces the constraint the way the baseline asks."""
    rules = _rules(resource)
    if not rules:
        return "has no rules"
    if item.kind == "enforce" and any(rule.get("enforce") != "TRUE" for rule in rules):
        return "is not enforced"
    if item.kind == "deny_all" and any(rule.get("denyAll") != "TRUE" for rule in rules):
        return "does not deny all values"
    if item.kind == "allow":
        allowed = _values(resource, "allowedValues")
        if not allowed:
            return "allows no explicit values"
        beyond = sorted(allowed - set(item.values)) if item.values else []
        if beyond:
            return f"allows {', '.join(beyond)} beyond {', '.join(item.values)}"
    if item.kind == "deny":
        missing = set(item.values) - _values(resource, "deniedValues")
        if missing:
            return f"does not deny {', '.join(sorted(missing))}"
    return None


def every_constraint_enforced(context: Context) -> list[str]:
    policies = context.of_type(POLICY)
    projects = sorted({str(p.inputs.get("parent")) for p in policies if p.inputs.get("parent")}) or ["(none)"]
    problems = []
    for project in projects:
        planned = {_constraint_of(p): p for p in policies if p.inputs.get("parent") == project}
        for item in REQUIRED_CONSTRAINTS:
            policy = planned.get(item.name)
            outcome = "has no policy" if policy is None else enforces(item, policy)
            if outcome:
                problems.append(f"{project}: constraint {item.name} {outcome}")
    return problems


def not_weakened(resource: Resource, _: Context) -> str | None:
    spec = resource.inputs.get("spec") or {}
    if spec.get("reset") is True:
        return "policy resets the constraint to Google's default"
    loose = [rule for rule in _rules(resource) if rule.get("allowAll") == "TRUE" or rule.get("enforce") == "FALSE"]
    if loose:
        return "policy allows all values or turns the constraint off"
    conditional = [rule for rule in _rules(resource) if rule.get("condition")]
    if conditional and _constraint_of(resource) in {item.name for item in REQUIRED_CONSTRAINTS}:
        return "a required constraint is enforced only under a condition"
    return None


def non_cmek_services_denied(resource: Resource, _: Context) -> str | None:
    if _constraint_of(resource) != NON_CMEK:
        return None
    missing = set(CMEK_REQUIRED_SERVICES) - _values(resource, "deniedValues")
    return f"services may store data without CMEK: {', '.join(sorted(missing))}" if missing else None


def locations_restricted(resource: Resource, _: Context) -> str | None:
    if _constraint_of(resource) != LOCATIONS:
        return None
    allowed = _values(resource, "allowedValues")
    if not allowed:
        return "resource locations are not limited to an allow-list"
    if "global" in allowed or dig(resource.inputs, "spec.inheritFromParent") is not False:
        return "resource locations admit global or the parent's wider list"
    return None


def _own_project_only(resource: Resource, name: str, what: str) -> str | None:
    if _constraint_of(resource) != name:
        return None
    project = str(resource.inputs.get("parent") or "")
    allowed = _values(resource, "allowedValues")
    foreign = sorted(v for v in allowed if v != f"under:{project}" and not v.startswith(f"{project}/"))
    if not allowed or foreign or dig(resource.inputs, "spec.inheritFromParent") is not False:
        return f"{what} outside {project or 'the project'} are allowed: {', '.join(foreign) or 'no allow-list'}"
    return None


def keys_from_own_project(resource: Resource, _: Context) -> str | None:
    return _own_project_only(resource, KEY_PROJECTS, "CMEK keys")


def builds_on_own_pool(resource: Resource, _: Context) -> str | None:
    return _own_project_only(resource, WORKER_POOLS, "build worker pools")


RULES = [
    Rule(
        "ORG-01",
        RISK,
        "every required organization constraint has an enforcing policy on the workload project",
        stack_check=every_constraint_enforced,
        scope=SCOPE,
    ),
    Rule(
        "ORG-02",
        RISK,
        "no organization policy resets, allows all or conditionally weakens a required constraint",
        (POLICY,),
        not_weakened,
    ),
    Rule(
        "ORG-03",
        "45 CFR 164.312(a)(2)(iv)",
        "every data service the platform uses is refused without CMEK",
        (POLICY,),
        non_cmek_services_denied,
    ),
    Rule(
        "ORG-04",
        "45 CFR 164.308(a)(1)(ii)(B)",
        "resources are created only in the configured locations",
        (POLICY,),
        locations_restricted,
    ),
    Rule(
        "ORG-05",
        "45 CFR 164.312(a)(2)(iv)",
        "CMEK keys may come only from the environment's own project",
        (POLICY,),
        keys_from_own_project,
    ),
    Rule(
        "ORG-06",
        "45 CFR 164.312(e)(1)",
        "builds may run only on the environment's private worker pool",
        (POLICY,),
        builds_on_own_pool,
    ),
]
