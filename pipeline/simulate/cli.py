"""`python -m pipeline simulate --stack ENV [--violation NAME]... [--json PATH]` and `--list-violations`.

Prints each step with its Cloud Build status and time, then the verdict; `--json` writes
{"verdict", "build_id", "steps": [{"id", "status", "seconds"}], "report"}. Exit 0: the build
succeeded; 1: it failed; 2: usage (unknown stack or violation, a violation for another stack).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from pipeline.simulate.buildfile import BuildFileError
from pipeline.simulate.executor import StepResult
from pipeline.simulate.run import REPOSITORY, Options, Simulation, simulate
from pipeline.simulate.toolbox import MissingToolsError
from pipeline.simulate.violations import UnknownFaultError, lookup, registry

USAGE_EXIT = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stack", help="dev, staging or prod (a Pulumi.<stack>.yaml of this repository)")
    parser.add_argument("--violation", action="append", default=[], metavar="NAME", help="inject a named fault")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the build's verdict and steps as JSON")
    parser.add_argument("--list-violations", action="store_true", help="print every fault and the gate that owns it")
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="run in DIR, not a new temporary directory (either is kept, ~4 GB: its logs and report are there)",
    )
    parser.add_argument(
        "--timeout-scale",
        type=float,
        default=1.0,
        metavar="X",
        help="this host is X times slower than the pool's machines: every timeout times X (says so)",
    )
    parser.add_argument(
        "--source", type=Path, default=REPOSITORY, metavar="DIR", help="the git checkout to build (default: this one)"
    )
    parser.add_argument(
        "--steps", metavar="ID,...", help="run only these steps and what they wait for, as their own build"
    )
    parser.add_argument(
        "--allow-failure", metavar="ID,...", help="debugging: run as if these steps had allowFailure: true (says so)"
    )


def list_violations(out: TextIO) -> int:
    faults = sorted(registry().values(), key=lambda f: (f.gate, f.name))
    out.write(f"{'violation':<38} {'gate':<20} {'stacks':<18} description\n")
    for fault in faults:
        out.write(f"{fault.name:<38} {fault.gate:<20} {','.join(sorted(fault.environments)):<18} {fault.description}\n")
    return 0


def document(simulation: Simulation) -> dict[str, Any]:
    return {
        "verdict": simulation.verdict,
        "build_id": simulation.build_id,
        "steps": [
            {"id": s.id, "status": s.status.value, "seconds": round(s.seconds, 3)} for s in simulation.result.steps
        ],
        "report": str(simulation.report) if simulation.report else None,
    }


def _progress(event: str, step: StepResult) -> None:
    if event == "end":
        sys.stderr.write(f"  {step.status.value:<9} {step.seconds:7.1f}s  {step.id}\n")


def print_summary(simulation: Simulation, out: TextIO) -> None:
    out.write(f"{'step':<24} {'status':<10} {'seconds':>8}\n")
    for step in simulation.result.steps:
        note = " (failure allowed)" if step.allowed and step.status.value in ("FAILURE", "TIMEOUT") else ""
        out.write(f"{step.id:<24} {step.status.value:<10} {step.seconds:>8.1f}{note}\n")
    for index, step in enumerate(simulation.result.steps):
        if step.status.value in ("FAILURE", "TIMEOUT"):
            log = simulation.run.logs / f"{index:02d}.log"
            tail = (
                [line for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()][-3:]
                if log.exists()
                else []
            )
            out.write(f"--- {step.id}: " + " | ".join(tail) + "\n")
    started = [d for d in simulation.deploy_steps if simulation.started(d)]
    out.write(f"deploy steps started: {len(started)} of {len(simulation.deploy_steps)}\n")
    if simulation.unmodelled:
        out.write(f"unmodelled commands ({len(simulation.unmodelled)}):\n")
        for record in simulation.unmodelled:
            out.write(f"  {record['tool']} {' '.join(record['argv'])[:160]}\n")
    for line in simulation.stand_ins:
        out.write(f"stand-in: {line}\n")
    reason = f" ({simulation.result.reason})" if simulation.result.reason else ""
    out.write(f"verdict: {simulation.verdict}{reason} in {simulation.result.seconds:.1f}s\n")
    out.write(f"build: {simulation.build_id}; run directory: {simulation.run.root}\n")
    out.write(f"report: {simulation.report or 'none'}\n")


def main(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    if args.list_violations:
        return list_violations(out)
    if not args.stack or not (REPOSITORY / f"Pulumi.{args.stack}.yaml").is_file():
        sys.stderr.write(
            f"simulate: --stack must name a stack of this repository (Pulumi.<stack>.yaml), got {args.stack!r}\n"
        )
        return USAGE_EXIT
    try:
        faults = lookup(args.violation)
    except UnknownFaultError as error:
        sys.stderr.write(f"simulate: {error}\n")
        return USAGE_EXIT
    for fault in faults:
        if args.stack not in fault.environments:
            sys.stderr.write(
                f"simulate: violation {fault.name} applies to {', '.join(sorted(fault.environments))} only\n"
            )
            return USAGE_EXIT
    if args.keep is not None and args.keep.exists() and any(args.keep.iterdir()):
        # A run builds its workspace, world and toolbox from nothing; a used directory would mix two builds.
        sys.stderr.write(f"simulate: --keep {args.keep} is not empty; give a new or empty directory\n")
        return USAGE_EXIT
    only = [s for s in args.steps.split(",") if s] if args.steps else None
    allowed = [s for s in (args.allow_failure or "").split(",") if s]
    if allowed:
        sys.stderr.write(f"simulate: NOT the build as written: allowFailure assumed for {', '.join(allowed)}\n")
    if args.timeout_scale != 1.0:
        sys.stderr.write(f"simulate: every step and build timeout scaled by {args.timeout_scale:g} for this host\n")
    try:
        simulation = simulate(
            Options(
                args.stack,
                faults,
                repository=args.source.resolve(),
                run_root=args.keep,
                only_steps=only,
                allow_failure=allowed,
                timeout_scale=args.timeout_scale,
                listener=_progress,
            )
        )
    except (BuildFileError, MissingToolsError) as error:
        sys.stderr.write(f"simulate: {error}\n")
        return USAGE_EXIT
    print_summary(simulation, out)
    if args.json:
        args.json.write_text(json.dumps(document(simulation), indent=2) + "\n", encoding="utf-8")
    return 0 if simulation.result.success else 1
