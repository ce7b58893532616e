"""The few query shapes the scripts send to BigQuery, answered over the world's rows.

Anything else is not evaluated (the fake world has no SQL engine): the caller gets `None` and
reports the query as unmodelled. Numbers come back as strings, as `bq --format=json` prints them.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from typing import Any

_TABLE = r"`(?P<project>[a-z0-9-]+)\.(?P<dataset>\w+)\.(?P<table>\w+)`"  # a pattern, not a query
COUNT_ROWS = re.compile(
    r"^\s*SELECT COUNT\(\*\) AS row_count\s+FROM " + _TABLE + r"\s+WHERE (?P<column>\w+) IS NOT NULL\s*$", re.S
)
FINGERPRINT = re.compile(
    "".join(
        (
            r"^\s*SELECT COUNT\(\*\) AS row_count, BIT_XOR\(FARM_FINGERPRINT\(TO_JSON_STRING\(t\)\)\) AS checksum ",
            r"FROM \(SELECT \* FROM ",
            _TABLE,
            r"(?: FOR SYSTEM_TIME AS OF TIMESTAMP\('[^']+'\))?\) AS t\s*$",
        )
    ),
    re.S,
)
CREATE_MODEL = re.compile(
    r"^\s*CREATE OR REPLACE MODEL `(?P<model>[a-z0-9-]+\.\w+\.\w+)`\s+OPTIONS\s*\((?P<options>.*?)\)"
    r"\s+AS\s+SELECT\s+(?P<select>.*?)\s+FROM " + _TABLE + r"\s+WHERE (?P<column>\w+) IS NOT NULL\s*$",
    re.S,
)
EVALUATE = re.compile(
    r"^\s*SELECT r2_score, mean_absolute_error, mean_squared_error\s+"
    r"FROM ML\.EVALUATE\(MODEL `(?P<model>[a-z0-9-]+\.\w+\.\w+)`\)\s*$",
    re.S,
)
OPTION = re.compile(r"(\w+)\s*=\s*(?:'([^']*)'|\[([^\]]*)\]|(\w+))")

Rows = Callable[[str], "list[dict[str, Any]] | None"]  # "project:dataset.table" -> rows


def fingerprint(rows: Sequence[dict[str, Any]]) -> int:
    """An order-independent 64-bit checksum of the rows (BigQuery's BIT_XOR of FARM_FINGERPRINT)."""
    value = 0
    for row in rows:
        value ^= int.from_bytes(
            hashlib.sha256(json.dumps(row, sort_keys=True).encode()).digest()[:8], "big", signed=True
        )
    return value


def options(text: str) -> dict[str, str]:
    found = {}
    for match in OPTION.finditer(text):
        found[match.group(1).lower()] = (
            match.group(2) if match.group(2) is not None else (match.group(3) or match.group(4) or "")
        )
    return found


def solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (least squares normal equations are tiny here)."""
    size = len(vector)
    rows = [[*row, vector[i]] for i, row in enumerate(matrix)]
    for column in range(size):
        magnitudes = {r: abs(rows[r][column]) for r in range(column, size)}
        pivot = max(magnitudes, key=magnitudes.__getitem__)
        rows[column], rows[pivot] = rows[pivot], rows[column]
        if abs(rows[column][column]) < 1e-12:
            continue
        for other in range(size):
            if other != column:
                factor = rows[other][column] / rows[column][column]
                rows[other] = [a - factor * b for a, b in zip(rows[other], rows[column], strict=True)]
    return [rows[i][size] / rows[i][i] if abs(rows[i][i]) > 1e-12 else 0.0 for i in range(size)]


def linear_regression(features: list[list[float]], labels: list[float]) -> dict[str, float]:
    """Ordinary least squares with an intercept; BigQuery ML's LINEAR_REG metrics over the rows."""
    design = [[1.0, *row] for row in features]
    width = len(design[0])
    gram = [[sum(r[i] * r[j] for r in design) for j in range(width)] for i in range(width)]
    moment = [sum(r[i] * y for r, y in zip(design, labels, strict=True)) for i in range(width)]
    weights = solve(gram, moment)
    predicted = [sum(w * x for w, x in zip(weights, r, strict=True)) for r in design]
    mean = sum(labels) / len(labels)
    residual = sum((y - p) ** 2 for y, p in zip(labels, predicted, strict=True))
    total = sum((y - mean) ** 2 for y in labels) or 1.0
    return {
        "r2_score": 1 - residual / total,
        "mean_absolute_error": sum(abs(y - p) for y, p in zip(labels, predicted, strict=True)) / len(labels),
        "mean_squared_error": residual / len(labels),
    }


def numeric_features(row: dict[str, Any]) -> list[float]:
    """The training query's numeric inputs (patient count, mean stay, month of service)."""
    month = int(str(row.get("service_month", "2000-01-01"))[5:7])
    return [float(row.get("patient_count") or 0), float(row.get("mean_length_of_stay_days") or 0), float(month)]
