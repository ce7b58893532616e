"""`python -m pipeline render | check | graph [--stats] | simulate ...`: exit 0 ok, 1 a violation, 2 usage."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pipeline.check import check
from pipeline.dag import critical_path, mermaid
from pipeline.definition import pipeline
from pipeline.render import write
from pipeline.simulate.cli import add_arguments as add_simulate_arguments
from pipeline.simulate.cli import main as simulate_main

RATIO_GOAL = 0.40


def _stats() -> list[str]:
    steps = [step.to_dict() for step in pipeline().steps]
    stats = critical_path(steps)
    return [
        f"steps: {len(steps)}",
        f"critical path: {stats.critical_seconds:g}s ({' -> '.join(stats.chain)})",
        f"sum of step timeouts: {stats.total_seconds:g}s",
        f"critical path / sum: {stats.ratio:.3f} (goal at most {RATIO_GOAL:.2f})",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("render", help="write cloudbuild.yaml from the pipeline model")
    commands.add_parser("check", help="fail when cloudbuild.yaml is stale or breaks a rule")
    graph = commands.add_parser("graph", help="print the step DAG as Mermaid")
    graph.add_argument("--stats", action="store_true", help="print the critical path and its ratio instead")
    simulate = commands.add_parser("simulate", help="run cloudbuild.yaml offline for a stack, against a fake cloud")
    add_simulate_arguments(simulate)
    args = parser.parse_args(argv)

    if args.command == "simulate":
        return simulate_main(args)

    if args.command == "render":
        print(f"wrote {write()}")
        return 0
    if args.command == "check":
        findings = check()
        for finding in findings:
            print(finding)
        if findings:
            print(f"cloudbuild.yaml: {len(findings)} finding(s)", file=sys.stderr)
            return 1
        print("cloudbuild.yaml: current, and no rule broken")
        return 0
    if args.stats:
        print("\n".join(_stats()))
        return 0
    print(mermaid([step.to_dict() for step in pipeline().steps]), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
