"""The perimeter against the plan: every Google API a planned resource uses is restricted.

The baseline (VPC-02) is a floor written from the regulation; this rule reads the services in use
from the plan itself (infra/rules/services.py), so a resource of a new kind, or a service dropped
from the perimeter while the platform still uses it, fails the plan.
"""

from __future__ import annotations

from infra.rules import Context, Resource, Rule
from infra.rules.perimeter import PERIMETER, TRANSMISSION, as_list, config_blocks
from infra.rules.services import UNRESTRICTED_SERVICES, services_of

# The stacks this rule judges: those planning the platform, the perimeter component or a perimeter.
SCOPE = ("hipaa:platform:HipaaPlatform", "hipaa:security:Perimeter", PERIMETER)
_SHOWN_TYPES = 2


def _used(resources: tuple[Resource, ...] | list[Resource]) -> tuple[dict[str, set[str]], set[str]]:
    """(service -> the planned types using it, types no service is known for)."""
    used: dict[str, set[str]] = {}
    unclassified: set[str] = set()
    for resource in resources:
        services = services_of(resource.type)
        if services is None:
            unclassified.add(resource.type)
            continue
        for service in services:
            if service not in UNRESTRICTED_SERVICES:
                used.setdefault(service, set()).add(resource.type)
    return used, unclassified


def _named(service: str, types: set[str]) -> str:
    shown = sorted(types)[:_SHOWN_TYPES]
    more = f" and {len(types) - len(shown)} more" if len(types) > len(shown) else ""
    return f"{service} (used by {', '.join(shown)}{more})"


def planned_services_restricted(context: Context) -> list[str]:
    used, unclassified = _used(list(context.resources))
    problems = [
        f"{type_token}: no Google API is known for this type; classify it in infra/rules/services.py"
        for type_token in sorted(unclassified)
    ]
    perimeters = context.of_type(PERIMETER)
    if not perimeters and used:
        return [*problems, f"no perimeter is planned around {len(used)} services the plan uses"]
    for perimeter in perimeters:
        if not config_blocks(perimeter):
            problems.append(f"perimeter {perimeter.name} has no configuration, so it restricts nothing")
        for key, block in config_blocks(perimeter):
            missing = sorted(set(used) - {str(s) for s in as_list(block.get("restrictedServices"))})
            if missing:
                listed = "; ".join(_named(service, used[service]) for service in missing)
                problems.append(f"perimeter {perimeter.name} {key} does not restrict {listed}")
    return problems


RULES = [
    Rule(
        "VPC-08",
        TRANSMISSION,
        "every Google API a planned resource uses is restricted by the perimeter (control-plane APIs excepted by name)",
        stack_check=planned_services_restricted,
        scope=SCOPE,
    ),
]
