"""The scratch directory a simulated build lives in, and the `/workspace` it stands for.

    <run>/workspace        the build's source: a copy of the repository's tracked files (what a
                           triggered build checks out), the working directory of every step
    <run>/builder/home     HOME, shared by the steps as Cloud Build's /builder/home is
    <run>/tmp/<step>       each step's own /tmp (TMPDIR): containers do not share /tmp
    <run>/world            the fake cloud's state, Cloud Logging and Cloud Storage
    <run>/toolbox          per-image directories of tool shims (each step's PATH)
    <run>/logs             each step's output

The config names `/workspace/...` literally. No step runs in a container here, so the simulator
rewrites that prefix (in args, env values, dir and script text) to <run>/workspace; nothing a step
is told to write lies outside the run directory.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

CONTAINER_WORKSPACE = "/workspace"
CONTAINER_HOME = "/builder/home"
# `/workspace` as a path: not inside a longer name (`/workspaces`, `x/workspace`).
_PREFIX = re.compile(r"(?<![\w./-])/workspace(?=/|$|[^\w.-])")


@dataclass(frozen=True)
class RunDir:
    root: Path

    @property
    def workspace(self) -> Path:
        return self.root / "workspace"

    @property
    def home(self) -> Path:
        return self.root / "builder" / "home"

    @property
    def world(self) -> Path:
        return self.root / "world"

    @property
    def toolbox(self) -> Path:
        return self.root / "toolbox"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    def tmp(self, step_index: int) -> Path:
        path = self.root / "tmp" / f"step-{step_index}"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def map_paths(self, text: str) -> str:
        """`/workspace/...` as the container sees it -> the same path under the run directory."""
        return _PREFIX.sub(lambda _: str(self.workspace), text)

    def create(self) -> None:
        for path in (self.workspace, self.home, self.world, self.toolbox, self.logs):
            path.mkdir(parents=True, exist_ok=True)


def tracked_files(repository: Path) -> list[str]:
    completed = subprocess.run(["git", "-C", str(repository), "ls-files", "-z"], capture_output=True, check=False)
    if completed.returncode != 0:
        raise OSError(f"{repository}: git ls-files failed: {completed.stderr.decode(errors='replace').strip()}")
    return [name for name in completed.stdout.decode("utf-8").split("\0") if name]


def copy_source(repository: Path, workspace: Path) -> int:
    """Copy the tracked files (as they are in the working tree) into the workspace; returns how many.

    A tracked file deleted in the working tree is left out, as a commit of the tree would leave it.
    """
    count = 0
    for name in tracked_files(repository):
        source = repository / name
        if not source.is_file() and not source.is_symlink():
            continue
        target = workspace / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
        count += 1
    return count
