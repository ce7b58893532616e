"""Preflight against Google's org policy constraint catalogue: each constraint exists and is set in its own shape.

A boolean constraint takes `enforce` and nothing else; a list constraint takes values or allow/deny
all, never `enforce`. Google refuses the other mixes when the policy is applied, not when it is planned.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from infra.catalogues import CatalogueError, load
from infra.rules import Context, Resource, Rule, dig

POLICY = "gcp:orgpolicy/policy:Policy"
_LIST_KEYS = ("values", "allowAll", "denyAll")


def constraint_name(resource: Resource) -> str:
    return str(resource.inputs.get("name") or "").rsplit("/policies/", 1)[-1]


def _rules(resource: Resource) -> list[Mapping[str, Any]]:
    return [rule for rule in dig(resource.inputs, "spec.rules") or [] if isinstance(rule, Mapping)]


def shape_problem(kind: str, rule: Mapping[str, Any]) -> str | None:
    """Why one policy rule does not fit a constraint of this type, or None."""
    listed = [key for key in _LIST_KEYS if rule.get(key) not in (None, {}, [])]
    if kind == "boolean":
        if listed:
            return f"is a boolean constraint but the rule sets {', '.join(listed)}"
        if rule.get("enforce") not in ("TRUE", "FALSE", True, False):
            return "is a boolean constraint but the rule does not set enforce"
        return None
    if kind == "list":
        if rule.get("enforce") is not None:
            return "is a list constraint but the rule sets enforce"
        if len(listed) != 1:
            return "is a list constraint: each rule needs exactly one of values, allowAll or denyAll"
        return None
    return f"has a type the checks do not know ({kind})"


def constraint_fits(resource: Resource, _: Context) -> str | None:
    try:
        constraints = load("constraints").data["constraints"]
    except CatalogueError as error:
        return str(error)
    name = constraint_name(resource)
    entry = constraints.get(name)
    if entry is None:
        return f"constraint {name or '(unnamed)'} is not in Google's constraint catalogue"
    rules = _rules(resource)
    if not rules and dig(resource.inputs, "spec.reset") is not True:
        return f"constraint {name} has a policy with no rules"
    problems = [p for rule in rules if (p := shape_problem(str(entry.get("type")), rule))]
    return f"constraint {name} {problems[0]}" if problems else None


RULES = [
    Rule(
        "CAT-04",
        "45 CFR 164.308(a)(1)(ii)(B)",
        "every org policy names a constraint in Google's catalogue and sets it in that constraint's shape",
        (POLICY,),
        constraint_fits,
    ),
]
