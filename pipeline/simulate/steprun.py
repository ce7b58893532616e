"""One step as a process: its command line, environment and directory, then run to its end.

What Cloud Build would run in the step's container runs here as a process group (so a timeout or a
cancellation kills everything the step started):
- `entrypoint` + `args`, or the image's own entrypoint + `args`, or the `script` written to a file
  and run by its shebang (`#!/bin/sh` when it has none);
- the image's environment (PATH: the image's tools only), HOME, a /tmp of its own, then the step's
  `env`, the automapped substitutions and its `secretEnv` values;
- `dir` below /workspace.
The command is looked up on the step's PATH as the container would: a tool the image lacks is not
found and the step fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pipeline.simulate.buildfile import StepSpec
from pipeline.simulate.buildlog import BuildLog
from pipeline.simulate.executor import Outcome, Status

NOT_FOUND_EXIT = 127
_POLL_SECONDS = 0.05


@dataclass(frozen=True)
class PreparedStep:
    spec: StepSpec
    argv: tuple[str, ...]
    env: Mapping[str, str]
    cwd: Path
    unknown_image: bool = False  # not in the inventory: the simulation cannot say what it provides


def resolve(command: str, env: Mapping[str, str], cwd: Path) -> str | None:
    """The executable the container would start: a path as given, else the first on PATH."""
    if "/" in command:
        path = Path(command) if command.startswith("/") else cwd / command
        return str(path) if path.is_file() and os.access(path, os.X_OK) else None
    return shutil.which(command, path=env.get("PATH", ""))


def _kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


@dataclass
class ProcessLauncher:
    """Starts prepared steps; the executor calls it from one thread per running step."""

    prepared: Mapping[str, PreparedStep]
    log: BuildLog

    def __call__(self, step: StepSpec, stop: threading.Event, deadline: float) -> Outcome:
        prepared = self.prepared[step.id]
        if prepared.unknown_image:
            self.log.write(step.index, step.label, f"simulation: image {step.name} is not in the image inventory")
            return Outcome(Status.FAILURE)
        executable = resolve(prepared.argv[0], prepared.env, prepared.cwd)
        if executable is None:
            self.log.write(step.index, step.label, f'exec: "{prepared.argv[0]}": executable file not found in $PATH')
            return Outcome(Status.FAILURE, NOT_FOUND_EXIT)
        if not prepared.cwd.is_dir():
            self.log.write(step.index, step.label, f"chdir {prepared.cwd}: no such file or directory")
            return Outcome(Status.FAILURE, NOT_FOUND_EXIT)
        process = subprocess.Popen(
            [executable, *prepared.argv[1:]],
            cwd=prepared.cwd,
            env=dict(prepared.env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        reader = threading.Thread(target=self._copy_output, args=(step, process), daemon=True)
        reader.start()
        status: Status | None = None
        while process.poll() is None:
            if stop.is_set():
                status = Status.CANCELLED
            elif time.monotonic() >= deadline:
                status = Status.TIMEOUT
            if status is not None:
                _kill(process)
                break
            time.sleep(_POLL_SECONDS)
        code = process.wait()
        # Whatever the step left behind in its group (a daemon, a grandchild) goes with it.
        _kill(process)
        reader.join(timeout=5)
        if status is not None:
            self.log.write(step.index, step.label, f"{status.value}: step stopped after it {_why(status)}")
            return Outcome(status)
        return Outcome(Status.SUCCESS if code == 0 else Status.FAILURE, code)

    def _copy_output(self, step: StepSpec, process: subprocess.Popen[bytes]) -> None:
        for raw in process.stdout or ():
            self.log.write(step.index, step.label, raw.decode("utf-8", errors="replace"))


def _why(status: Status) -> str:
    return "passed its timeout" if status == Status.TIMEOUT else "was cancelled (another step failed)"
