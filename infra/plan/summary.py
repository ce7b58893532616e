"""What `python -m infra plan` and `python -m infra check` print: resources, rule results, summary, verdict.

Cloud resources and components are counted apart, the way the README's generated tables count them
(`infra/plan/readme.py`: a type token under `hipaa:` is a component, anything else a cloud resource),
so the plan's total and the README's agree. Columns are as wide as their longest entry, and the
summary and the verdict come last, where a reader of a long listing looks first.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from typing import TextIO

from infra.plan.readme import COMPONENT_PREFIX
from infra.rules import Finding, Resource, Rule, all_rules


def _is_component(resource: Resource) -> bool:
    return resource.type.startswith(COMPONENT_PREFIX)


def resource_lines(resources: Sequence[Resource]) -> list[str]:
    """Cloud resources by type, then their total, then the components apart."""
    counts = Counter(r.type for r in resources if not _is_component(r))
    components = sum(1 for r in resources if _is_component(r))
    cloud = sum(counts.values())
    width = max([len("cloud resources"), *(len(t) for t in counts)])
    lines = [f"{'resource type':<{width}}  {'count':>5}"]
    lines += [f"{type_token:<{width}}  {count:>5}" for type_token, count in sorted(counts.items())]
    lines.append(f"{'cloud resources':<{width}}  {cloud:>5}")
    lines.append(f"{'components':<{width}}  {components:>5}  (HipaaPlatform and its parts; not cloud resources)")
    return lines


def _status(rule: Rule, failed: set[str], checked: int) -> str:
    # A rule with nothing to look at is reported as such, never as a pass.
    return "FAIL" if rule.id in failed else ("PASS" if checked else "n/a")


def rule_lines(resources: Sequence[Resource], findings: Sequence[Finding], rules: Sequence[Rule]) -> list[str]:
    failed = {f.rule_id for f in findings}
    rows = [(rule, rule.in_scope(resources)) for rule in rules]
    id_width = max([len("rule"), *(len(rule.id) for rule in rules)])
    cite_width = max([len("citation"), *(len(rule.citation) for rule in rules)])
    lines = [f"{'rule':<{id_width}}  {'status':<6}  {'checked':>7}  {'citation':<{cite_width}}  reason"]
    lines += [
        f"{rule.id:<{id_width}}  {_status(rule, failed, n):<6}  {n:>7}  {rule.citation:<{cite_width}}  {rule.reason}"
        for rule, n in rows
    ]
    return lines


def summary_lines(stack: str, resources: Sequence[Resource], findings: Sequence[Finding]) -> list[str]:
    """The last lines: what was planned, how the rules went, and the verdict."""
    rules = all_rules()
    failed = {f.rule_id for f in findings}
    checked = [rule for rule in rules if rule.in_scope(resources)]
    cloud = sum(1 for r in resources if not _is_component(r))
    components = len(resources) - cloud
    verdict = (
        f"verdict: {len(findings)} violation(s) of {len(failed)} rule(s): the plan breaks a HIPAA rule"
        if findings
        else "verdict: no violation"
    )
    return [
        f"stack {stack}: {cloud} cloud resources in {components} components",
        f"rules: {len(rules)} ({len(checked) - len(failed)} pass, {len(failed)} fail, "
        f"{len(rules) - len(checked)} n/a: nothing of theirs planned)",
        verdict,
    ]


def report(stack: str, resources: Sequence[Resource], findings: Sequence[Finding], out: TextIO | None = None) -> None:
    stream = out or sys.stdout
    lines = [*resource_lines(resources), "", *rule_lines(resources, findings, all_rules())]
    if findings:
        lines.append("")
        lines += [f"violation {f.rule_id} {f.urn}: {f.message}" for f in findings]
    lines += ["", *summary_lines(stack, resources, findings)]
    print("\n".join(lines), file=stream)
