"""The security team's deployment notification: the Pub/Sub message body, built from checked values only.

`python -m pipeline.notify --environment ENV --build-id ID --commit SHA --verdict pass|fail
--report-uri URI --out FILE` writes `{build_id, environment, commit, verdict, report_uri, sent_at}`.
Every value has a strict format, so nothing free-form (let alone a data value) can ride along in
the message; a bad argument exits 2 naming it.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from infra.config import ENVIRONMENTS
from pipeline.report import BUILD_ID

VERDICTS = ("pass", "fail")
COMMIT = re.compile(r"^[0-9a-f]{40}$")
# Where generate-compliance-report.sh puts the report: gs://BUCKET/reports/BUILD_ID (docs/contracts.md).
REPORT_URI = re.compile(r"^gs://[a-z0-9][-a-z0-9_.]{1,220}[a-z0-9]/reports/(?P<build_id>[A-Za-z0-9][A-Za-z0-9._-]*)/?$")


def _matching(pattern: re.Pattern[str], description: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not pattern.match(value):
            raise argparse.ArgumentTypeError(f"must be {description}")
        return value

    return check


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m pipeline.notify", description="Write the Pub/Sub message body.")
    parser.add_argument("--environment", required=True, choices=ENVIRONMENTS)
    parser.add_argument("--build-id", required=True, metavar="ID", type=_matching(BUILD_ID, "a Cloud Build id"))
    parser.add_argument("--commit", required=True, metavar="SHA", type=_matching(COMMIT, "a full 40-character git SHA"))
    parser.add_argument("--verdict", required=True, choices=VERDICTS)
    parser.add_argument(
        "--report-uri", required=True, metavar="URI", type=_matching(REPORT_URI, "gs://BUCKET/reports/BUILD_ID")
    )
    parser.add_argument("--out", required=True, type=Path, metavar="FILE")
    arguments = parser.parse_args(argv)
    match = REPORT_URI.match(arguments.report_uri)
    if match is None or match["build_id"] != arguments.build_id:
        parser.error("argument --report-uri: must name the report of --build-id (gs://BUCKET/reports/BUILD_ID)")
    return arguments


def message(arguments: argparse.Namespace, now: datetime.datetime) -> dict[str, str]:
    return {
        "build_id": arguments.build_id,
        "environment": arguments.environment,
        "commit": arguments.commit,
        "verdict": arguments.verdict,
        "report_uri": arguments.report_uri.rstrip("/"),
        "sent_at": now.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def main(argv: Sequence[str] | None = None, now: datetime.datetime | None = None) -> int:
    arguments = parse_args(sys.argv[1:] if argv is None else argv)
    body = message(arguments, now or datetime.datetime.now(datetime.UTC))
    try:
        arguments.out.write_text(json.dumps(body, sort_keys=True) + "\n", encoding="utf-8")
    except OSError as error:
        print(f"notify: ERROR: cannot write --out {arguments.out} ({error.strerror})", file=sys.stderr)
        return 2
    print(f"notify: message for build {body['build_id']} ({body['environment']}, {body['verdict']}) written")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
