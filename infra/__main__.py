"""`python -m infra plan --stack <env> [--json PATH]`, `python -m infra check PREVIEW_JSON`, and the
artefacts generated from the plan: `python -m infra allowlist --stack <env> [--check]`,
`python -m infra inventory --stack <env> [--check]` (security/inventory/<env>.json),
`python -m infra monitoring-export [--check]`, `python -m infra readme [--check]`,
`python -m infra shell-facts [--check]` (scripts/lib/facts.sh), and the URN snapshot
`python -m infra urns --stack <env> [--write [--accept-removed]]`.

Exit codes (contract): 0 no violation, 1 a violation (or, with --check, a committed file that differs
from the generated one), 2 bad config, input or usage.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from infra.config import ENVIRONMENTS
from infra.plan.resources import PreviewError, load_preview, to_preview
from infra.rules import Finding, Resource, all_rules, evaluate


def _report(resources: Sequence[Resource], findings: list[Finding], out: io.TextIOBase | None = None) -> None:
    stream = out or sys.stdout
    counts = Counter(r.type for r in resources)
    print(f"{'resource type':<60} {'count':>5}", file=stream)
    for type_token, count in sorted(counts.items()):
        print(f"{type_token:<60} {count:>5}", file=stream)
    print(f"{'total':<60} {len(resources):>5}", file=stream)
    print(file=stream)
    failed = {f.rule_id for f in findings}
    print(f"{'rule':<10} {'status':<6} {'checked':>7}  {'citation':<28} reason", file=stream)
    for rule in all_rules():
        checked = rule.in_scope(resources)
        # A rule with nothing to look at is reported as such, never as a pass.
        status = "FAIL" if rule.id in failed else ("PASS" if checked else "n/a")
        print(f"{rule.id:<10} {status:<6} {checked:>7}  {rule.citation:<28} {rule.reason}", file=stream)
    for finding in findings:
        print(f"violation {finding.rule_id} {finding.urn}: {finding.message}", file=stream)
    print(f"\n{len(all_rules())} rules, {len(findings)} violations", file=stream)


def planned_resources(stack: str) -> list[Resource] | int:
    """The stack's offline plan, or the exit code when its config is refused."""
    from infra.plan.mockrun import run_program

    captured = io.StringIO()
    try:
        with contextlib.redirect_stderr(captured):
            resources = run_program(stack)
    except SystemExit as stop:
        # The program rejected its config: pass its one-line reason on, exit 2.
        sys.stderr.write(captured.getvalue())
        return int(stop.code) if isinstance(stop.code, int) else 2
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    sys.stderr.write(captured.getvalue())
    return resources


def _plan(stack: str, json_path: str | None) -> int:
    started = time.monotonic()
    resources = planned_resources(stack)
    if isinstance(resources, int):
        return resources
    findings = evaluate(resources, stack)
    _report(resources, findings)
    print(f"planned stack {stack} offline in {time.monotonic() - started:.2f}s")
    if json_path:
        Path(json_path).write_text(json.dumps(to_preview(resources), indent=2, sort_keys=True), encoding="utf-8")
    return 1 if findings else 0


def _check(path: str) -> int:
    try:
        stack, resources = load_preview(Path(path))
    except PreviewError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    environment = stack if stack in ENVIRONMENTS else "prod"  # unknown stacks get the strictest rules
    findings = evaluate(resources, environment)
    _report(resources, findings)
    return 1 if findings else 0


def _readme(path: str, check_only: bool) -> int:
    from infra.plan.mockrun import run_program
    from infra.plan.readme import ReadmeError, sections, update

    readme = Path(path)
    try:
        text = readme.read_text(encoding="utf-8")
        new = update(text, sections({stack: run_program(stack) for stack in ENVIRONMENTS}))
    except (OSError, ReadmeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if check_only:
        if new != text:
            print(f"{path}: generated sections are stale; run `make readme`", file=sys.stderr)
            return 1
        print(f"{path}: generated sections are current")
        return 0
    readme.write_text(new, encoding="utf-8")
    print(f"wrote {path}")
    return 0


def _allowlist(stack: str, check_only: bool) -> int:
    from infra.config import ConfigError
    from infra.plan import allowlist

    resources = planned_resources(stack)
    if isinstance(resources, int):
        return resources
    try:
        generated = allowlist.render(allowlist.build_allowlist(resources, allowlist.stack_platform_config(stack)))
    except (allowlist.AllowlistError, ConfigError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if check_only:
        problem = allowlist.check(stack, generated)
        if problem:
            print(problem, file=sys.stderr)
            return 1
        print(f"{allowlist.allowlist_path(stack).name}: matches the plan of stack {stack}")
        return 0
    allowlist.allowlist_path(stack).write_text(generated, encoding="utf-8")
    print(f"wrote {allowlist.allowlist_path(stack)}")
    return 0


def _monitoring_export(check_only: bool) -> int:
    from infra.config import ConfigError
    from infra.plan import monitoring_export
    from infra.plan.allowlist import stack_platform_config

    files: dict[str, str] = {}
    for stack in ENVIRONMENTS:
        resources = planned_resources(stack)
        if isinstance(resources, int):
            return resources
        try:
            files.update(monitoring_export.export(resources, stack_platform_config(stack)))
        except (monitoring_export.ExportError, ConfigError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    if check_only:
        stale = monitoring_export.differences(files)
        if stale:
            more = f" and {len(stale) - 1} more" if len(stale) > 1 else ""
            print(
                f"monitoring/{stale[0]}{more}: differ from the definitions exported from infra/; "
                "run python -m infra monitoring-export",
                file=sys.stderr,
            )
            return 1
        print(f"monitoring/: {len(files)} definitions match infra/")
        return 0
    monitoring_export.write(files)
    print(f"wrote {len(files)} definitions under monitoring/")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    plan = commands.add_parser("plan", help="run the program under the mock engine and check the rules")
    plan.add_argument("--stack", required=True, choices=ENVIRONMENTS)
    plan.add_argument("--json", dest="json_path", help="write pulumi-preview-shaped JSON here")
    check = commands.add_parser("check", help="check the rules over a saved pulumi preview --json")
    check.add_argument("preview_json")
    readme = commands.add_parser("readme", help="regenerate the README's generated sections from the plans")
    readme.add_argument("--path", default="README.md")
    readme.add_argument("--check", action="store_true", help="exit 1 when a generated section is stale")
    allow = commands.add_parser("allowlist", help="write security/iam-allowlist/<stack>.json from the plan")
    allow.add_argument("--stack", required=True, choices=ENVIRONMENTS)
    allow.add_argument("--check", action="store_true", help="exit 1 when the committed file differs")
    inventory = commands.add_parser("inventory", help="write security/inventory/<stack>.json from the plan")
    inventory.add_argument("--stack", required=True, choices=ENVIRONMENTS)
    inventory.add_argument("--check", action="store_true", help="exit 1 when the committed file differs")
    urns = commands.add_parser("urns", help="check the plan against infra/plan/snapshots/<stack>.urns")
    urns.add_argument("--stack", required=True, choices=ENVIRONMENTS)
    urns.add_argument("--write", action="store_true", help="regenerate the snapshot from the plan")
    urns.add_argument("--accept-removed", action="store_true", help="with --write: let URNs leave the snapshot")
    facts = commands.add_parser("shell-facts", help="write scripts/lib/facts.sh from the Python program")
    facts.add_argument("--check", action="store_true", help="exit 1 when the committed file differs")
    export = commands.add_parser("monitoring-export", help="write monitoring/<env>/ from the Monitoring component")
    export.add_argument("--check", action="store_true", help="exit 1 when a committed definition differs")
    args = parser.parse_args(argv)
    if args.command == "readme":
        return _readme(args.path, args.check)
    if args.command == "monitoring-export":
        return _monitoring_export(args.check)
    if args.command == "plan":
        return _plan(args.stack, args.json_path)
    if args.command == "allowlist":
        return _allowlist(args.stack, args.check)
    if args.command == "inventory":
        from infra.plan.inventory import command as inventory_command

        return inventory_command(args.stack, args.check)
    if args.command == "shell-facts":
        from infra.plan.shell_facts import command as facts_command

        return facts_command(args.check)
    if args.command == "urns":
        from infra.plan.urns import command as urns_command

        return urns_command(args.stack, args.write, args.accept_removed)
    return _check(args.preview_json)


if __name__ == "__main__":
    sys.exit(main())
