"""`python -m infra plan --stack <env> [--json PATH]`, `python -m infra check PREVIEW_JSON`, and the
artefacts generated from the plan: `python -m infra allowlist --stack <env> [--check]`,
`python -m infra inventory --stack <env> [--check]` (security/inventory/<env>.json),
`python -m infra monitoring-export [--check]`, `python -m infra readme [--check]` (README sections and
docs/components.md),
`python -m infra shell-facts [--check]` (scripts/lib/facts.sh), the URN snapshot
`python -m infra urns --stack <env> [--write [--accept-removed]]`; `python -m infra catalogues
refresh|vendor [--check]` rebuilds the Google catalogues the preflight rules use.

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
from collections.abc import Sequence
from pathlib import Path

from infra.config import ENVIRONMENTS
from infra.plan.resources import PreviewError, load_preview, to_preview
from infra.plan.summary import report
from infra.rules import Resource, evaluate


def checked_stack_config(stack: str) -> dict[str, str] | int:
    """The stack file's config, validated as the program will (same ConfigError, same line), before
    the mock engine starts; the exit code 2 when it is refused."""
    from infra.config import NAMESPACE, ConfigError, build_config
    from infra.plan import mockrun

    prefix = f"{NAMESPACE}:"
    try:
        values = mockrun.stack_config(stack)
        build_config(stack, {k[len(prefix) :]: v for k, v in values.items() if k.startswith(prefix)})
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return values


def planned_resources(stack: str) -> list[Resource] | int:
    """The stack's offline plan, or the exit code when its config is refused."""
    from infra.plan.mockrun import run_program

    values = checked_stack_config(stack)
    if isinstance(values, int):
        return values
    captured = io.StringIO()
    try:
        with contextlib.redirect_stderr(captured):
            resources = run_program(stack, values)
    except SystemExit as stop:
        # The program rejected its config: pass its one-line reason on, exit 2.
        sys.stderr.write(captured.getvalue())
        return int(stop.code) if isinstance(stop.code, int) else 2
    sys.stderr.write(captured.getvalue())
    return resources


def every_planned_stack() -> dict[str, list[Resource]] | int:
    """Every stack's offline plan; every stack file is checked before the first plan starts, so a
    broken one is refused at once rather than after the others were planned."""
    for stack in ENVIRONMENTS:
        refused = checked_stack_config(stack)
        if isinstance(refused, int):
            return refused
    plans: dict[str, list[Resource]] = {}
    for stack in ENVIRONMENTS:
        resources = planned_resources(stack)
        if isinstance(resources, int):
            return resources
        plans[stack] = resources
    return plans


def _plan(stack: str, json_path: str | None) -> int:
    started = time.monotonic()
    resources = planned_resources(stack)
    if isinstance(resources, int):
        return resources
    from infra.plan.mocks import planned_project_numbers

    numbers = planned_project_numbers(r.inputs.get("project") for r in resources)
    findings = evaluate(resources, stack, project_numbers=numbers)
    print(f"planned stack {stack} offline in {time.monotonic() - started:.2f}s under the Pulumi mock engine")
    report(stack, resources, findings)
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
    report(stack or "preview", resources, findings)
    return 1 if findings else 0


def _readme(path: str, reference_path: str, check_only: bool) -> int:
    from infra.plan.readme import ReadmeError, sections, update
    from infra.plan.reference import InterfaceError, reference

    readme, components = Path(path), Path(reference_path)
    plans = every_planned_stack()
    if isinstance(plans, int):
        return plans
    try:
        text = readme.read_text(encoding="utf-8")
        new = update(text, sections(plans))
        generated = {readme: (text, new), components: (_read_or_empty(components), reference())}
    except (OSError, ReadmeError, InterfaceError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if check_only:
        stale = [str(file) for file, (committed, wanted) in generated.items() if committed != wanted]
        if stale:
            print(f"{', '.join(stale)}: generated sections are stale; run `make readme`", file=sys.stderr)
            return 1
        print(f"{path}, {reference_path}: generated sections are current")
        return 0
    for file, (_, wanted) in generated.items():
        file.write_text(wanted, encoding="utf-8")
        print(f"wrote {file}")
    return 0


def _read_or_empty(path: Path) -> str:
    """A generated file that does not exist yet is stale, not an error: `readme` creates it."""
    return path.read_text(encoding="utf-8") if path.exists() else ""


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

    plans = every_planned_stack()
    if isinstance(plans, int):
        return plans
    files: dict[str, str] = {}
    for stack, resources in plans.items():
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
    readme = commands.add_parser(
        "readme", help="regenerate the README's generated sections and the component reference (docs/)"
    )
    readme.add_argument("--path", default="README.md")
    readme.add_argument("--reference", default="docs/components.md", help="where the component reference goes")
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
    catalogues = commands.add_parser("catalogues", help="refresh [--check]: rebuild Google's catalogues")
    catalogues.add_argument("catalogue_args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.command == "catalogues":
        from infra.catalogues.refresh import main as catalogues_main

        return catalogues_main(args.catalogue_args)
    if args.command == "readme":
        return _readme(args.path, args.reference, args.check)
    if args.command == "monitoring-export":
        return _monitoring_export(args.check)
    if args.command == "plan":
        return _plan(args.stack, args.json_path)
    if args.command == "allowlist":
        return _allowlist(args.stack, args.check)
    if args.command == "inventory":
        from infra.plan.inventory import command as inventory_command

        return inventory_command(args.stack, args.check)
    if args.command in ("shell-facts", "urns"):
        # Both read a stack file outside planned_resources: refuse a broken one first, in one line.
        stack = "prod" if args.command == "shell-facts" else args.stack
        refused = checked_stack_config(stack)
        if isinstance(refused, int):
            return refused
    if args.command == "shell-facts":
        from infra.plan.shell_facts import command as facts_command

        return facts_command(args.check)
    if args.command == "urns":
        from infra.plan.urns import command as urns_command

        return urns_command(args.stack, args.write, args.accept_removed)
    return _check(args.preview_json)


if __name__ == "__main__":
    sys.exit(main())
