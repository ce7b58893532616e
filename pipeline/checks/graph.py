"""The step graph: unique ids, waitFor only on earlier steps, no cycle, and the order that matters:
release check first, every deploy behind every pre-deploy gate and behind the deploy verdict, a refused
build's record before that verdict, the final report and notification last."""

from __future__ import annotations

from pipeline.checks.text import label, script_arguments, scripts_called, steps
from pipeline.contract import (
    DEPLOYING_SCRIPTS,
    INFRA_SCRIPT,
    NOTIFY_SCRIPT,
    PRE_DEPLOY_GATES,
    REFUSED_SCRIPT,
    RELEASE_SCRIPT,
    REPORT_SCRIPT,
    VERDICT_SCRIPT,
)
from pipeline.dag import ancestors, dependencies, find_cycle, step_key
from pipeline.gates import gate
from pipeline.model import Json


def unique_ids(build: Json) -> list[str]:
    findings: list[str] = []
    seen: set[str] = set()
    for index, step in enumerate(steps(build)):
        step_id = step.get("id")
        if not isinstance(step_id, str) or not step_id:
            findings.append(f"[ids] step #{index} has no id")
        elif step_id in seen:
            findings.append(f"[ids] step id {step_id} is used more than once")
        else:
            seen.add(step_id)
    return findings


def wait_for_order(build: Json) -> list[str]:
    all_ids = {s.get("id") for s in steps(build)}
    findings: list[str] = []
    earlier: set[object] = set()
    for index, step in enumerate(steps(build)):
        wait_for = step.get("waitFor") or []
        if "-" in wait_for and len(wait_for) > 1:
            findings.append(f"[waitFor] {label(step, index)}: '-' (start at once) mixed with step ids")
        for name in wait_for:
            if name == "-" or name in earlier:
                continue
            if name == step.get("id"):
                findings.append(f"[waitFor] {label(step, index)} waits for itself")
            elif name in all_ids:
                findings.append(f"[waitFor] {label(step, index)} waits for {name}, which comes later")
            else:
                findings.append(f"[waitFor] {label(step, index)} waits for unknown id {name}")
        earlier.add(step.get("id"))
    return findings


def wait_for_cycles(build: Json) -> list[str]:
    # dependencies() keeps later ids too, so a cycle built from forward references shows here.
    cycle = find_cycle(dependencies(steps(build)))
    return [f"[waitFor] waitFor forms a cycle: {' -> '.join(cycle)}"] if cycle else []


def _steps_calling(build: Json, script: str, refused: bool | None = None) -> list[str]:
    """Steps that run `script`; with `refused`, only those that do (True) or do not (False) run it
    through when-refused.sh (the refused build's record)."""
    return [
        step_key(s, i)
        for i, s in enumerate(steps(build))
        if script in scripts_called(s) and (refused is None or (REFUSED_SCRIPT in scripts_called(s)) == refused)
    ]


def allowed_to_fail(step: Json) -> bool:
    return step.get("allowFailure") is True or bool(step.get("allowExitCodes"))


def verdict_gates(step: Json) -> set[str] | None:
    """The gates a step's own verdict call covers (require-gates-passed.sh ENV GATE...), or None when the
    step runs no verdict of its own (a guard with `-- scripts/...` guards its script, not the deploys)."""
    words = script_arguments(step, VERDICT_SCRIPT)
    if words is None or "--" in words:
        return None
    return set(words[1:])


def _verdict_steps(build: Json) -> list[str]:
    """Steps that refuse the deploys: a verdict over every pre-deploy gate that may not fail."""
    return [
        step_key(s, i)
        for i, s in enumerate(steps(build))
        if (gates := verdict_gates(s)) is not None and set(PRE_DEPLOY_GATES) <= gates and not allowed_to_fail(s)
    ]


def release_first(build: Json) -> list[str]:
    all_steps = steps(build)
    if not all_steps or RELEASE_SCRIPT not in scripts_called(all_steps[0]):
        return [f"[order] the first step must run scripts/{RELEASE_SCRIPT}"]
    first = step_key(all_steps[0], 0)
    deps = dependencies(all_steps)
    return [
        f"[order] {label(s, i)} does not wait (directly or not) for the release check {first}"
        for i, s in enumerate(all_steps[1:], start=1)
        if first not in ancestors(deps, step_key(s, i))
    ]


def deploys_behind_gates(build: Json) -> list[str]:
    """Every step that runs a deploying script waits, transitively, for a step of every pre-deploy gate."""
    all_steps = steps(build)
    deps = dependencies(all_steps)
    gate_steps = {g: set(_steps_calling(build, gate(g).script)) for g in PRE_DEPLOY_GATES}
    findings = []
    for index, step in enumerate(all_steps):
        if not scripts_called(step) & DEPLOYING_SCRIPTS:
            continue
        before = ancestors(deps, step_key(step, index))
        missing = [g for g, keys in gate_steps.items() if not keys & before]
        if missing:
            findings.append(f"[order] deploy {label(step, index)} does not wait for gate(s): {', '.join(missing)}")
    return findings


def deploys_behind_verdict(build: Json) -> list[str]:
    """The gates may be allowed to fail, so every deploying step must wait for a verdict step: one that
    runs require-gates-passed.sh over every pre-deploy gate and is not allowed to fail."""
    all_steps = steps(build)
    deps = dependencies(all_steps)
    verdicts = set(_verdict_steps(build))
    deploying = [(i, s) for i, s in enumerate(all_steps) if scripts_called(s) & DEPLOYING_SCRIPTS]
    if deploying and not verdicts:
        return [
            f"[order] no step runs scripts/{VERDICT_SCRIPT} over every pre-deploy gate without allowFailure"
            " or allowExitCodes: nothing keeps a deploy from starting after a failed gate"
        ]
    return [
        f"[order] deploy {label(s, i)} does not wait for the deploy verdict ({', '.join(sorted(verdicts))})"
        for i, s in deploying
        if not verdicts & ancestors(deps, step_key(s, i))
    ]


def refused_record_before_verdict(build: Json) -> list[str]:
    """A refused build's record (final PHI log scan, report, notification, through when-refused.sh)
    runs after every pre-deploy gate and before the deploy verdict stops the build."""
    all_steps = steps(build)
    deps = dependencies(all_steps)
    record = [
        _steps_calling(build, script, refused=True) for script in ("run-phi-log-scan.sh", REPORT_SCRIPT, NOTIFY_SCRIPT)
    ]
    if any(len(keys) != 1 for keys in record):
        return [
            f"[order] expected exactly one step each running run-phi-log-scan.sh, {REPORT_SCRIPT} and"
            f" {NOTIFY_SCRIPT} through {REFUSED_SCRIPT} (the refused build's record)"
        ]
    scan, report, notify = (keys[0] for keys in record)
    findings = []
    gate_steps = {g: set(_steps_calling(build, gate(g).script, refused=False)) for g in PRE_DEPLOY_GATES}
    missing = [g for g, keys in gate_steps.items() if not keys & ancestors(deps, scan)]
    if missing:
        findings.append(f"[order] the refused record {scan} does not wait for gate(s): {', '.join(missing)}")
    for later, earlier in ((report, scan), (notify, report)):
        if earlier not in ancestors(deps, later):
            findings.append(f"[order] the refused record {later} does not wait for {earlier}")
    findings.extend(
        f"[order] the deploy verdict {v} does not wait for the refused record {notify}"
        for v in _verdict_steps(build)
        if notify not in ancestors(deps, v)
    )
    return findings


def infra_deploy_alone(build: Json) -> list[str]:
    """Nothing may run beside `pulumi up`: a failing neighbour would make Cloud Build cancel it half-way."""
    all_steps = steps(build)
    deps = dependencies(all_steps)
    keys = [step_key(s, i) for i, s in enumerate(all_steps)]
    findings = []
    for infra in _steps_calling(build, INFRA_SCRIPT):
        before = ancestors(deps, infra)
        after = {k for k in keys if infra in ancestors(deps, k)}
        beside = [k for k in keys if k != infra and k not in before and k not in after]
        if beside:
            findings.append(f"[order] {', '.join(beside)} may run while {infra} ({INFRA_SCRIPT}) runs")
    return findings


def report_last(build: Json) -> list[str]:
    """The final report waits for every other step but the notification, which waits for the report
    (the refused build's record, through when-refused.sh, is checked by its own rule)."""
    all_steps = steps(build)
    deps = dependencies(all_steps)
    keys = [step_key(s, i) for i, s in enumerate(all_steps)]
    reports = _steps_calling(build, REPORT_SCRIPT, refused=False)
    notifies = _steps_calling(build, NOTIFY_SCRIPT, refused=False)
    if len(reports) != 1 or len(notifies) != 1:
        return [
            f"[order] expected exactly one step each running {REPORT_SCRIPT} and {NOTIFY_SCRIPT} (not through"
            f" {REFUSED_SCRIPT})"
        ]
    report, notify = reports[0], notifies[0]
    findings = []
    missing = [k for k in keys if k not in (report, notify) and k not in ancestors(deps, report)]
    if missing:
        findings.append(f"[order] the report {report} does not wait for: {', '.join(missing)}")
    if report not in ancestors(deps, notify):
        findings.append(f"[order] the notification {notify} does not wait for the report {report}")
    return findings
