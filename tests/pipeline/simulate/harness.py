"""Run a small synthetic cloudbuild.yaml through the simulator's executor, with real processes.

The same pieces `python -m pipeline simulate` uses (buildfile, substitution, prepare, toolbox,
steprun, executor), without a stack or a fake cloud: the steps run bash on the Cloud SDK image's
tool set, so what they can do is what the image provides.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pipeline.images import IMAGES
from pipeline.simulate import buildfile
from pipeline.simulate.buildlog import BuildLog
from pipeline.simulate.executor import BuildResult, execute
from pipeline.simulate.prepare import ImageEnvironment, Preparer
from pipeline.simulate.run import REPOSITORY
from pipeline.simulate.steprun import ProcessLauncher
from pipeline.simulate.substitution import ALLOW_LOOSE, Substitutions
from pipeline.simulate.toolbox import Toolbox
from pipeline.simulate.workspace import RunDir

CLOUD_SDK = IMAGES["cloud-sdk"].ref
BUILTINS = {"PROJECT_ID": "nwh-analytics-dev", "BUILD_ID": "b-0001", "LOCATION": "us-central1"}


@dataclass
class Outcome:
    result: BuildResult
    run: RunDir
    log: BuildLog

    def status(self, step_id: str) -> str:
        return self.result.by_id(step_id).status.value

    def output(self, step_id: str) -> str:
        index = [s.id for s in self.result.steps].index(step_id)
        path = self.log.step_log(index)
        return path.read_text(encoding="utf-8") if path.exists() else ""


def step(step_id: str, command: str, **extra: Any) -> dict[str, Any]:
    """A Cloud SDK step running one bash command."""
    return {"id": step_id, "name": CLOUD_SDK, "entrypoint": "bash", "args": ["-c", command], **extra}


def config(*steps: dict[str, Any], **build: Any) -> str:
    return yaml.safe_dump({"steps": list(steps), **build}, sort_keys=False)


def run_yaml(tmp_path: Path, text: str, user: dict[str, str] | None = None, option: str = ALLOW_LOOSE) -> Outcome:
    parsed = buildfile.parse(yaml.safe_load(text))
    run = RunDir(tmp_path / "run")
    run.create()
    toolbox = Toolbox(run.toolbox, run.world, REPOSITORY, {"cloud-sdk": CLOUD_SDK})
    toolbox.images = {"cloud-sdk": toolbox.images["cloud-sdk"]}
    toolbox.build()
    substitutions = Substitutions({**parsed.substitutions, **(user or {})}, BUILTINS, option)
    preparer = Preparer(
        parsed,
        substitutions,
        run,
        lambda image: ImageEnvironment(toolbox.path_for(image), toolbox.entrypoint(image)),
        secrets={},
    )
    prepared = {s.id: preparer.prepare(s) for s in parsed.steps}
    preparer.finish()
    log = BuildLog(run.logs, run.world, BUILTINS["BUILD_ID"], BUILTINS["PROJECT_ID"], "trigger")
    return Outcome(execute(parsed.steps, parsed.timeout, ProcessLauncher(prepared, log)), run, log)
