"""Rules only the drift build has: it runs the drift check, may not let it fail, and deploys nothing.

The drift trigger needs no approval because of these rules: its build calls no script that changes an
environment (the approving scripts of pipeline/contract.py) and no script it runs, or library those
source, calls `pulumi up`, `destroy`, `import`, `cancel`, `state` or a `refresh` that is not
`--preview-only`. A drift build that could deploy would be the prod deploy without the approval gate.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from pipeline.checks.graph import allowed_to_fail
from pipeline.checks.text import label, scripts_called, steps
from pipeline.contract import APPROVING_SCRIPTS, DRIFT_SCRIPT
from pipeline.drift_definition import DRIFT_SUBSTITUTION_KEYS
from pipeline.model import Json
from pipeline.requirements import script_closure
from pipeline.substitutions import SUBSTITUTIONS

# Pulumi commands that change a stack or its state; `refresh` is allowed only with --preview-only.
_CHANGING = re.compile(r"\bpulumi\s+(up|update|destroy|import|cancel|state|refresh|stack\s+rm)\b")
_CONTINUATION = re.compile(r"\\\n\s*")


def substitutions_declared(build: Json) -> list[str]:
    """The drift build declares the substitutions it uses, and none the trigger cannot fill."""
    declared = build.get("substitutions")
    keys = set(declared) if isinstance(declared, dict) else set()
    findings = [
        f"[drift] required substitution {key} is not declared" for key in DRIFT_SUBSTITUTION_KEYS if key not in keys
    ]
    findings.extend(
        f"[drift] substitution {key} is not one of the pipeline's (pipeline/substitutions.py)"
        for key in sorted(keys - set(SUBSTITUTIONS))
    )
    return findings


def runs_the_drift_check(build: Json) -> list[str]:
    """Exactly one step runs scripts/check-drift.sh, and it may not fail quietly: drift fails the build."""
    checking = [(i, s) for i, s in enumerate(steps(build)) if DRIFT_SCRIPT in scripts_called(s)]
    if len(checking) != 1:
        return [f"[drift] expected exactly one step running scripts/{DRIFT_SCRIPT}, found {len(checking)}"]
    index, step = checking[0]
    if allowed_to_fail(step):
        return [f"[drift] {label(step, index)} may fail without failing the build: drift would go unreported"]
    return []


def _changing_commands(text: str) -> list[str]:
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    commands = _CONTINUATION.sub(" ", code).splitlines()
    return [
        match.group(0)
        for command in commands
        for match in _CHANGING.finditer(command)
        if not (match.group(1) == "refresh" and "--preview-only" in command)
    ]


def deploys_nothing(root: Path) -> Callable[[Json], list[str]]:
    def rule(build: Json) -> list[str]:
        findings = []
        for index, step in enumerate(steps(build)):
            for script in sorted(scripts_called(step)):
                if script in APPROVING_SCRIPTS:
                    where = label(step, index)
                    findings.append(f"[drift] {where} runs scripts/{script}, which changes the environment")
                for name, text in sorted(script_closure(root, script).items()):
                    findings.extend(
                        f"[drift] {label(step, index)}: scripts/{name} runs `{command}`"
                        for command in _changing_commands(text)
                    )
        return findings

    return rule
