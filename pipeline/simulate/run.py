"""One simulated build of a stack: plan, trigger, workspace, toolbox, world, faults, then the steps."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pipeline.images import IMAGES
from pipeline.simulate import buildfile, trigger
from pipeline.simulate.buildfile import BuildFileError, StepSpec
from pipeline.simulate.buildlog import BuildLog
from pipeline.simulate.executor import BuildResult, Listener, StepResult, dependencies, execute
from pipeline.simulate.prepare import ImageEnvironment, Preparer
from pipeline.simulate.program import PlannedResource, offline_plan
from pipeline.simulate.pyhooks import write_hooks
from pipeline.simulate.pypi import Mirror
from pipeline.simulate.stackworld import build_record, create_world
from pipeline.simulate.standins import swap_model_pin
from pipeline.simulate.steprun import ProcessLauncher
from pipeline.simulate.substitution import ALLOW_LOOSE, SubstitutionError, Substitutions
from pipeline.simulate.toolbox import Toolbox
from pipeline.simulate.violations import Fault, apply_faults
from pipeline.simulate.workspace import RunDir, copy_source
from pipeline.simulate.world import state as world_state

REPOSITORY = Path(__file__).resolve().parents[2]


@dataclass
class Options:
    stack: str
    faults: Sequence[Fault] = ()
    repository: Path = REPOSITORY
    run_root: Path | None = None
    planned: tuple[PlannedResource, ...] | None = None  # an existing plan of the stack (tests)
    only_steps: Sequence[str] | None = None  # run this subset (and what it waits for) as its own build
    allow_failure: Sequence[str] = ()  # debugging: run as if these steps had allowFailure: true
    timeout_scale: float = 1.0  # a host slower than the pool's e2-standard-8: every timeout times this
    listener: Listener | None = None


@dataclass
class Simulation:
    build_id: str
    run: RunDir
    result: BuildResult
    deploy_steps: tuple[str, ...]
    report: Path | None
    unmodelled: list[dict[str, Any]] = field(default_factory=list)
    stand_ins: list[str] = field(default_factory=list)  # what this machine cannot have (standins.py)

    @property
    def verdict(self) -> str:
        return "SUCCESS" if self.result.success else "FAILURE"

    def notifications(self) -> list[dict[str, Any]]:
        """The messages the build published to Pub/Sub (notify-security: one per build, its verdict)."""
        messages: list[dict[str, Any]] = world_state.read(self.run.world)["pubsub"]["messages"]
        return messages

    def started(self, step_id: str) -> bool:
        return self.result.by_id(step_id).status.value != "QUEUED"


def subset(steps: Sequence[StepSpec], wanted: Sequence[str]) -> tuple[StepSpec, ...]:
    """The wanted steps and everything they wait for, with waitFor made explicit among them."""
    waits = dependencies(steps)
    keep: set[str] = set()
    todo = list(wanted)
    while todo:
        step_id = todo.pop()
        if step_id not in waits:
            raise BuildFileError(f"no step {step_id!r} in the config")
        if step_id not in keep:
            keep.add(step_id)
            todo.extend(waits[step_id])
    kept = [s for s in steps if s.id in keep]
    return tuple(replace(s, index=i, wait_for=tuple(waits[s.id]) or ("-",)) for i, s in enumerate(kept))


def deploy_steps(steps: Sequence[StepSpec]) -> tuple[str, ...]:
    """Steps that run a deploying script (pipeline/contract.py DEPLOYING_SCRIPTS)."""
    from pipeline.contract import DEPLOYING_SCRIPTS

    return tuple(s.id for s in steps if any(f"scripts/{name}" in " ".join(s.args) for name in DEPLOYING_SCRIPTS))


def simulate(options: Options) -> Simulation:
    plan = offline_plan(options.stack, options.planned)
    triggered = trigger.from_plan(plan)
    build_id = trigger.new_build_id()
    commit = trigger.commit_sha(options.repository)
    root = options.run_root or Path(tempfile.mkdtemp(prefix=f"simulate-{options.stack}-"))
    run = RunDir(root)
    run.create()
    copy_source(options.repository, run.workspace)
    config = buildfile.load(run.workspace / triggered.config_path)
    steps = subset(config.steps, options.only_steps) if options.only_steps else config.steps
    unknown = set(options.allow_failure) - {s.id for s in steps}
    if unknown:
        raise BuildFileError(f"--allow-failure names no step of the build: {sorted(unknown)}")
    steps = tuple(replace(s, allow_failure=True) if s.id in options.allow_failure else s for s in steps)
    steps, stand_ins = swap_model_pin(steps)
    if options.timeout_scale != 1.0:
        scale = options.timeout_scale
        steps = tuple(replace(s, timeout=s.timeout * scale) if s.timeout else s for s in steps)
        config = replace(config, timeout=config.timeout * scale)
    builtins = trigger.builtins(triggered, build_id, commit)
    user = {**config.substitutions, **triggered.substitutions}
    images = {key: Substitutions(user, builtins).expand(image.ref) for key, image in IMAGES.items()}
    toolbox = Toolbox(run.toolbox, run.world, REPOSITORY, images)  # this machine's tools, not the source's
    toolbox.build()
    pool = (config.options.get("pool") or {}).get("name")
    record = build_record(triggered, build_id, Substitutions(user, builtins).expand(pool) if pool else None, user)
    pulled = sorted({Substitutions(user, builtins, ALLOW_LOOSE).expand(s.name) for s in steps})
    create_world(run, plan, triggered, record, toolbox.extractable(), pulled=pulled)
    apply_faults(options.faults, run)
    log = BuildLog(run.logs, run.world, build_id, triggered.project_id, triggered.trigger_name)
    with Mirror(run.root / "network", triggered.substitutions.get("_DATAPROC_REGION", triggered.location)) as mirror:
        substitutions = Substitutions(user, builtins, ALLOW_LOOSE)
        preparer = Preparer(
            config,
            substitutions,
            run,
            lambda image: ImageEnvironment(
                toolbox.path_for(image), toolbox.entrypoint(image), toolbox.directories(image)
            ),
            secrets={},
            network=mirror.environment(),
            python_hooks=str(write_hooks(run.root / "hooks", run.world)),
        )
        try:
            prepared = {s.id: preparer.prepare(s) for s in steps}
            preparer.finish()
        except (SubstitutionError, BuildFileError) as error:
            refused = BuildResult(False, [StepResult(s.id) for s in steps], 0.0, f"build refused: {error}")
            return Simulation(build_id, run, refused, deploy_steps(steps), None)
        result = execute(steps, config.timeout, ProcessLauncher(prepared, log), options.listener)
    return Simulation(
        build_id,
        run,
        result,
        deploy_steps(steps),
        _report(run, triggered, build_id),
        world_state.journal(run.world, world_state.UNMODELLED),
        stand_ins,
    )


def _report(run: RunDir, build: trigger.TriggeredBuild, build_id: str) -> Path | None:
    """The report.json the build uploaded to gs://COMPLIANCE_BUCKET/reports/BUILD_ID/, on local disk."""
    state = world_state.read(run.world)
    bucket = build.substitutions.get("_COMPLIANCE_BUCKET", "")
    versions = state["storage"]["objects"].get(f"{bucket}/reports/{build_id}/report.json")
    if not versions:
        return None
    return run.world / world_state.GCS / bucket / f"reports/{build_id}/report.json@{versions[-1]['generation']}"
