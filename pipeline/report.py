"""The HIPAA compliance report: every gate's evidence, mapped to the controls it proves.

`python -m pipeline.report --evidence DIR --out DIR --environment ENV --build-id ID` writes
`report.json`, `report.md` and `report.html` into OUT (which must be new or empty), with a copy of
the evidence files read under OUT/evidence/ so every link in the report resolves next to it.
Exit 0: verdict PASS; 1: verdict FAIL (a required gate missing, failed or with evidence that does
not hold up, or any gate that ran and failed); 2: the report could not be written.

The report carries violation counts and a link to the evidence, never the violation text: the
report is the widely read summary (auditors, the security notification links it), and a text
written by a gate could, against its contract, carry a data value. The evidence stays next to
the report under the same access control, and the compliance step scans both before upload.
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from infra.config import ENVIRONMENTS
from pipeline.contract import PRE_DEPLOY_GATES
from pipeline.evidence import EvidenceSet, InventoryCounts, read_evidence
from pipeline.gates import CONTROLS, GATES, Gate, required_gates
from pipeline.report_render import headline, write_reports

PASS, FAIL = "PASS", "FAIL"
BUILD_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
EVIDENCE_SUBDIR = "evidence"
CITATION_PREFIX = "45 CFR "


@dataclass(frozen=True)
class GateResult:
    gate: Gate
    required: bool
    status: str  # pass, fail, invalid (evidence does not hold up), missing, not-required
    checked: int | None = None
    violations: int | None = None
    evidence: str | None = None  # link relative to the report
    reason: str | None = None
    tool: str | None = None
    finished_at: str | None = None
    inventory: InventoryCounts | None = None  # a live gate's comparison with the expected inventory

    @property
    def passed(self) -> bool:
        return self.status == "pass"

    @property
    def blocks(self) -> bool:
        """Whether this gate makes the verdict FAIL."""
        return self.status in ("fail", "invalid") or (self.required and not self.passed)


@dataclass(frozen=True)
class ControlResult:
    id: str
    title: str
    status: str  # pass, fail, not-assessed (no gate proves it in this environment)
    gates: tuple[str, ...]

    @property
    def citation(self) -> str:
        return CITATION_PREFIX + self.id


@dataclass(frozen=True)
class Report:
    environment: str
    build_id: str
    generated_at: str
    gates: tuple[GateResult, ...]
    controls: tuple[ControlResult, ...]
    ignored_files: tuple[str, ...]

    @property
    def verdict(self) -> str:
        required = [g for g in self.gates if g.required]
        return FAIL if not required or any(g.blocks for g in self.gates) else PASS

    @property
    def deploys_refused_by(self) -> tuple[str, ...]:
        """The pre-deploy gates that did not pass: when any did, the deploy verdict refused every deploy."""
        return tuple(g.gate.id for g in self.gates if g.gate.id in PRE_DEPLOY_GATES and not g.passed)

    def count(self, status: str, *, required_only: bool = True) -> int:
        return sum(1 for g in self.gates if g.status == status and (g.required or not required_only))


def gate_result(gate: Gate, required: bool, evidence: EvidenceSet) -> GateResult:
    file = f"{gate.id}.json"
    link = f"{EVIDENCE_SUBDIR}/{file}" if file in evidence.raw else None  # an unreadable file is not copied
    if gate.id in evidence.valid:
        found = evidence.valid[gate.id]
        return GateResult(
            gate,
            required,
            found.status,
            found.checked,
            found.violations,
            link,
            None,
            found.tool,
            found.finished_at,
            found.inventory,
        )
    if gate.id in evidence.invalid:
        return GateResult(gate, required, "invalid", evidence=link, reason=evidence.invalid[gate.id].reason)
    if required:
        return GateResult(gate, required, "missing", reason="no evidence file: the gate did not run or did not finish")
    return GateResult(gate, required, "not-required")


def control_result(control: str, gates: Sequence[GateResult]) -> ControlResult:
    proving = [g for g in gates if control in g.gate.controls and g.status != "not-required"]
    status = "pass" if all(g.passed for g in proving) else "fail"
    if not proving:
        status = "not-assessed"
    return ControlResult(control, CONTROLS[control], status, tuple(g.gate.id for g in proving))


def evaluate(evidence: EvidenceSet, environment: str, build_id: str, now: datetime.datetime) -> Report:
    required = {g.id for g in required_gates(environment)}
    gates = tuple(gate_result(g, g.id in required, evidence) for g in GATES)
    return Report(
        environment=environment,
        build_id=build_id,
        generated_at=now.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        gates=gates,
        controls=tuple(control_result(c, gates) for c in CONTROLS),
        ignored_files=tuple(evidence.ignored),
    )


def summary(report: Report) -> str:
    return f"{report.verdict}: {report.environment} build {report.build_id}: {headline(report)}"


def _build_id(value: str) -> str:
    if not BUILD_ID.match(value):
        raise argparse.ArgumentTypeError("must be letters, digits, '.', '_' or '-' (at most 128)")
    return value


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m pipeline.report", description="Write the HIPAA compliance report.")
    parser.add_argument("--evidence", type=Path, required=True, metavar="DIR", help="the gates' evidence files")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="new or empty directory to write into")
    parser.add_argument("--environment", required=True, choices=ENVIRONMENTS)
    parser.add_argument("--build-id", required=True, type=_build_id, metavar="ID")
    return parser.parse_args(argv)


def copy_evidence(evidence: EvidenceSet, out: Path) -> None:
    """The exact bytes that were validated, so the report and the evidence next to it agree."""
    target = out / EVIDENCE_SUBDIR
    target.mkdir()
    for name, content in sorted(evidence.raw.items()):
        (target / name).write_bytes(content)


def describe(error: OSError) -> str:
    if error.filename is not None:
        return f"{error.filename}: {error.strerror}"
    return str(error)


def main(argv: Sequence[str] | None = None, now: datetime.datetime | None = None) -> int:
    arguments = parse_args(sys.argv[1:] if argv is None else argv)
    source, out = arguments.evidence, arguments.out
    try:
        if not source.is_dir():
            raise NotADirectoryError(f"--evidence {source} is not a directory")
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise FileExistsError(f"--out {out} is not a new or empty directory")
        evidence = read_evidence(source, arguments.environment, arguments.build_id)
        report = evaluate(
            evidence, arguments.environment, arguments.build_id, now or datetime.datetime.now(datetime.UTC)
        )
        out.mkdir(parents=True, exist_ok=True)
        copy_evidence(evidence, out)
        write_reports(report, out)
    except OSError as error:
        print(f"report: ERROR: {describe(error)}", file=sys.stderr)
        return 2
    print(f"report: {summary(report)}")
    return 0 if report.verdict == PASS else 1


if __name__ == "__main__":
    raise SystemExit(main())
