"""Scripts: every gate's and every required script called, deploys only through approving scripts,
the contract environment on every script step, and every referenced script present and executable."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

from pipeline.checks.text import command, label, scripts_called, steps
from pipeline.contract import DEPLOYING_SCRIPTS, REQUIRED_SCRIPTS, STEP_ENV
from pipeline.gates import GATES
from pipeline.model import Json

# Commands that change an environment. In a step they must sit inside a deploying script, which
# checks prod approval first (require_prod_approval), never inline.
_DEPLOY_COMMANDS = re.compile(
    r"\bpulumi\s+(up|destroy|refresh)\b"
    r"|\bkubectl\s+(apply|create|replace|patch|delete|set|rollout|scale)\b"
    r"|\bhelm\s+(install|upgrade|uninstall)\b"
    r"|\bgcloud(\s+[\w.-]+){1,4}?\s+(deploy-model|deploy|create|delete|update|submit|import)(?![\w-])"
    r"|\bbq\s+(mk|rm|update|load|cp)\b"
    r"|\bterraform\s+(apply|destroy)\b"
)


def _called(build: Json) -> set[str]:
    return {script for step in steps(build) for script in scripts_called(step)}


def gate_scripts_called(build: Json) -> list[str]:
    called = _called(build)
    return [f"[scripts] gate {g.id}: no step runs scripts/{g.script}" for g in GATES if g.script not in called]


def required_scripts_called(build: Json) -> list[str]:
    called = _called(build)
    return [
        f"[scripts] required script scripts/{s} is not called by any step" for s in REQUIRED_SCRIPTS if s not in called
    ]


def _inline_deploy(text: str) -> str | None:
    match = _DEPLOY_COMMANDS.search(text)
    return match.group(0) if match else None


def deploys_through_approving_scripts(build: Json) -> list[str]:
    """A deploy step is one that runs a deploying script, has a deploy-like id, or deploys inline;
    each must run a deploying script and deploy nothing outside it."""
    findings = []
    for index, step in enumerate(steps(build)):
        inline = _inline_deploy(command(step))
        deploying = scripts_called(step) & DEPLOYING_SCRIPTS
        step_id = str(step.get("id") or "")
        if inline:
            findings.append(f"[deploy] {label(step, index)} deploys inline ({inline!r}); use a deploying script")
        elif step_id.startswith("deploy") and not deploying:
            findings.append(
                f"[deploy] {label(step, index)} runs no deploying script ({', '.join(sorted(DEPLOYING_SCRIPTS))})"
            )
    return findings


def contract_env(build: Json) -> list[str]:
    findings = []
    for index, step in enumerate(steps(build)):
        if not scripts_called(step):
            continue
        env = step.get("env") or []
        missing = [entry for entry in STEP_ENV if entry not in env]
        if missing:
            findings.append(f"[env] {label(step, index)} lacks the contract environment: {', '.join(missing)}")
    return findings


def scripts_exist(root: Path) -> Callable[[Json], list[str]]:
    def rule(build: Json) -> list[str]:
        findings = []
        for script in sorted(_called(build)):
            path = root / "scripts" / script
            if not path.is_file():
                findings.append(f"[scripts] scripts/{script} does not exist")
            elif not os.access(path, os.X_OK):
                findings.append(f"[scripts] scripts/{script} is not executable")
        return findings

    return rule
