"""Policy: blocking scanner flags, short inline shell, timeouts, pinned images from allowed sources,
the step limit, the perimeter's build options, secrets only through Secret Manager, and which steps
may fail without stopping the build."""

from __future__ import annotations

import re
from typing import Any

from pipeline.checks.graph import allowed_to_fail, verdict_gates
from pipeline.checks.text import command, label, scripts_called, steps
from pipeline.checks.text import inline_shell as shell_of
from pipeline.contract import (
    DEPLOYING_SCRIPTS,
    MAX_INLINE_SHELL_COMMANDS,
    MAX_INLINE_SHELL_LINE_CHARS,
    MAX_INLINE_SHELL_LINES,
    MAX_STEPS,
    MAX_TIMEOUT_SECONDS,
    NOTIFY_SCRIPT,
    RECORDED_FAIL_EXIT,
    REFUSED_SCRIPT,
    REPORT_SCRIPT,
)
from pipeline.dag import critical_path, parse_duration
from pipeline.gates import GATES
from pipeline.images import ALLOWED_IMAGE_PREFIXES
from pipeline.model import Json

_VERSION_QUERY = re.compile(r"^\s*(--version|-v|version)(\s|$)")
_POOL = re.compile(r"^projects/[^/]+/locations/[^/]+/workerPools/[^/]+$")
_SECRET_VERSION = re.compile(r"^projects/[^/]+/secrets/[^/]+/versions/\d+$")
# Command separators. Counted without parsing quotes: a separator inside a string counts too, which
# errs on the side of "too much shell" (the rule's job is to push logic into tested scripts).
_COMMAND_SEPARATOR = re.compile(r";|&&|\|\||\n")


def _calls(step: Json, tool: str) -> list[str]:
    """The argument text of each direct call of `tool` in a step (not a script that wraps it)."""
    name = step.get("name")
    if step.get("entrypoint") is None and isinstance(name, str) and _basename(name) == tool:
        return [" ".join(a for a in step.get("args") or [] if isinstance(a, str))]
    entry = step.get("entrypoint")
    if isinstance(entry, str) and entry.rsplit("/", 1)[-1] == tool:
        return [" ".join(a for a in step.get("args") or [] if isinstance(a, str))]
    # The tool in command position: after a separator or exec, past any VAR=value prefixes.
    pattern = re.compile(
        rf"(?:^|[;&|(\n]|\bexec\b|\bthen\b|\bdo\b)\s*(?:[A-Za-z_]\w*=\S*\s+)*(?:[\w./-]*/)?{tool}(?=\s|$)"
        r"([^;&|\n)]*)"
    )
    # A bare path (copying the binary) or a version query is not a scan.
    return [
        m.group(1)
        for m in pattern.finditer(command(step))
        if m.group(1).strip() and not _VERSION_QUERY.match(m.group(1))
    ]


def _basename(image: str) -> str:
    last = image.split("@", 1)[0].rsplit("/", 1)[-1]
    return last.split(":", 1)[0]


def _flag_values(args: str, flag: str) -> list[str]:
    return re.findall(rf"{flag}(?:=|\s+)(\S+)", args)


def scanner_flags(build: Json) -> list[str]:
    findings = []
    for index, step in enumerate(steps(build)):
        for args in _calls(step, "trivy"):
            if "1" not in [v.strip("'\"") for v in _flag_values(args, "--exit-code")]:
                findings.append(f"[scanner] {label(step, index)} runs trivy without --exit-code 1")
            severities = {s for v in _flag_values(args, "--severity") for s in v.strip("'\"").split(",")}
            if not {"HIGH", "CRITICAL"} <= severities:
                findings.append(f"[scanner] {label(step, index)} runs trivy without --severity HIGH,CRITICAL")
        for args in _calls(step, "semgrep"):
            if not re.search(r"(^|\s)--error(\s|$)", args):
                findings.append(f"[scanner] {label(step, index)} runs semgrep without --error")
    return findings


def shell_commands(text: str) -> list[str]:
    """The commands of an inline shell text: the non-blank pieces between `;`, `&&`, `||`, newlines."""
    return [piece.strip() for piece in _COMMAND_SEPARATOR.split(text) if piece.strip()]


def inline_shell(build: Json) -> list[str]:
    findings = []
    for index, step in enumerate(steps(build)):
        text = shell_of(step)
        if text is None:
            continue
        where = label(step, index)
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) > MAX_INLINE_SHELL_LINES:
            findings.append(
                f"[inline-shell] {where} has {len(lines)} lines of inline shell"
                f" (at most {MAX_INLINE_SHELL_LINES}; move the logic into a script)"
            )
        commands = shell_commands(text)
        if len(commands) > MAX_INLINE_SHELL_COMMANDS:
            findings.append(
                f"[inline-shell] {where} has {len(commands)} commands of inline shell"
                f" (at most {MAX_INLINE_SHELL_COMMANDS}; move the logic into a script)"
            )
        if len(commands) > 1:
            longest = max(len(line) for line in lines)
            if longest > MAX_INLINE_SHELL_LINE_CHARS:
                findings.append(
                    f"[inline-shell] {where} has a {longest}-character line of inline shell"
                    f" (at most {MAX_INLINE_SHELL_LINE_CHARS} unless the step is one command; move the logic"
                    " into a script)"
                )
    return findings


def step_timeouts(build: Json) -> list[str]:
    limit = parse_duration(build.get("timeout")) or MAX_TIMEOUT_SECONDS
    findings = []
    for index, step in enumerate(steps(build)):
        seconds = parse_duration(step.get("timeout"))
        if "timeout" not in step:
            findings.append(f"[timeout] {label(step, index)} has no timeout")
        elif seconds is None:
            findings.append(f"[timeout] {label(step, index)} timeout {step['timeout']!r} is not a duration like '600s'")
        elif seconds > min(limit, MAX_TIMEOUT_SECONDS):
            findings.append(
                f"[timeout] {label(step, index)} timeout {seconds:g}s exceeds the build's {limit:g}s or 24 h"
            )
    return findings


def build_timeout(build: Json) -> list[str]:
    seconds = parse_duration(build.get("timeout"))
    if seconds is None:
        return ["[timeout] the build has no timeout like '21600s'"]
    if seconds > MAX_TIMEOUT_SECONDS:
        return [f"[timeout] the build timeout {seconds:g}s exceeds Cloud Build's 24 h"]
    try:
        stats = critical_path(steps(build))
    except ValueError:
        return []  # a step without a timeout or a cycle: reported by their own rules
    if stats.critical_seconds > seconds:
        return [f"[timeout] the critical path ({stats.critical_seconds:g}s) cannot finish within the build timeout"]
    return []


def images_pinned(build: Json) -> list[str]:
    findings = []
    for index, step in enumerate(steps(build)):
        name = step.get("name")
        if not isinstance(name, str) or not name:
            findings.append(f"[image] {label(step, index)} has no image")
            continue
        if "@sha256:" not in name:
            tag = name.rsplit("/", 1)[-1].partition(":")[2]
            if not tag or tag == "latest":
                findings.append(f"[image] {label(step, index)} image {name} is not pinned to a version")
        if not name.startswith(ALLOWED_IMAGE_PREFIXES):
            findings.append(f"[image] {label(step, index)} image {name} is neither Google's nor from the mirrors")
    return findings


def step_count(build: Json) -> list[str]:
    count = len(steps(build))
    return [f"[steps] {count} steps; Cloud Build refuses more than {MAX_STEPS}"] if count > MAX_STEPS else []


def _get(data: Any, *path: str) -> Any:
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def perimeter_options(build: Json) -> list[str]:
    findings = []
    if _get(build, "options", "logging") != "CLOUD_LOGGING_ONLY":
        findings.append("[options] options.logging must be CLOUD_LOGGING_ONLY (no default logs bucket in a perimeter)")
    pool = _get(build, "options", "pool", "name")
    if not isinstance(pool, str) or not _POOL.match(pool):
        findings.append("[options] options.pool.name must name the private pool projects/P/locations/L/workerPools/ID")
    if _get(build, "options", "substitutionOption") is None:
        findings.append("[options] options.substitutionOption must be set deliberately")
    return findings


def secrets(build: Json) -> list[str]:
    available = _get(build, "availableSecrets", "secretManager") or []
    declared = {s.get("env"): s.get("versionName") for s in available if isinstance(s, dict)}
    findings = [
        f"[secrets] secret {env} is not pinned to a numbered version ({version})"
        for env, version in declared.items()
        if not isinstance(version, str) or not _SECRET_VERSION.match(version)
    ]
    used: set[object] = set()
    for index, step in enumerate(steps(build)):
        env_names = {str(e).split("=", 1)[0] for e in step.get("env") or []}
        for name in step.get("secretEnv") or []:
            used.add(name)
            if name not in declared:
                findings.append(f"[secrets] {label(step, index)} lists secret {name}, not in availableSecrets")
            if name in env_names:
                findings.append(f"[secrets] {label(step, index)} also sets secret {name} in plain env")
    findings.extend(f"[secrets] secret {env} is declared but no step uses it" for env in declared if env not in used)
    return findings


_GATE_SCRIPTS = {g.id: g.script for g in GATES}


def _why_not_allowed(step: Json) -> str | None:
    """Why this step may not be allowed to fail, or None when it may."""
    called = scripts_called(step)
    codes = step.get("allowExitCodes") or []
    if called & DEPLOYING_SCRIPTS:
        return "it deploys: a failed deploy must stop the build"
    if verdict_gates(step) is not None:
        return "it is a deploy verdict: its failure is what keeps the deploys from starting"
    refused = REFUSED_SCRIPT in called
    if codes:
        if codes != [RECORDED_FAIL_EXIT] or step.get("allowFailure") is True:
            return f"allowExitCodes may only be [{RECORDED_FAIL_EXIT}] (a FAIL verdict recorded), without allowFailure"
        if REPORT_SCRIPT not in called and not (refused and NOTIFY_SCRIPT in called):
            return "only the compliance report and a refused build's notification record a FAIL with that code"
        return None
    gate_script = _GATE_SCRIPTS.get(str(step.get("id") or ""))
    if refused or (gate_script is not None and gate_script in called):
        return None
    return "only a gate (its evidence records the failure) or a refused build's record may fail"


def allowed_failures(build: Json) -> list[str]:
    """allowFailure and allowExitCodes only where a verdict or the report still sees the failure."""
    return [
        f"[allow-failure] {label(step, index)} may not be allowed to fail: {why}"
        for index, step in enumerate(steps(build))
        if allowed_to_fail(step) and (why := _why_not_allowed(step)) is not None
    ]
