"""The HIPAA rule set: written once, run by the unit tests, the offline plan and the policy pack.

A rule looks at one planned resource (its type token and its engine-named, camelCase inputs) or
at the whole stack, and returns a problem or None. Each rule carries the HIPAA Security Rule
citation it serves. Rules live in the submodules of this package, one module per area, each
exporting `RULES`; `all_rules()` collects them so adding a module needs no edit here.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Resource:
    """A resource as planned: what the mock engine or `pulumi preview --json` shows of it."""

    type: str
    name: str
    urn: str
    inputs: Mapping[str, Any]
    protect: bool = False
    # URNs of the resources this one waits for (its depends_on and the resources its inputs come
    # from), as the engine records them; `pulumi preview --json` carries them as newState.dependencies.
    dependencies: tuple[str, ...] = ()


@dataclass(frozen=True)
class Context:
    """What a rule may know besides the resource: the environment and everything else planned."""

    environment: str
    resources: Sequence[Resource] = field(default_factory=tuple)
    # Project id -> project number where known (the offline plan); a preview carries none.
    project_numbers: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_prod(self) -> bool:
        return self.environment == "prod"

    def of_type(self, type_token: str) -> list[Resource]:
        return [r for r in self.resources if r.type == type_token]


ResourceCheck = Callable[[Resource, Context], "str | None"]
StackCheck = Callable[[Context], "list[str]"]


@dataclass(frozen=True)
class Rule:
    """One HIPAA property. `types` empty means a stack rule (`stack_check` over all resources).

    A stack rule with a `scope` applies only to stacks that plan one of those types (resource or
    component tokens); with nothing in scope it is reported as not applicable, never as a pass.
    """

    id: str
    citation: str
    reason: str
    types: tuple[str, ...] = ()
    check: ResourceCheck | None = None
    stack_check: StackCheck | None = None
    scope: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if (self.check is None) == (self.stack_check is None):
            raise ValueError(f"rule {self.id} needs exactly one of check or stack_check")
        if self.check is not None and not self.types:
            raise ValueError(f"rule {self.id} checks resources but names no resource type")
        if self.scope and self.stack_check is None:
            raise ValueError(f"rule {self.id} has a scope but is not a stack rule")

    def in_scope(self, resources: Sequence[Resource]) -> int:
        """How many planned resources this rule looks at."""
        watched = set(self.types or self.scope)
        if not watched:
            return len(resources)
        return sum(1 for resource in resources if resource.type in watched)


@dataclass(frozen=True)
class Finding:
    rule_id: str
    citation: str
    urn: str
    message: str


def all_rules() -> list[Rule]:
    """Every rule of every submodule, ordered by id; duplicate ids are a programming error."""
    rules: list[Rule] = []
    for module_info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        rules.extend(getattr(module, "RULES", []))
    ids = [rule.id for rule in rules]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"duplicate rule ids: {', '.join(duplicates)}")
    return sorted(rules, key=lambda rule: rule.id)


def evaluate(
    resources: Sequence[Resource],
    environment: str,
    rules: Iterable[Rule] | None = None,
    project_numbers: Mapping[str, str] | None = None,
) -> list[Finding]:
    """Run the rules over a planned stack; an empty list means no violation."""
    context = Context(environment=environment, resources=tuple(resources), project_numbers=project_numbers or {})
    findings: list[Finding] = []
    for rule in all_rules() if rules is None else rules:
        if rule.stack_check is not None:
            if not rule.scope or rule.in_scope(resources):
                findings.extend(Finding(rule.id, rule.citation, "stack", p) for p in rule.stack_check(context))
            continue
        for resource in resources:
            if rule.check is not None and resource.type in rule.types:
                outcome = rule.check(resource, context)
                if outcome:
                    findings.append(Finding(rule.id, rule.citation, resource.urn, outcome))
    return findings


def _is_list(value: Any) -> bool:
    """Lists, and the read-only sequences the policy SDK wraps lists in; never strings."""
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def dig(inputs: Mapping[str, Any], path: str, default: Any = None) -> Any:
    """Read a dotted path (`encryption.defaultKmsKeyName`, `nodeConfig.0.shieldedInstanceConfig`)."""
    current: Any = inputs
    for part in path.split("."):
        if isinstance(current, Mapping) and part in current:
            current = current[part]
        elif _is_list(current) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return default
    return current
