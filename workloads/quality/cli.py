"""Command line: run every suite against BigQuery, print a summary, write JSON, exit 0, 1 or 2."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workloads.quality.runner import BigQuerySource, QualityError, Report, TableSource, validate
from workloads.quality.tables import TABLES, deidentified_dataset_for

PASS, FAIL, ERROR = 0, 1, 2
_PROJECT = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")
_DATASET = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,1023}$")


class UsageError(Exception):
    pass


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m workloads.quality", description=__doc__)
    parser.add_argument("--project", required=True)
    parser.add_argument("--dataset", required=True, help="the curated dataset, e.g. hipaa_prod_curated")
    parser.add_argument(
        "--deidentified-dataset", help="defaults to the curated dataset's counterpart, hipaa_<env>_deidentified"
    )
    parser.add_argument("--json", type=Path, help="write the report here as JSON")
    args = parser.parse_args(list(argv))
    if not _PROJECT.match(args.project):
        raise UsageError(f"--project={args.project!r} is malformed")
    if not _DATASET.match(args.dataset):
        raise UsageError(f"--dataset={args.dataset!r} is malformed")
    args.deidentified_dataset = args.deidentified_dataset or deidentified_dataset_for(args.dataset)
    if args.deidentified_dataset is None:
        raise UsageError("--deidentified-dataset is required when --dataset is not hipaa_<env>_curated")
    if not _DATASET.match(args.deidentified_dataset):
        raise UsageError(f"--deidentified-dataset={args.deidentified_dataset!r} is malformed")
    return args


def document(status: str, args: argparse.Namespace | None, report: Report | None, error: str | None) -> dict[str, Any]:
    return {
        "status": status,
        "project": getattr(args, "project", None),
        "datasets": {
            "curated": getattr(args, "dataset", None),
            "deidentified": getattr(args, "deidentified_dataset", None),
        },
        "tables": [asdict(t) for t in report.tables] if report else [],
        "error": error,
        "finished_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
    }


def write(path: Path | None, content: dict[str, Any]) -> bool:
    """Whether the report was written (or none was asked for); a report that cannot be written is an error."""
    if path is None:
        return True
    try:
        path.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")
    except OSError as error:
        print(f"data-quality: ERROR: cannot write {path}: {error.strerror}", file=sys.stderr)
        return False
    return True


def main(argv: Sequence[str], source_factory: Callable[[argparse.Namespace], TableSource] | None = None) -> int:
    try:
        args = parse_args(argv)
    except UsageError as error:
        print(f"data-quality: {error}", file=sys.stderr)
        return ERROR
    make_source = source_factory or (
        lambda a: BigQuerySource(a.project, {"curated": a.dataset, "deidentified": a.deidentified_dataset})
    )
    try:
        report = validate(make_source(args), TABLES, datetime.now(tz=UTC).date())
    except QualityError as error:
        return finish(args, None, str(error))
    except Exception as error:  # connection, permission, driver: an error, never a pass
        return finish(args, None, f"{type(error).__name__}: {str(error).splitlines()[0][:200] if str(error) else ''}")
    for table in report.tables:
        state = "PASS" if not table.failed else "FAIL"
        print(f"{state} {table.table}: {table.evaluated} expectations, {len(table.failed)} failed", file=sys.stderr)
        for failure in table.failed:
            print(f"  failed: {failure.expectation} column={failure.column}", file=sys.stderr)
    if not write(args.json, document("pass" if report.success else "fail", args, report, None)):
        return ERROR
    return PASS if report.success else FAIL


def finish(args: argparse.Namespace, report: Report | None, error: str) -> int:
    print(f"data-quality: ERROR: {error}", file=sys.stderr)
    write(args.json, document("error", args, report, error))
    return ERROR
