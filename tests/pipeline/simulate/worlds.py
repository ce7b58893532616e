"""A stack's fake world for tests, from the session's shared offline plan, and in-process fake calls."""

from __future__ import annotations

import io
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.simulate import trigger
from pipeline.simulate.program import offline_plan
from pipeline.simulate.stackworld import build_record, create_world
from pipeline.simulate.workspace import RunDir
from pipeline.simulate.world import state as world_state
from pipeline.simulate.world.cli import main
from tests.conftest import planned

BUILD_ID = "b-0123"


@dataclass
class Answer:
    code: int
    out: str
    err: str

    @property
    def json(self) -> Any:
        return json.loads(self.out)


@dataclass
class World:
    run: RunDir
    build: trigger.TriggeredBuild

    @property
    def path(self) -> Path:
        return self.run.world

    def call(self, tool: str, *argv: str) -> Answer:
        out, err = io.StringIO(), io.StringIO()
        code = main(self.path, tool, list(argv), out, err)
        return Answer(code, out.getvalue(), err.getvalue())

    def state(self) -> dict[str, Any]:
        return world_state.read(self.path)

    @property
    def project(self) -> str:
        return self.build.project_id

    @property
    def keyring(self) -> str:
        return self.build.substitutions["_KMS_KEYRING"]


# A step image of the build: Cloud Build has pulled it onto the worker, so `docker build` finds it.
STEP_IMAGE = "gcr.io/google.com/cloudsdktool/cloud-sdk:540.0.0"


def copy_world(template: World, tmp_path: Path) -> World:
    """A fresh copy of a built world (building one takes a third of a second; copying it, a few ms)."""
    shutil.copytree(template.run.root, tmp_path / "run", symlinks=True)
    return World(RunDir(tmp_path / "run"), template.build)


def make_world(tmp_path: Path, stack: str = "prod", pool: bool = True) -> World:
    plan = offline_plan(stack, planned(stack))
    build = trigger.from_plan(plan)
    run = RunDir(tmp_path / "run")
    run.create()
    env = build.substitutions["_ENVIRONMENT"]
    pool_name = f"projects/{build.project_id}/locations/{build.location}/workerPools/hipaa-{env}-build-pool"
    record = build_record(build, BUILD_ID, pool_name if pool else None, build.substitutions)
    create_world(run, plan, build, record, extract={}, pulled=(STEP_IMAGE,))
    return World(run, build)
