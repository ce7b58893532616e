"""Reading BigQuery SQL for the rules, with sqlglot's BigQuery dialect.

The parser is imported when a rule needs it: without it the rule reports that it could not check,
which is a finding, never a pass.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

NO_PARSER = "sqlglot is not installed, so the SQL could not be checked"


def _parse(sql: str) -> tuple[Any, str | None]:
    try:
        import sqlglot
    except ImportError:
        return None, NO_PARSER
    try:
        return sqlglot.parse_one(sql, dialect="bigquery"), None
    except sqlglot.errors.SqlglotError as error:
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        return None, f"not valid BigQuery SQL ({first_line})"


def predicate_problem(predicate: str) -> str | None:
    """Why a row filter is not a real restriction: unparseable, a query, constant, or always true."""
    tree, problem = _parse(predicate)
    if problem:
        return problem
    from sqlglot import exp
    from sqlglot.optimizer.simplify import simplify

    if isinstance(tree, exp.Query):
        return "filter is a query, not a boolean expression"
    reduced = simplify(tree.copy())
    if isinstance(reduced, exp.Boolean):
        return f"filter always evaluates to {reduced.sql(dialect='bigquery')}"
    if not any(True for _ in reduced.find_all(exp.Column)):
        return "filter references no column (a constant)"
    return None


def predicate_parses(predicate: str) -> str | None:
    """Whether the text is a boolean expression BigQuery accepts (a TRUE filter included)."""
    tree, problem = _parse(predicate)
    if problem:
        return problem
    from sqlglot import exp

    return "filter is a query, not a boolean expression" if isinstance(tree, exp.Query) else None


def view_exposures(sql: str, direct: Collection[str], quasi: Collection[str]) -> list[str]:
    """What a de-identified view must not project: `*`, any use of a direct identifier, a bare quasi-identifier."""
    tree, problem = _parse(sql)
    if problem:
        return [problem]
    from sqlglot import exp

    if not isinstance(tree, exp.Query):
        return ["view is not a query"]
    found: list[str] = []
    for select in tree.find_all(exp.Select):
        for projection in select.expressions:
            if isinstance(projection.unalias(), exp.Star) or any(True for _ in projection.find_all(exp.Star)):
                found.append("selects * (every column, identifiers included)")
                continue
            used = sorted({column.name for column in projection.find_all(exp.Column)} & set(direct))
            found.extend(f"projects direct identifier {name}" for name in used)
            bare = projection.unalias()
            if isinstance(bare, exp.Column) and bare.name in quasi:
                found.append(f"projects quasi-identifier {bare.name} without generalizing it")
            if projection.alias_or_name in direct and not used:
                found.append(f"names an output column {projection.alias_or_name}")
    return found
