"""Rules for the VPC Service Controls perimeter: enforced, complete, and open only where the platform must be.

A perimeter's configuration is checked wherever it is: `status` (enforced) and `spec` (dry run).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from infra.rules import Context, Resource, Rule
from infra.rules.baseline import (
    EGRESS_METHODS,
    EGRESS_SERVICES,
    IAM_IDENTITY,
    LOGGING_SERVICE,
    PERIMETER_TYPE,
    PROJECT_RESOURCE,
    REQUIRED_RESTRICTED_SERVICES,
    VPC_ACCESSIBLE_SERVICES,
)

PERIMETER = "gcp:accesscontextmanager/servicePerimeter:ServicePerimeter"
TRANSMISSION = "45 CFR 164.312(e)(1)"
ACCESS = "45 CFR 164.312(a)(1)"
_OPEN_IDENTITY_TYPES = ("ANY_IDENTITY", "ANY_USER_ACCOUNT", "ANY_SERVICE_ACCOUNT")


def config_blocks(resource: Resource) -> list[tuple[str, Mapping[str, Any]]]:
    """The perimeter's configurations by where they are kept: `status` (enforced), `spec` (dry run)."""
    return [(key, resource.inputs[key]) for key in ("status", "spec") if resource.inputs.get(key)]


BlockCheck = Callable[[Mapping[str, Any]], "str | None"]


def _each_block(resource: Resource, check: BlockCheck) -> str | None:
    """Run `check(block)` over status and spec; a perimeter with neither fails."""
    blocks = config_blocks(resource)
    if not blocks:
        return "perimeter has no configuration (neither status nor spec)"
    problems = [f"{key}: {problem}" for key, block in blocks if (problem := check(block))]
    return "; ".join(problems) or None


def as_list(value: object) -> list[Any]:
    return list(value) if isinstance(value, Sequence) and not isinstance(value, str) else []


def enforced_outside_dev(resource: Resource, context: Context) -> str | None:
    if not config_blocks(resource):
        return "perimeter has no configuration (neither status nor spec)"
    if context.environment == "dev":
        return None
    if resource.inputs.get("useExplicitDryRunSpec") is True or not resource.inputs.get("status"):
        return f"{context.environment} perimeter is a dry run: it logs violations but blocks nothing"
    return None


def _missing_services(block: Mapping[str, Any]) -> str | None:
    missing = sorted(set(REQUIRED_RESTRICTED_SERVICES) - set(as_list(block.get("restrictedServices"))))
    return f"baseline services not restricted: {', '.join(missing)}" if missing else None


def required_services(resource: Resource, _: Context) -> str | None:
    return _each_block(resource, _missing_services)


def _vpc_accessible(block: Mapping[str, Any]) -> str | None:
    accessible = block.get("vpcAccessibleServices") or {}
    if accessible.get("enableRestriction") is not True:
        return "VPC accessible services are not restricted"
    allowed = as_list(accessible.get("allowedServices"))
    if allowed != list(VPC_ACCESSIBLE_SERVICES):
        return f"VPC may reach {allowed}, not only {list(VPC_ACCESSIBLE_SERVICES)}"
    return None


def vpc_accessible_restricted(resource: Resource, _: Context) -> str | None:
    return _each_block(resource, _vpc_accessible)


def _named_identities(side: Mapping[str, Any], what: str) -> str | None:
    identities = as_list(side.get("identities"))
    if side.get("identityType") in _OPEN_IDENTITY_TYPES:
        return f"{what} admits {side.get('identityType')}"
    if not identities:
        return f"{what} names no identity"
    bad = [i for i in identities if not IAM_IDENTITY.match(str(i))]
    return f"{what} has identities that are not a user or service account: {bad}" if bad else None


def _egress_policy(policy: Mapping[str, Any], inside: set[str]) -> tuple[list[str], str | None, str | None]:
    """(problems, service, destination) of one egress policy."""
    problems = [p for p in [_named_identities(policy.get("egressFrom") or {}, "egress")] if p]
    target = policy.get("egressTo") or {}
    destinations = as_list(target.get("resources"))
    operations = as_list(target.get("operations"))
    services = {str(o.get("serviceName")) for o in operations}
    if target.get("externalResources"):
        problems.append("egress to external (non-Google Cloud) resources")
    if len(destinations) != 1 or not PROJECT_RESOURCE.match(str(destinations[0])) or destinations[0] in inside:
        problems.append(f"egress must name exactly one project outside the perimeter, not {destinations}")
    if len(services) != 1 or not services <= set(EGRESS_SERVICES):
        problems.append(f"egress for {sorted(services)}; only one of {list(EGRESS_SERVICES)} per policy")
    service = next(iter(services)) if len(services) == 1 else None
    if service in EGRESS_METHODS:
        # Pub/Sub publishes; Pulumi's state and secrets key: named object and encrypt/decrypt calls.
        allowed = set(EGRESS_METHODS[service])
        methods = {str(m.get("method")) for o in operations for m in as_list(o.get("methodSelectors"))}
        if not methods or not methods <= allowed:
            problems.append(f"{service} egress allows {sorted(methods)}, not only methods of {sorted(allowed)}")
    return problems, service, str(destinations[0]) if len(destinations) == 1 else None


def _egress(block: Mapping[str, Any]) -> str | None:
    inside = {str(r) for r in as_list(block.get("resources"))}
    problems: list[str] = []
    destinations: dict[str, set[str]] = {}
    for policy in as_list(block.get("egressPolicies")):
        found, service, destination = _egress_policy(policy, inside)
        problems.extend(found)
        if not found and service and destination:
            destinations.setdefault(service, set()).add(destination)
    for service, projects in sorted(destinations.items()):
        if len(projects) > 1:
            problems.append(f"{service} egress reaches {len(projects)} projects, not one")
    siem = destinations.get(LOGGING_SERVICE, set())
    security = set().union(*(projects for service, projects in destinations.items() if service != LOGGING_SERVICE))
    if siem & security:
        problems.append("log sink egress shares its project with other egress (SIEM and security must differ)")
    if len(security) > 1:
        problems.append(f"notifications and Pulumi state egress reach {len(security)} projects, not one")
    return "; ".join(problems) or None


def egress_siem_and_security_only(resource: Resource, _: Context) -> str | None:
    return _each_block(resource, _egress)


def _ingress(block: Mapping[str, Any]) -> str | None:
    inside = {str(r) for r in as_list(block.get("resources"))}
    restricted = {str(s) for s in as_list(block.get("restrictedServices"))}
    problems: list[str] = []
    for policy in as_list(block.get("ingressPolicies")):
        if problem := _named_identities(policy.get("ingressFrom") or {}, "ingress"):
            problems.append(problem)
        target = policy.get("ingressTo") or {}
        resources = {str(r) for r in as_list(target.get("resources"))}
        if not resources or not resources <= inside:
            problems.append(f"ingress reaches {sorted(resources)}, not only the perimeter's projects")
        services = {str(o.get("serviceName")) for o in as_list(target.get("operations"))}
        if not services or not services <= restricted:
            beyond = sorted(services - restricted) or "no service"
            problems.append(f"ingress to {beyond} beyond the restricted services")
    return "; ".join(problems) or None


def ingress_named_identities_only(resource: Resource, _: Context) -> str | None:
    return _each_block(resource, _ingress)


def _resources_by_number(block: Mapping[str, Any]) -> str | None:
    resources = as_list(block.get("resources"))
    if not resources:
        return "perimeter protects no project"
    bad = [r for r in resources if not PROJECT_RESOURCE.match(str(r))]
    return f"resources must be projects/<number>, not {bad}" if bad else None


def regular_perimeter(resource: Resource, _: Context) -> str | None:
    if resource.inputs.get("perimeterType") != PERIMETER_TYPE:
        return f"perimeter type is {resource.inputs.get('perimeterType') or 'unset'}, not {PERIMETER_TYPE}"
    return _each_block(resource, _resources_by_number)


def protected_in_prod(resource: Resource, context: Context) -> str | None:
    if context.is_prod and not resource.protect:
        return "prod perimeter is not protected against deletion (protect=True)"
    return None


RULES = [
    Rule("VPC-01", ACCESS, "enforced outside dev (dry run in dev only)", (PERIMETER,), enforced_outside_dev),
    Rule(
        "VPC-02",
        TRANSMISSION,
        "the perimeter restricts every service of the HIPAA baseline (storage, warehouse, compute, keys, logs,"
        " notifications, secrets, supply chain)",
        (PERIMETER,),
        required_services,
    ),
    Rule(
        "VPC-03",
        TRANSMISSION,
        "the VPC reaches only the perimeter's restricted services",
        (PERIMETER,),
        vpc_accessible_restricted,
    ),
    Rule(
        "VPC-04",
        TRANSMISSION,
        "egress only for the SIEM log sink, and for notifications and Pulumi state and secrets in the security"
        " project: named identities and methods",
        (PERIMETER,),
        egress_siem_and_security_only,
    ),
    Rule(
        "VPC-05",
        ACCESS,
        "ingress only for named identities, to the perimeter's projects and restricted services",
        (PERIMETER,),
        ingress_named_identities_only,
    ),
    Rule("VPC-06", ACCESS, "regular perimeter around projects named by number", (PERIMETER,), regular_perimeter),
    Rule("VPC-07", ACCESS, "the prod perimeter is protected from deletion", (PERIMETER,), protected_in_prod),
]
