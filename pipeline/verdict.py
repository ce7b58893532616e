"""The deploy verdict: did every pre-deploy gate leave evidence that it passed?

`python -m pipeline.verdict --evidence DIR --environment ENV --build-id ID [GATE...]` reads the
evidence of the named gates (default: every pre-deploy gate of pipeline/contract.py) and prints one
line. Exit 0: every gate passed; 1: at least one failed, left evidence that does not hold up, or left
none (each named with why); 2: usage or the directory cannot be read.

The gates run with `allowFailure`, so a failed gate no longer stops the build by itself: this verdict
is what keeps the deploys from starting (scripts/require-gates-passed.sh) and what decides whether
the build's refused record (scripts/when-refused.sh) is written before the deploys or after them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from infra.config import ENVIRONMENTS
from pipeline.contract import PRE_DEPLOY_GATES
from pipeline.evidence import EvidenceSet, read_evidence
from pipeline.gates import GATES
from pipeline.report import BUILD_ID

_GATE_IDS = tuple(g.id for g in GATES)


@dataclass(frozen=True)
class Verdict:
    gates: tuple[str, ...]
    # (gate id, why) for each gate that did not pass: fail, invalid, missing.
    refused_by: tuple[tuple[str, str], ...]

    @property
    def passed(self) -> bool:
        return not self.refused_by

    def line(self) -> str:
        if self.passed:
            return f"PASS: all {len(self.gates)} gate(s) passed"
        names = ", ".join(f"{gate} ({why})" for gate, why in self.refused_by)
        return f"FAIL: {len(self.refused_by)} of {len(self.gates)} gate(s) did not pass: {names}"


def decide(evidence: EvidenceSet, gates: Sequence[str]) -> Verdict:
    refused: list[tuple[str, str]] = []
    for gate in gates:
        if gate in evidence.valid:
            if evidence.valid[gate].status != "pass":
                refused.append((gate, "fail"))
        elif gate in evidence.invalid:
            refused.append((gate, "invalid evidence"))
        else:
            refused.append((gate, "no evidence"))
    return Verdict(tuple(gates), tuple(refused))


def verdict(directory: Path, environment: str, build_id: str, gates: Sequence[str] = PRE_DEPLOY_GATES) -> Verdict:
    return decide(read_evidence(directory, environment, build_id), gates)


def _gate(value: str) -> str:
    if value not in _GATE_IDS:
        raise argparse.ArgumentTypeError(f"unknown gate {value!r}")
    return value


def _build_id(value: str) -> str:
    if not BUILD_ID.match(value):
        raise argparse.ArgumentTypeError("must be letters, digits, '.', '_' or '-' (at most 128)")
    return value


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m pipeline.verdict", description="Decide whether gates passed.")
    parser.add_argument("--evidence", type=Path, required=True, metavar="DIR")
    parser.add_argument("--environment", required=True, choices=ENVIRONMENTS)
    parser.add_argument("--build-id", required=True, type=_build_id, metavar="ID")
    parser.add_argument("gates", nargs="*", metavar="GATE", type=_gate, help="default: every pre-deploy gate")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_args(sys.argv[1:] if argv is None else argv)
    gates = tuple(dict.fromkeys(arguments.gates)) or PRE_DEPLOY_GATES
    try:
        if not arguments.evidence.is_dir():
            raise NotADirectoryError(f"--evidence {arguments.evidence} is not a directory")
        result = verdict(arguments.evidence, arguments.environment, arguments.build_id, gates)
    except OSError as error:
        print(f"verdict: ERROR: {error}", file=sys.stderr)
        return 2
    print(f"verdict: {result.line()}")
    return 0 if result.passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
