"""Rules over a Cloud Build config in its dict form (the committed file, parsed).

Each rule is a function `(build) -> list[str]` that can be run alone on a small hand-built dict;
each finding is one line, prefixed with the rule's name in brackets.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pipeline.checks import graph, policy, provenance, schema, scripts, variables
from pipeline.model import Json

Rule = Callable[[Json], list[str]]


def rules(root: Path) -> tuple[Rule, ...]:
    return (
        schema.build_message,
        variables.references,
        variables.declared_used,
        variables.required_declared,
        variables.safe_defaults,
        graph.unique_ids,
        graph.wait_for_order,
        graph.wait_for_cycles,
        graph.release_first,
        graph.deploys_behind_gates,
        graph.deploys_behind_verdict,
        graph.refused_record_before_verdict,
        graph.infra_deploy_alone,
        graph.report_last,
        scripts.gate_scripts_called,
        scripts.required_scripts_called,
        scripts.deploys_through_approving_scripts,
        scripts.contract_env,
        scripts.scripts_exist(root),
        provenance.tool_provenance(root),
        policy.scanner_flags,
        policy.inline_shell,
        policy.step_timeouts,
        policy.build_timeout,
        policy.images_pinned,
        policy.step_count,
        policy.perimeter_options,
        policy.secrets,
        policy.allowed_failures,
    )


def run(build: Json, root: Path) -> list[str]:
    findings: list[str] = []
    for rule in rules(root):
        findings.extend(rule(build))
    return findings
