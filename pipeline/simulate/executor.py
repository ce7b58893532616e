"""Run steps as Cloud Build schedules them: `waitFor` order, real parallelism, timeouts, failure.

- A step starts when every step it waits for has ended SUCCESS or in a failure it is allowed
  (waitFor absent or empty: every earlier step; `-`: at once).
- A step longer than its timeout ends TIMEOUT; when the build's timeout passes, the steps still
  running are stopped (CANCELLED) and the build fails.
- `allowExitCodes` lets the build survive a step's FAILURE with one of those codes (and takes
  precedence over `allowFailure`); `allowFailure` lets it survive any FAILURE or TIMEOUT. Either way
  the step keeps its failed status.
- Any other failure fails the build: the steps still running are stopped and end CANCELLED, the
  steps that never started stay QUEUED.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from pipeline.simulate.buildfile import START_AT_ONCE, StepSpec


class Status(StrEnum):
    QUEUED = "QUEUED"
    WORKING = "WORKING"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    TIMEOUT = "TIMEOUT"
    CANCELLED = "CANCELLED"


@dataclass
class StepResult:
    id: str
    status: Status = Status.QUEUED
    seconds: float = 0.0
    exit_code: int | None = None
    allowed: bool = False  # a failure allowFailure / allowExitCodes lets the build survive


@dataclass
class BuildResult:
    success: bool
    steps: list[StepResult]
    seconds: float
    reason: str = ""  # why the build failed: the first failed step, or the build timeout

    def by_id(self, step_id: str) -> StepResult:
        return next(s for s in self.steps if s.id == step_id)


@dataclass(frozen=True)
class Outcome:
    status: Status  # SUCCESS, FAILURE, TIMEOUT or CANCELLED
    exit_code: int | None = None


# Runs one step until it ends, its deadline passes (TIMEOUT) or `stop` is set (CANCELLED).
Launcher = Callable[[StepSpec, threading.Event, float], Outcome]
Listener = Callable[[str, StepResult], None]


def dependencies(steps: Sequence[StepSpec]) -> dict[str, tuple[str, ...]]:
    """Each step's ids to wait for, Cloud Build's waitFor rules applied."""
    result: dict[str, tuple[str, ...]] = {}
    for position, step in enumerate(steps):
        if step.wait_for is None:
            result[step.id] = tuple(s.id for s in steps[:position])
        else:
            result[step.id] = tuple(d for d in step.wait_for if d != START_AT_ONCE)
    return result


def failure_allowed(step: StepSpec, outcome: Outcome) -> bool:
    if outcome.status == Status.SUCCESS:
        return True
    if step.allow_exit_codes:
        return outcome.status == Status.FAILURE and outcome.exit_code in step.allow_exit_codes
    return step.allow_failure and outcome.status in (Status.FAILURE, Status.TIMEOUT)


@dataclass
class _Run:
    steps: Sequence[StepSpec]
    launch: Launcher
    listener: Listener | None
    results: dict[str, StepResult] = field(default_factory=dict)
    done: queue.Queue[tuple[str, Outcome, float]] = field(default_factory=queue.Queue)
    stop: threading.Event = field(default_factory=threading.Event)
    running: set[str] = field(default_factory=set)
    reason: str = ""

    def notify(self, event: str, step_id: str) -> None:
        if self.listener is not None:
            self.listener(event, self.results[step_id])

    def start(self, step: StepSpec) -> None:
        self.results[step.id].status = Status.WORKING
        self.running.add(step.id)
        self.notify("start", step.id)
        began = time.monotonic()
        deadline = began + step.timeout if step.timeout is not None else float("inf")

        def body() -> None:
            try:
                outcome = self.launch(step, self.stop, deadline)
            # A launcher bug must fail the step, never hang the build: whatever it raises is caught.
            except Exception as error:  # pylint: disable=broad-exception-caught
                outcome = Outcome(Status.FAILURE)
                self.reason = self.reason or f"step {step.id}: simulator error: {error}"
            self.done.put((step.id, outcome, time.monotonic() - began))

        threading.Thread(target=body, name=f"step-{step.id}", daemon=True).start()


def execute(
    steps: Sequence[StepSpec], build_timeout: float, launch: Launcher, listener: Listener | None = None
) -> BuildResult:
    run = _Run(steps, launch, listener, {s.id: StepResult(s.id) for s in steps})
    waits = dependencies(steps)
    by_id = {s.id: s for s in steps}
    began = time.monotonic()
    deadline = began + build_timeout
    failed = False
    while True:
        if not failed:
            for step in steps:
                result = run.results[step.id]
                if result.status == Status.QUEUED and all(
                    run.results[d].status not in (Status.QUEUED, Status.WORKING) and run.results[d].allowed
                    for d in waits[step.id]
                ):
                    run.start(step)
        if not run.running:
            break
        try:
            step_id, outcome, seconds = run.done.get(timeout=max(0.0, min(deadline - time.monotonic(), 0.5)))
        except queue.Empty:
            if time.monotonic() >= deadline and not failed:
                failed = True
                run.reason = f"build timeout {build_timeout:g}s passed"
                run.stop.set()
            continue
        run.running.discard(step_id)
        result = run.results[step_id]
        result.status, result.exit_code, result.seconds = outcome.status, outcome.exit_code, seconds
        result.allowed = failure_allowed(by_id[step_id], outcome)
        run.notify("end", step_id)
        if not result.allowed and not failed:
            failed = True
            run.reason = run.reason or f"step {step_id} ended {outcome.status}" + (
                f" (exit {outcome.exit_code})" if outcome.exit_code is not None else ""
            )
            run.stop.set()
    return BuildResult(not failed, [run.results[s.id] for s in steps], time.monotonic() - began, run.reason)
