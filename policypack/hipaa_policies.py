"""The rules of `infra/rules` as Pulumi policies, so `pulumi preview --policy-pack` enforces them too.

A resource rule becomes a ResourceValidationPolicy: the engine asks it before it creates or updates
each resource, so a violation stops `pulumi up` before anything is changed. A stack rule needs every
resource at once and becomes a StackValidationPolicy. Every policy is mandatory. The environment a
rule checks against comes from the stack name in the URN; an unknown stack gets prod's rules, the
strictest. During a preview, a rule that reads a value the engine cannot know yet raises the SDK's
UnknownValueError: Pulumi reports that policy as not run (advisory) and runs it again at update time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyComplianceFramework,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from infra.config import ENVIRONMENTS
from infra.rules import Context, Resource, Rule, all_rules

PACK_NAME = "hipaa"
STRICTEST = "prod"


def environment_of(urn: str) -> str:
    """`urn:pulumi:<stack>::...` -> the stack when it names an environment, else prod."""
    stack = urn[len("urn:pulumi:") :].split("::", maxsplit=1)[0] if urn.startswith("urn:pulumi:") else ""
    return stack if stack in ENVIRONMENTS else STRICTEST


def _framework(rule: Rule) -> PolicyComplianceFramework:
    return PolicyComplianceFramework(
        name="HIPAA Security Rule", reference=rule.citation, specification="45 CFR Part 164, Subpart C"
    )


def _resource(planned: ResourceValidationArgs | PolicyResource, dependencies: tuple[str, ...] = ()) -> Resource:
    """A resource as the rules see it, from what the engine hands a resource or stack policy."""
    return Resource(
        type=planned.resource_type,
        name=planned.name,
        urn=planned.urn,
        inputs=planned.props,
        protect=bool(planned.opts.protect),
        dependencies=dependencies,
    )


def resource_validation(rule: Rule) -> Callable[[ResourceValidationArgs, ReportViolation], None]:
    check = rule.check
    if check is None:
        raise ValueError(f"rule {rule.id} is a stack rule")

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type not in rule.types:
            return
        resource = _resource(args)
        # Resource rules see only the environment; a rule that needs other resources is a stack rule.
        problem = check(resource, Context(environment=environment_of(args.urn)))
        if problem:
            report_violation(f"{rule.id} ({rule.citation}): {problem}", None)

    return validate


def stack_validation(rule: Rule) -> Callable[[StackValidationArgs, ReportViolation], None]:
    stack_check = rule.stack_check
    if stack_check is None:
        raise ValueError(f"rule {rule.id} is a resource rule")

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        resources = tuple(_resource(r, tuple(d.urn for d in r.dependencies)) for r in args.resources)
        environment = environment_of(resources[0].urn) if resources else STRICTEST
        for problem in stack_check(Context(environment=environment, resources=resources)):
            report_violation(f"{rule.id} ({rule.citation}): {problem}", None)

    return validate


def policy_for(rule: Rule) -> ResourceValidationPolicy | StackValidationPolicy:
    common: dict[str, Any] = {
        "name": rule.id.lower(),
        "description": rule.reason,
        "enforcement_level": EnforcementLevel.MANDATORY,
        "framework": _framework(rule),
        "tags": ["hipaa"],
    }
    if rule.stack_check is not None:
        return StackValidationPolicy(validate=stack_validation(rule), **common)
    return ResourceValidationPolicy(validate=resource_validation(rule), **common)


def policies() -> list[ResourceValidationPolicy | StackValidationPolicy]:
    return [policy_for(rule) for rule in all_rules()]
