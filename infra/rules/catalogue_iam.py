"""Preflight against Google's IAM role catalogue: every granted role exists and can act where it is granted."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from infra.catalogues import CatalogueError, load
from infra.catalogues.resource_kinds import DATASET_BASIC_ROLES, RESOURCE_KINDS
from infra.rules import Context, Resource, Rule, dig

ACCESS = "45 CFR 164.308(a)(4)"
GRANTS = tuple(RESOURCE_KINDS)
_DATASET_TYPES = ("gcp:bigquery/datasetAccess:DatasetAccess", "gcp:bigquery/dataset:Dataset")
# A vendored catalogue holds what its sources show; the API refresh holds every predefined role.
ADD_OR_REFRESH = (
    "add it with its source to infra/catalogues/evidence.py or run python -m infra catalogues refresh --only roles"
)


def granted_roles(resource: Resource) -> list[str]:
    """The roles a planned resource grants: `role`, or each dataset access entry's role."""
    if resource.type == "gcp:bigquery/dataset:Dataset":
        return [
            str(a.get("role"))
            for a in dig(resource.inputs, "accesses") or []
            if isinstance(a, Mapping) and a.get("role")
        ]
    role = resource.inputs.get("role")
    return [str(role)] if role else []


def _role_entry(roles: Mapping[str, Any], role: str, resource_type: str) -> tuple[str, Mapping[str, Any] | None]:
    name = DATASET_BASIC_ROLES.get(role, role) if resource_type in _DATASET_TYPES else role
    return name, roles.get(name)


def role_exists(resource: Resource, _: Context) -> str | None:
    try:
        roles = load("roles").data["roles"]
    except CatalogueError as error:
        return str(error)
    problems = []
    for role in granted_roles(resource):
        _name, entry = _role_entry(roles, role, resource.type)
        if entry is None:
            problems.append(f"{role} is not in the role catalogue: {ADD_OR_REFRESH}")
        elif entry.get("stage") == "DEPRECATED":
            problems.append(f"{role} is deprecated")
    return "; ".join(problems) or None


def role_acts_on_resource(resource: Resource, _: Context) -> str | None:
    try:
        catalogue = load("roles").data
    except CatalogueError as error:
        return str(error)
    kinds_on = RESOURCE_KINDS[resource.type]
    problems = []
    for role in granted_roles(resource):
        _name, entry = _role_entry(catalogue["roles"], role, resource.type)
        if entry is None:
            problems.append(f"{role} is not in the role catalogue, so what it can do is unknown: {ADD_OR_REFRESH}")
            continue
        kinds = {catalogue["kinds"][index] for index in entry.get("kinds", [])}
        if not kinds:
            problems.append(f"the role catalogue's sources show no permission of {role}: {ADD_OR_REFRESH}")
        elif kinds_on is not None and not kinds & set(kinds_on):
            problems.append(
                f"the role catalogue's sources show no permission of {role} on {' or '.join(kinds_on)}: "
                "the grant may give nothing here"
            )
    return "; ".join(problems) or None


def grants_are_known(context: Context) -> list[str]:
    """A grant on a kind of resource the checks have no mapping for would pass unseen: name it instead."""
    unknown = sorted(
        {r.type for r in context.resources if r.type.startswith("gcp:") and granted_roles(r)} - set(GRANTS)
    )
    return [
        f"{token} grants roles but has no resource-kind mapping (infra/catalogues/resource_kinds.py)"
        for token in unknown
    ]


RULES = [
    Rule(
        "CAT-01",
        ACCESS,
        "every granted IAM role exists in Google's role catalogue and is not deprecated",
        GRANTS,
        role_exists,
    ),
    Rule(
        "CAT-02",
        ACCESS,
        "every granted role holds a permission on the kind of resource it is granted on",
        GRANTS,
        role_acts_on_resource,
    ),
    Rule(
        "CAT-03",
        ACCESS,
        "every planned role grant is of a type the catalogue checks know",
        stack_check=grants_are_known,
    ),
]
