"""Each image's PATH, built as a directory of shims: exactly the tools the image provides.

A tool is either real (a link to this machine's binary: bash, jq, make, git, python3, coreutils,
Checkov from .venv-tools, Semgrep from .tools/semgrep) or the fake world's (gcloud, bq, gsutil,
kubectl, docker, trivy, cosign, pulumi, prowler, the ZAP scripts: a small script that hands the
call to pipeline/simulate/world/main.py with the run's world directory). A tool the image lacks is
not in its directory, so a step that calls it fails as it would on Cloud Build.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.simulate.inventory import BARE_IMAGES, BASE_TOOLS, IMAGE_TOOLS

WORLD_TOOLS = frozenset(
    {"gcloud", "bq", "gsutil", "kubectl", "docker", "trivy", "cosign", "pulumi", "prowler"}
    | {"zap-baseline.py", "zap-api-scan.py"}
)
# Where this machine's own tools are looked up (never the caller's PATH: it may hold real cloud CLIs).
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
SIMULATOR_ROOT = Path(__file__).resolve().parents[2]
WORLD_MAIN = Path(__file__).resolve().parent / "world" / "main.py"


class ToolboxError(Exception):
    """This machine lacks a tool an image needs (one line naming it)."""


def local_tools(repository: Path) -> dict[str, Path]:
    """Real tools whose binary is not simply the first on the system PATH."""
    return {
        "python3": Path(sys.base_prefix) / "bin" / "python3",
        "checkov": repository / ".venv-tools" / "bin" / "checkov",
        "semgrep": repository / ".tools" / "semgrep" / "bin" / "semgrep",
    }


@dataclass
class Toolbox:
    root: Path
    world: Path
    repository: Path
    images: Mapping[str, str]  # image key -> the image reference steps name (substituted)
    dirs: dict[str, Path] = field(default_factory=dict)
    sources: dict[str, Path] = field(default_factory=dict)

    def build(self) -> None:
        special = local_tools(self.repository)
        (self.root / "world-bin").mkdir(parents=True, exist_ok=True)
        for key in self.images:
            inventory = IMAGE_TOOLS[key]
            tools = list(inventory.tools) + [t for files in inventory.files.values() for t in files]
            if key not in BARE_IMAGES:
                tools = list(BASE_TOOLS) + tools
            directory = self.root / key
            directory.mkdir(parents=True, exist_ok=True)
            for tool in dict.fromkeys(tools):
                (directory / tool).symlink_to(self.source(tool, special))
            self.dirs[key] = directory

    def source(self, tool: str, special: Mapping[str, Path]) -> Path:
        if tool in self.sources:
            return self.sources[tool]
        if tool in WORLD_TOOLS:
            path = self._world_shim(tool)
        elif tool in special:
            path = special[tool]
        else:
            found = shutil.which(tool, path=SYSTEM_PATH)
            if found is None:
                raise ToolboxError(f"this machine has no '{tool}' to stand in for the image's")
            path = Path(found)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise ToolboxError(f"tool '{tool}': {path} is not an executable file on this machine")
        self.sources[tool] = path
        return path

    def _world_shim(self, tool: str) -> Path:
        shim = self.root / "world-bin" / tool
        words = [sys.executable, "-I", "-S", str(WORLD_MAIN), str(self.world), tool]
        shim.write_text("#!/bin/sh\nexec " + " ".join(shlex.quote(w) for w in words) + ' "$@"\n', encoding="utf-8")
        shim.chmod(0o755)
        return shim

    def image_key(self, image: str) -> str | None:
        return next((key for key, ref in self.images.items() if ref == image), None)

    def path_for(self, image: str) -> str | None:
        key = self.image_key(image)
        return str(self.dirs[key]) if key is not None else None

    def entrypoint(self, image: str) -> str | None:
        key = self.image_key(image)
        return IMAGE_TOOLS[key].entrypoint if key is not None else None

    def extractable(self) -> dict[str, dict[str, dict[str, str]]]:
        """For `docker cp`: image reference -> path in the image -> {file name: this machine's file}."""
        special = local_tools(self.repository)
        result: dict[str, dict[str, dict[str, str]]] = {}
        for key, ref in self.images.items():
            for path, tools in IMAGE_TOOLS[key].files.items():
                result.setdefault(ref, {})[path] = {t: str(self.source(t, special)) for t in tools}
        return result
