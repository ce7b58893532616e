"""`python -m pipeline.phi scan [--json PATH] [--exemptions FILE --root DIR] [--pattern-only] PATH...`: exit 0 clean,
1 PHI found, 2 error. `python -m pipeline.phi digest < value`: the SHA-256 a reviewed exemption names.

What it prints and writes names files, lines, entity types and scores; never the matched text, nor a
digest of it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from pipeline.phi.engine import detector
from pipeline.phi.exemptions import ExemptionError, Exemptions, digest, load
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
    scan_command.add_argument(
        "--exemptions", type=Path, metavar="FILE", help="reviewed exact synthetic values (pipeline/phi/exemptions.py)"
    )
    scan_command.add_argument("--root", type=Path, metavar="DIR", help="the directory the exemptions' paths are under")
    scan_command.add_argument(
        "--pattern-only",
        action="store_true",
        help="the model-free recognizers only, whatever model is installed (code: a model reads identifiers as names)",
    )
    commands.add_parser("digest", help="print the SHA-256 of the value on stdin, for an exemption")
    arguments = parser.parse_args(argv)
    if arguments.command == "scan" and (arguments.exemptions is None) != (arguments.root is None):
        parser.error("--exemptions and --root go together")
    return arguments


def report_document(result: ScanResult) -> dict[str, object]:
    return {
        "mode": result.mode,
        "files_scanned": result.files_scanned,
        "files_skipped": result.files_skipped,
        "exempted": result.exempted,
        "findings": [
            {"path": f.path, "line": f.line, "column": f.column, "entity_type": f.entity_type, "score": f.score}
            for f in result.findings
        ],
    }


def summary(result: ScanResult) -> str:
    counts = f"{result.files_scanned} file(s) scanned, {result.files_skipped} binary skipped, mode {result.mode}"
    if result.exempted:
        counts += f", {result.exempted} reviewed synthetic value(s) exempted"
    if result.findings:
        return f"phi: FAIL: {len(result.findings)} finding(s) in {counts}"
    return f"phi: PASS: no PHI found in {counts}"


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_args(sys.argv[1:] if argv is None else argv)
    if arguments.command == "digest":
        return _print_digest()
    try:
        exemptions = None if arguments.exemptions is None else load(arguments.exemptions, arguments.root)
        model = None if arguments.pattern_only else installed_model()
        result = scan(arguments.paths, detector(model), exemptions)
    except (ScanError, NlpSetupError, LexiconError, ExemptionError) as error:
        print(f"phi: ERROR: {error}", file=sys.stderr)
        return ERROR
    _note_unused(exemptions)
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


def _print_digest() -> int:
    value = sys.stdin.read().removesuffix("\n")
    if not value.strip():
        print("phi: ERROR: digest: no value on stdin", file=sys.stderr)
        return ERROR
    print(digest(value))
    return CLEAN


def _note_unused(exemptions: Exemptions | None) -> None:
    """An exemption that matched nothing is left over from a change: named, so it can be removed."""
    for entry in [] if exemptions is None else exemptions.unused():
        print(f"phi: note: exemption for {entry.entity_type} in {entry.path} matched nothing", file=sys.stderr)
