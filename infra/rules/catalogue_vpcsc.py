"""Preflight against Google's VPC Service Controls catalogue: services supported, method selectors real.

A method or permission selector other than `*` on a service whose methods or permissions the catalogue
does not record fails: there is nothing to check it against, and a typo would otherwise reach Google.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from infra.catalogues import CatalogueError, load
from infra.rules import Context, Resource, Rule

PERIMETER = "gcp:accesscontextmanager/servicePerimeter:ServicePerimeter"
TRANSMISSION = "45 CFR 164.312(e)(1)"
# Keywords the API accepts in place of a service name.
_KEYWORDS = {"RESTRICTED-SERVICES", "*"}


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, Sequence) and not isinstance(value, str) else []


def _blocks(resource: Resource) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for key in ("status", "spec"):
        block = resource.inputs.get(key)
        if isinstance(block, Mapping):
            yield key, block


def operations(block: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Every ingress and egress operation of a perimeter configuration."""
    for policy in _list(block.get("ingressPolicies")):
        yield from _list((policy.get("ingressTo") or {}).get("operations"))
    for policy in _list(block.get("egressPolicies")):
        yield from _list((policy.get("egressTo") or {}).get("operations"))


def named_services(block: Mapping[str, Any]) -> list[str]:
    """Services the configuration names: restricted, VPC-accessible, and those of its rules."""
    restricted = [str(s) for s in _list(block.get("restrictedServices"))]
    accessible = [str(s) for s in _list((block.get("vpcAccessibleServices") or {}).get("allowedServices"))]
    ruled = [str(op.get("serviceName")) for op in operations(block) if op.get("serviceName")]
    return restricted + [s for s in accessible + ruled if s not in _KEYWORDS]


def services_supported(resource: Resource, _: Context) -> str | None:
    try:
        services = load("vpcsc").data["services"]
    except CatalogueError as error:
        return str(error)
    unknown = sorted({s for _, block in _blocks(resource) for s in named_services(block) if s not in services})
    if not unknown:
        return None
    return (
        f"not in the VPC-SC catalogue of supported services: {', '.join(unknown)} "
        "(add each with its source to infra/catalogues/evidence.py or run python -m infra catalogues refresh)"
    )


def _selector_problem(service: str, entry: Mapping[str, Any], selector: Mapping[str, Any]) -> str | None:
    for field, plural in (("method", "methods"), ("permission", "permissions")):
        value = selector.get(field)
        if value is None or value == "*":
            continue
        known = entry.get(plural)
        if known is None:
            return f"{service} {value}: the catalogue records no {plural} for {service}"
        if value not in known:
            return f"{value} is not a {field} of {service}"
    return None


def selectors_exist(resource: Resource, _: Context) -> str | None:
    try:
        services = load("vpcsc").data["services"]
    except CatalogueError as error:
        return str(error)
    problems = []
    for key, block in _blocks(resource):
        for op in operations(block):
            service = str(op.get("serviceName") or "")
            for selector in _list(op.get("methodSelectors")):
                problem = _selector_problem(service, services.get(service) or {}, selector)
                if problem:
                    problems.append(f"{key}: {problem}")
    return "; ".join(sorted(set(problems))) or None


RULES = [
    Rule(
        "CAT-05",
        TRANSMISSION,
        "every service a perimeter restricts, lets the VPC reach or names in a rule is supported by VPC-SC",
        (PERIMETER,),
        services_supported,
    ),
    Rule(
        "CAT-06",
        TRANSMISSION,
        "every ingress and egress method selector is a method of its service",
        (PERIMETER,),
        selectors_exist,
    ),
]
