"""Rules for BigQuery column and row security: policy tags, masking, row access policies, de-identified views.

Which columns are PHI is decided by name (HIPAA Safe Harbor identifiers, infra/rules/baseline_phi.py,
the list the live gate shares), independently of the warehouse's own schema module, so a column
that loses its tag there is still caught.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from infra.config import ANALYST_ROW_POLICY_PREFIX
from infra.rules import Context, Resource, Rule, dig
from infra.rules.baseline_phi import DIRECT_IDENTIFIERS, QUASI_IDENTIFIERS, is_identifier_column
from infra.rules.bigquery import DEIDENTIFIED_SUFFIX, PUBLIC_MEMBERS, TABLE, is_view
from infra.rules.sql import predicate_parses, predicate_problem, view_exposures

TAXONOMY = "gcp:datacatalog/taxonomy:Taxonomy"
DATA_POLICY = "gcp:bigquerydatapolicy/dataPolicy:DataPolicy"
ROW_POLICY = "gcp:bigquery/rowAccessPolicy:RowAccessPolicy"
COLUMN_GRANTS = (
    "gcp:datacatalog/policyTagIamMember:PolicyTagIamMember",
    "gcp:datacatalog/policyTagIamBinding:PolicyTagIamBinding",
    "gcp:bigquerydatapolicy/dataPolicyIamMember:DataPolicyIamMember",
    "gcp:bigquerydatapolicy/dataPolicyIamBinding:DataPolicyIamBinding",
)
ACCESS = "45 CFR 164.312(a)(1)"


def _fields(resource: Resource) -> list[Mapping[str, Any]] | None:
    """The table's leaf fields (a record is judged by its leaves: a policy tag goes on a leaf); None
    when the schema is not readable JSON."""
    raw = resource.inputs.get("schema")
    try:
        fields = json.loads(raw) if isinstance(raw, str) else None
    except json.JSONDecodeError:
        return None
    if not isinstance(fields, list):
        return None
    flat: list[Mapping[str, Any]] = []
    while fields:
        field = fields.pop()
        if isinstance(field, Mapping):
            children = field.get("fields") or []
            fields.extend(children)
            if not children:
                flat.append(field)
    return flat


def _table_key(inputs: Mapping[str, Any]) -> tuple[str, str]:
    return str(inputs.get("datasetId")), str(inputs.get("tableId"))


def _phi_tables(context: Context) -> list[tuple[Resource, list[Mapping[str, Any]] | None]]:
    """Tables (not views) holding PHI columns by name, or whose schema cannot be read (unknown counts)."""
    found = []
    for table in context.of_type(TABLE):
        if is_view(table):
            continue
        fields = _fields(table)
        if fields is None or any(is_identifier_column(str(f.get("name", ""))) for f in fields):
            found.append((table, fields))
    return found


def phi_columns_tagged(context: Context) -> list[str]:
    problems = []
    phi_tables = _phi_tables(context)
    for table, fields in phi_tables:
        if fields is None:
            problems.append(f"{table.urn}: schema is not readable JSON, so its PHI columns cannot be checked")
            continue
        untagged = sorted(
            str(f["name"])
            for f in fields
            if is_identifier_column(str(f.get("name", ""))) and not dig(f, "policyTags.names")
        )
        if untagged:
            problems.append(f"{table.urn}: PHI columns without a policy tag: {', '.join(untagged)}")
    enforcing = [t for t in context.of_type(TAXONOMY) if "FINE_GRAINED_ACCESS_CONTROL" in _policy_types(t)]
    if phi_tables and not enforcing:
        problems.append("PHI tables exist but no taxonomy enforces fine-grained access control on policy tags")
    return problems


def _policy_types(resource: Resource) -> list[str]:
    return [str(t) for t in resource.inputs.get("activatedPolicyTypes") or []]


def taxonomy_enforced(resource: Resource, _: Context) -> str | None:
    if "FINE_GRAINED_ACCESS_CONTROL" not in _policy_types(resource):
        return "taxonomy does not enforce fine-grained access control; its policy tags protect nothing"
    return None


def data_policy_bound(resource: Resource, _: Context) -> str | None:
    if not resource.inputs.get("policyTag"):
        return "data policy is bound to no policy tag"
    if resource.inputs.get("dataPolicyType") == "DATA_MASKING_POLICY" and not (
        dig(resource.inputs, "dataMaskingPolicy.predefinedExpression")
        or dig(resource.inputs, "dataMaskingPolicy.routine")
    ):
        return "masking data policy has no masking rule"
    return None


def phi_rows_restricted(context: Context) -> list[str]:
    restricting: set[tuple[str, str]] = set()
    for policy in context.of_type(ROW_POLICY):
        if predicate_problem(str(policy.inputs.get("filterPredicate") or "")) is None:
            restricting.add(_table_key(policy.inputs))
    return [
        f"{table.urn}: PHI table has no row access policy with a restricting filter"
        for table, _ in _phi_tables(context)
        if _table_key(table.inputs) not in restricting
    ]


def row_policy_sound(resource: Resource, _: Context) -> str | None:
    problem = predicate_parses(str(resource.inputs.get("filterPredicate") or ""))
    if problem:
        return f"filter predicate: {problem}"
    grantees = [str(g) for g in resource.inputs.get("grantees") or []]
    if not grantees:
        return "row access policy grants no one"
    broad = [g for g in grantees if g in PUBLIC_MEMBERS or g.startswith("domain:")]
    if broad:
        return f"row access granted to {', '.join(broad)}"
    # An analyst group's policy must restrict even when another group's does: grants add up.
    if str(resource.inputs.get("policyId", "")).startswith(ANALYST_ROW_POLICY_PREFIX):
        trivial = predicate_problem(str(resource.inputs.get("filterPredicate") or ""))
        if trivial:
            return f"analyst group policy does not restrict rows: {trivial}"
    return None


def deidentified_views_clean(resource: Resource, _: Context) -> str | None:
    if not is_view(resource) or not str(resource.inputs.get("datasetId", "")).endswith(DEIDENTIFIED_SUFFIX):
        return None
    found = view_exposures(str(dig(resource.inputs, "view.query")), DIRECT_IDENTIFIERS, QUASI_IDENTIFIERS)
    return "; ".join(found) or None


def no_public_column_grants(resource: Resource, _: Context) -> str | None:
    members = [str(m) for m in resource.inputs.get("members") or [resource.inputs.get("member")]]
    broad = [m for m in members if m in PUBLIC_MEMBERS or m.startswith("domain:")]
    return f"column access granted to {', '.join(broad)}" if broad else None


RULES = [
    Rule("BQ-09", ACCESS, "PHI columns carry policy tags of an enforced taxonomy", stack_check=phi_columns_tagged),
    Rule("BQ-10", ACCESS, "policy tag taxonomies enforce fine-grained access control", (TAXONOMY,), taxonomy_enforced),
    Rule(
        "BQ-11",
        ACCESS,
        "every data policy is bound to a policy tag with a masking rule",
        (DATA_POLICY,),
        data_policy_bound,
    ),
    Rule(
        "BQ-12",
        ACCESS,
        "PHI tables have a row access policy whose filter restricts rows",
        stack_check=phi_rows_restricted,
    ),
    Rule(
        "BQ-13",
        ACCESS,
        "row access filters are valid BigQuery SQL, granted to named principals; analyst groups' filters restrict",
        (ROW_POLICY,),
        row_policy_sound,
    ),
    Rule(
        "BQ-14",
        ACCESS,
        "de-identified views project no direct identifiers and no raw quasi-identifiers",
        (TABLE,),
        deidentified_views_clean,
    ),
    Rule(
        "BQ-15",
        ACCESS,
        "fine-grained and masked reader grants go to named principals only",
        COLUMN_GRANTS,
        no_public_column_grants,
    ),
]
