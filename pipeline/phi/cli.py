"""`python -m pipeline.phi scan PATH... [--json PATH]`: exit 0 clean, 1 PHI found, 2 error.

What it prints and writes names files, lines, entity types and scores; never the matched text.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from pipeline.phi.engine import detector
from pipeline.phi.lexicon import LexiconError
from pipeline.phi.nlp import NlpSetupError, installed_model
from pipeline.phi.scanner import ScanError, ScanResult, scan

CLEAN, FOUND, ERROR = 0, 1, 2
PROG = "python -m pipeline.phi"


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=PROG, description="Scan text files for PHI (Presidio).")
    commands = parser.add_subparsers(dest="command", required=True)
    scan_command = commands.add_parser("scan", help="scan files and directories (recursively)")
    scan_command.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    scan_command.add_argument("--json", type=Path, metavar="PATH", help="also write the result as JSON here")
    return parser.parse_args(argv)


def report_document(result: ScanResult) -> dict[str, object]:
    return {
        "mode": result.mode,
        "files_scanned": result.files_scanned,
        "files_skipped": result.files_skipped,
        "findings": [
            {"path": f.path, "line": f.line, "column": f.column, "entity_type": f.entity_type, "score": f.score}
            for f in result.findings
        ],
    }


def summary(result: ScanResult) -> str:
    counts = f"{result.files_scanned} file(s) scanned, {result.files_skipped} binary skipped, mode {result.mode}"
    if result.findings:
        return f"phi: FAIL: {len(result.findings)} finding(s) in {counts}"
    return f"phi: PASS: no PHI found in {counts}"


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        result = scan(arguments.paths, detector(installed_model()))
    except (ScanError, NlpSetupError, LexiconError) as error:
        print(f"phi: ERROR: {error}", file=sys.stderr)
        return ERROR
    for finding in result.findings:
        print(f"{finding.path}:{finding.line}:{finding.column}: {finding.entity_type} (score {finding.score:.2f})")
    print(summary(result))
    if arguments.json is not None:
        try:
            arguments.json.write_text(json.dumps(report_document(result), indent=2) + "\n", encoding="utf-8")
        except OSError as error:
            print(f"phi: ERROR: cannot write {arguments.json} ({error.strerror})", file=sys.stderr)
            return ERROR
    return FOUND if result.findings else CLEAN
