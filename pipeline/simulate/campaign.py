"""`make simulate`: every stack compliant, every fault, and the repository faults as committed.

    python -m pipeline.simulate.campaign [--stacks dev,staging,prod] [--violations NAME,...] [--json PATH]
        [--gate-only] [--timeout-scale X] [--source DIR] [--prefer-stack STACK]

Expectations, checked on each run and printed as one table:
- a compliant stack: verdict SUCCESS (prod with its approved build);
- a fault: verdict FAILURE, its gate's step FAILURE, no deploy step started (a post-deploy gate's
  fault comes after the deploys by design), a compliance report written that names the gate failed,
  and the security topic notified once, with verdict fail (a compliant build: once, with pass);
- a repository fault committed to a scratch clone of this repository, no flag: the same.
`--gate-only` runs each fault's gate and what it waits for as a build of its own (a verdict marked
`*`): the gate must fail, with nothing else checked; for a quick pass, never instead of the full one.
Exit 0 when every expectation holds, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TextIO

from pipeline.simulate.run import REPOSITORY, Options, Simulation, simulate
from pipeline.simulate.violations import Fault, FaultContext, registry
from pipeline.simulate.workspace import RunDir

STACKS = ("dev", "staging", "prod")
POST_DEPLOY = frozenset({"monitoring", "backup-restore", "dast", "phi-log-scan"})
PREFERRED_STACK = "prod"  # the strictest; a fault that applies only elsewhere runs there


@dataclass
class Row:
    name: str
    stack: str
    gate: str
    verdict: str
    gate_status: str
    deploys_started: int
    report: bool
    report_names_gate: bool
    notified: str  # the verdict attribute of the security topic's message, "-" when none was sent
    seconds: float
    problems: list[str]


def report_names(simulation: Simulation, gate: str) -> bool:
    if simulation.report is None:
        return False
    document = json.loads(simulation.report.read_text(encoding="utf-8"))
    return any(g.get("id") == gate and g.get("status") != "pass" for g in document.get("gates", []))


def judge_gate_only(name: str, stack: str, gate: str, simulation: Simulation, seconds: float) -> Row:
    """--gate-only: the gate (and what it waits for) as its own build; the gate must fail, alone."""
    row = judge(name, stack, gate, simulation, seconds)
    row.problems = [p for p in row.problems if p.startswith(f"gate {gate} ended")]
    row.verdict = f"{row.verdict}*"
    return row


def judge(name: str, stack: str, gate: str, simulation: Simulation, seconds: float) -> Row:
    status = {s.id: s.status.value for s in simulation.result.steps}
    started = sum(1 for d in simulation.deploy_steps if simulation.started(d))
    row = Row(
        name,
        stack,
        gate,
        simulation.verdict,
        status.get(gate, "-"),
        started,
        simulation.report is not None,
        bool(gate) and report_names(simulation, gate),
        ",".join(m.get("attributes", {}).get("verdict", "?") for m in simulation.notifications()) or "-",
        round(seconds, 1),
        [],
    )
    if not gate:
        if simulation.verdict != "SUCCESS":
            row.problems.append(f"compliant build failed: {simulation.result.reason}")
        elif row.notified != "pass":
            row.problems.append(f"the security topic was notified {row.notified!r}, not once with verdict pass")
        return row
    expected = [
        (simulation.verdict == "FAILURE", "the build did not fail"),
        (row.gate_status == "FAILURE", f"gate {gate} ended {row.gate_status}"),
        (gate in POST_DEPLOY or started == 0, f"{started} deploy step(s) started"),
        (row.report, "no compliance report was written"),
        (row.report_names_gate, f"the report does not name {gate} as failed"),
        (row.notified == "fail", f"the security topic was notified {row.notified!r}, not once with verdict fail"),
    ]
    row.problems.extend(problem for ok, problem in expected if not ok)
    return row


def run_one(name: str, stack: str, gate: str, options: Options) -> Row:
    began = time.monotonic()
    sys.stderr.write(f"== {name} ({stack})\n")
    simulation = simulate(options)
    verdict = judge_gate_only if options.only_steps else judge
    row = verdict(name, stack, gate, simulation, time.monotonic() - began)
    # A run directory holds the build's virtualenvs and world (~4 GB): judged, it goes, or a full
    # campaign fills the disk (the first one here did, and its last runs failed for want of space).
    if options.run_root is None:
        shutil.rmtree(simulation.run.root, ignore_errors=True)
    return row


def committed_clone(fault: Fault, root: Path, source: Path) -> Path:
    """A scratch clone of the source with the fault committed: the repository itself holds it."""
    clone = root / "repository"
    subprocess.run(["git", "clone", "--quiet", "--local", str(source), str(clone)], check=True)
    fault.apply(FaultContext(_CloneRun(clone)))
    subprocess.run(["git", "-C", str(clone), "add", "-A"], check=True)
    identity = ["-c", "user.name=simulator", "-c", "user.email=simulator@example.test"]
    commit = ["git", "-C", str(clone), *identity, "commit", "--quiet", "-m", f"planted: {fault.name}"]
    subprocess.run(commit, check=True)
    return clone


class _CloneRun(RunDir):
    """A RunDir whose workspace is the clone itself, so a repository fault edits the clone."""

    @property
    def workspace(self) -> Path:
        return self.root


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.simulate.campaign", description=__doc__)
    parser.add_argument("--stacks", default=",".join(STACKS))
    parser.add_argument("--violations", help="comma-separated faults (default: all; empty: none)")
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--prefer-stack", choices=STACKS, default=PREFERRED_STACK, help="where a fault runs when it applies there"
    )
    parser.add_argument("--timeout-scale", type=float, default=1.0, help="every timeout times X (a slower host)")
    parser.add_argument("--source", type=Path, default=REPOSITORY, help="the git checkout to build")
    parser.add_argument(
        "--gate-only",
        action="store_true",
        help="each fault runs its gate and what it waits for only (minutes less; no verdict, deploy or report check)",
    )
    args = parser.parse_args(argv)
    faults = registry()
    source = args.source.resolve()

    def only(fault: Fault) -> list[str] | None:
        return [fault.gate] if args.gate_only else None

    names = [n for n in args.violations.split(",") if n] if args.violations is not None else list(faults)
    unknown = sorted(set(names) - set(faults))
    if unknown:
        parser.error(f"unknown violation(s): {', '.join(unknown)} (see python -m pipeline simulate --list-violations)")
    chosen = [faults[n] for n in names]
    rows: list[Row] = []

    def record(row: Row) -> None:
        """Each run's row as soon as it ends (a campaign takes hours here), and the JSON so far."""
        rows.append(row)
        print_row(row, sys.stdout)
        sys.stdout.flush()
        if args.json:
            args.json.write_text(json.dumps([asdict(r) for r in rows], indent=2) + "\n", encoding="utf-8")

    print_header(sys.stdout)
    for stack in (s for s in args.stacks.split(",") if s):
        record(run_one("compliant", stack, "", Options(stack, repository=source, timeout_scale=args.timeout_scale)))
    for fault in chosen:
        stack = args.prefer_stack if args.prefer_stack in fault.environments else sorted(fault.environments)[0]
        record(
            run_one(
                fault.name,
                stack,
                fault.gate,
                Options(stack, [fault], repository=source, timeout_scale=args.timeout_scale, only_steps=only(fault)),
            )
        )
        if fault.__module__.endswith(".repository"):
            with tempfile.TemporaryDirectory() as scratch:
                clone = committed_clone(fault, Path(scratch), source)
                record(
                    run_one(
                        f"{fault.name} (committed)",
                        stack,
                        fault.gate,
                        Options(stack, repository=clone, timeout_scale=args.timeout_scale, only_steps=only(fault)),
                    )
                )
    failed = [r.name for r in rows if r.problems]
    print(f"{len(rows)} run(s), {len(failed)} not as expected{': ' + ', '.join(failed) if failed else ''}")
    return 1 if failed else 0


def print_header(out: TextIO) -> None:
    out.write(
        f"{'run':<44} {'stack':<8} {'gate':<20} {'verdict':<8} {'gate':<9} {'deploys':>7} {'report':<7} "
        f"{'notified':<8} {'secs':>7}  problems\n"
    )


def print_row(r: Row, out: TextIO) -> None:
    report = ("yes" if r.report_names_gate else "unnamed") if r.report else "none"
    out.write(
        f"{r.name:<44} {r.stack:<8} {r.gate or '-':<20} {r.verdict:<8} {r.gate_status:<9} {r.deploys_started:>7} "
        f"{report:<7} {r.notified:<8} {r.seconds:>7.1f}  {'; '.join(r.problems) or 'ok'}\n"
    )


def print_table(rows: Sequence[Row], out: TextIO) -> None:
    print_header(out)
    for row in rows:
        print_row(row, out)


if __name__ == "__main__":
    sys.exit(main())
