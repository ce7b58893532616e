"""Preflight against Google's published API schemas: planned inputs use the API's enums, formats and required fields.

The mock engine accepts any string; Google refuses a wrong enum or a malformed duration twenty minutes
into `pulumi up`. Each planned type is checked through its explicit mapping (infra/catalogues/schema_map*.py)
against the schema catalogue cut from Google's Discovery documents.
"""

from __future__ import annotations

from infra.catalogues import CatalogueError, load
from infra.catalogues.schema_map import MAPPINGS, NOT_COVERED
from infra.catalogues.schemas import check
from infra.rules import Context, Resource, Rule

INTEGRITY = "45 CFR 164.312(c)(1)"


def inputs_conform(resource: Resource, _: Context) -> str | None:
    mapping = MAPPINGS[resource.type]
    try:
        api = load("schemas").data.get(mapping.api)
    except CatalogueError as error:
        return str(error)
    if api is None:
        return f"the schema catalogue has no {mapping.api}: run `python -m infra catalogues refresh --only schemas`"
    problems = check(mapping, resource.inputs, api).problems
    return "; ".join(problems) or None


def types_mapped(context: Context) -> list[str]:
    """A planned Google type without a mapping would pass unchecked: name it instead."""
    planned = {r.type for r in context.resources if r.type.startswith("gcp:")}
    missing = sorted(planned - set(MAPPINGS) - set(NOT_COVERED))
    return [f"{token} has no API schema mapping (infra/catalogues/schema_map*.py)" for token in missing]


RULES = [
    Rule(
        "CAT-07",
        INTEGRITY,
        "every mapped input a planned resource sets fits its Google API field (enum, format, type, required)",
        tuple(sorted(MAPPINGS)),
        inputs_conform,
    ),
    Rule(
        "CAT-08",
        INTEGRITY,
        "every planned Google resource type has an API schema mapping or a stated reason it has none",
        stack_check=types_mapped,
    ),
]
