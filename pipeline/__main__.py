"""`python -m pipeline render | check | graph [--stats] | simulate ...`: exit 0 ok, 1 a violation, 2 usage.

render and check cover both generated files: cloudbuild.yaml and drift.cloudbuild.yaml.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pipeline.check import check, check_drift
from pipeline.contract import DRIFT_CONFIG_NAME
from pipeline.dag import critical_path, mermaid
from pipeline.definition import pipeline
from pipeline.render import CONFIG_NAME, write, write_drift
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


def _check() -> int:
    failed = False
    for name, findings in ((CONFIG_NAME, check()), (DRIFT_CONFIG_NAME, check_drift())):
        for finding in findings:
            print(finding if name == CONFIG_NAME else f"{name}: {finding}")
        if findings:
            print(f"{name}: {len(findings)} finding(s)", file=sys.stderr)
            failed = True
    if failed:
        return 1
    print(f"{CONFIG_NAME} and {DRIFT_CONFIG_NAME}: current, and no rule broken")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("render", help="write cloudbuild.yaml and drift.cloudbuild.yaml from their models")
    commands.add_parser("check", help="fail when either file is stale or breaks a rule")
    graph = commands.add_parser("graph", help="print the step DAG as Mermaid")
    graph.add_argument("--stats", action="store_true", help="print the critical path and its ratio instead")
    simulate = commands.add_parser("simulate", help="run cloudbuild.yaml offline for a stack, against a fake cloud")
    add_simulate_arguments(simulate)
    args = parser.parse_args(argv)

    if args.command == "simulate":
        return simulate_main(args)

    if args.command == "render":
        print(f"wrote {write()}")
        print(f"wrote {write_drift()}")
        return 0
    if args.command == "check":
        return _check()
    if args.stats:
        print("\n".join(_stats()))
        return 0
    print(mermaid([step.to_dict() for step in pipeline().steps]), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
