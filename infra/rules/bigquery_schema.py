"""Preflight of BigQuery table schemas: columns, partitioning and clustering as BigQuery accepts them.

pulumi-gcp takes a table's schema as one JSON string, so the catalogue check (CAT-07) sees a string
and the mock engine accepts any column type. BigQuery refuses the table at `pulumi up` for a type or
mode it does not know, a malformed or repeated column name, more than one policy tag on a column, a
partitioning column that is not a date or time, or a clustering column that does not exist. The
values below are Google's, written from the bigquery.v2 Discovery document (TableFieldSchema.type,
.mode, .name and .policyTags.names descriptions, google-api-python-client 2.202.0) and the
"Introduction to clustered tables" and "partitioned tables" pages; they belong to this rule.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from infra.rules import Context, Resource, Rule

TABLE = "gcp:bigquery/table:Table"
INTEGRITY = "45 CFR 164.312(c)(1)"
# TableFieldSchema.type: "Possible values include: STRING, BYTES, INTEGER (or INT64), FLOAT (or
# FLOAT64), BOOLEAN (or BOOL), TIMESTAMP, DATE, TIME, DATETIME, GEOGRAPHY, NUMERIC, BIGNUMERIC, JSON,
# RECORD (or STRUCT), RANGE".
COLUMN_TYPES = frozenset(
    {
        *("STRING", "BYTES", "INTEGER", "INT64", "FLOAT", "FLOAT64", "BOOLEAN", "BOOL", "TIMESTAMP", "DATE"),
        *("TIME", "DATETIME", "GEOGRAPHY", "NUMERIC", "BIGNUMERIC", "JSON", "RECORD", "STRUCT", "RANGE"),
    }
)
NESTED_TYPES = frozenset({"RECORD", "STRUCT"})
# TableFieldSchema.mode: "Possible values include NULLABLE, REQUIRED and REPEATED".
MODES = frozenset({"NULLABLE", "REQUIRED", "REPEATED"})
# TableFieldSchema.name: letters, numbers or underscores, starting with a letter or underscore, at most 300.
COLUMN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,299}$")
# policyTags.names: "At most 1 policy tag is currently allowed."
MAX_POLICY_TAGS = 1
# Time-unit column partitioning takes a DATE, TIMESTAMP or DATETIME top-level column.
PARTITION_TYPES = frozenset({"DATE", "TIMESTAMP", "DATETIME"})
# Clustering: up to four top-level columns.
MAX_CLUSTERING_COLUMNS = 4


def _columns(fields: Any, where: str) -> Iterator[tuple[str, Mapping[str, Any] | None, str | None]]:
    """(path, field, problem) for each column, nested records included; a malformed entry is a problem."""
    if not isinstance(fields, list) or not fields:
        yield where, None, f"{where or 'schema'}: no columns"
        return
    seen: set[str] = set()
    for index, field in enumerate(fields):
        if not isinstance(field, Mapping):
            yield f"{where}[{index}]", None, f"{where}[{index}]: not a column object"
            continue
        name = str(field.get("name", ""))
        path = f"{where}.{name}" if where else name
        if name.lower() in seen:
            yield path, field, f"{path}: a second column of that name (names are case-insensitive)"
        seen.add(name.lower())
        yield path, field, None
        if str(field.get("type", "")).upper() in NESTED_TYPES:
            yield from _columns(field.get("fields"), path)


def _column_problems(path: str, field: Mapping[str, Any]) -> list[str]:
    problems = []
    if not COLUMN_NAME.match(str(field.get("name", ""))):
        problems.append(f"{path}: {field.get('name')!r} is not a column name BigQuery accepts")
    column_type = str(field.get("type", "")).upper()
    if column_type not in COLUMN_TYPES:
        problems.append(f"{path}: type {field.get('type')!r} is not a BigQuery column type")
    if "mode" in field and str(field["mode"]).upper() not in MODES:
        problems.append(f"{path}: mode {field['mode']!r} is not NULLABLE, REQUIRED or REPEATED")
    tags = (field.get("policyTags") or {}).get("names") or []
    if len(tags) > MAX_POLICY_TAGS:
        problems.append(f"{path}: {len(tags)} policy tags (BigQuery allows at most {MAX_POLICY_TAGS})")
    if field.get("fields") and column_type not in NESTED_TYPES:
        problems.append(f"{path}: has nested fields but is a {column_type}, not a RECORD")
    return problems


def _layout_problems(resource: Resource, top: Mapping[str, str]) -> list[str]:
    """Partitioning and clustering name top-level columns of the right kind."""
    problems = []
    partition = (resource.inputs.get("timePartitioning") or {}).get("field")
    if partition is not None and top.get(str(partition).lower()) not in PARTITION_TYPES:
        problems.append(f"partitioned on {partition!r}, which is not a DATE, TIMESTAMP or DATETIME column")
    clustering = list(resource.inputs.get("clusterings") or [])
    if len(clustering) > MAX_CLUSTERING_COLUMNS:
        problems.append(f"clustered on {len(clustering)} columns (at most {MAX_CLUSTERING_COLUMNS})")
    problems.extend(f"clustered on {c!r}, which is not a top-level column" for c in clustering if c.lower() not in top)
    return problems


def schema_is_accepted(resource: Resource, _: Context) -> str | None:
    raw = resource.inputs.get("schema")
    if raw is None:
        # A view or a table whose schema the load defines: BigQuery derives it; nothing to check.
        return None
    try:
        fields = json.loads(raw) if isinstance(raw, str) else None
    except json.JSONDecodeError as error:
        return f"schema is not readable JSON ({error.msg})"
    problems: list[str] = []
    for path, field, problem in _columns(fields, ""):
        if problem:
            problems.append(problem)
        if field is not None:
            problems.extend(_column_problems(path, field))
    top = {
        str(f.get("name", "")).lower(): str(f.get("type", "")).upper() for f in fields or [] if isinstance(f, Mapping)
    }
    problems.extend(_layout_problems(resource, top))
    return "; ".join(problems) or None


RULES = [
    Rule(
        "CAT-10",
        INTEGRITY,
        "every planned table's schema, partitioning and clustering are ones BigQuery accepts "
        "(column types, modes, names, one policy tag per column)",
        (TABLE,),
        schema_is_accepted,
    ),
]
