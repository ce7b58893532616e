"""Each image's PATH, built as a directory of shims: exactly the tools the image inventory lists.

A tool is either real (a link to this machine's binary: bash, jq, make, git, python3, coreutils,
Checkov from .venv-tools), the fake world's (gcloud, bq, gsutil, kubectl, docker, trivy, cosign,
pulumi, the ZAP scripts, ...: a small script that hands the call to world/main.py with the run's
world directory), or, when this machine lacks it, a shim that fails loudly and is listed with the
unmodelled commands. A tool the image lacks is not in its directory, so a step that calls it fails
as it would on Cloud Build.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.simulate.inventory import ImageTools, inventory
from pipeline.simulate.world import state as world_state

WORLD_TOOLS = frozenset(
    {"gcloud", "gsutil", "bq", "kubectl", "gke-gcloud-auth-plugin", "docker", "docker-buildx", "docker-compose"}
    | {"trivy", "cosign", "pulumi", "pulumi-language-python", "prowler", "aws"}
    | {"zap.sh", "zap-baseline.py", "zap-api-scan.py", "zap-full-scan.py"}
)
# Where this machine's own tools are looked up (never the caller's PATH: it may hold real cloud CLIs).
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
WORLD_MAIN = Path(__file__).resolve().parent / "world" / "main.py"
# Images whose Python is a virtualenv of their own: the PHI scanner's image puts /opt/phi/venv/bin
# first on PATH, Presidio and spaCy at requirements/pipeline.txt's pins, as is this machine's .venv.
# Working directories an image has and a script takes from a variable: ZAP's image works in /zap/wrk
# (scripts/run-zap-dast.sh reads ZAP_WORK_DIR, default /zap/wrk); here a directory of the run stands in.
IMAGE_DIRECTORIES = {"zap": {"ZAP_WORK_DIR": "zap-wrk"}}
VENV_PYTHON_IMAGES = {"phi-scanner": (".venv", ("python", "python3", "python3.11", "pip", "pip3"))}


def local_tools(repository: Path) -> dict[str, Path]:
    """Real tools whose binary is not simply the first on the system PATH."""
    python = Path(sys.base_prefix) / "bin" / "python3"
    return {
        "python": python,
        "python3": python,
        f"python3.{sys.version_info.minor}": python,
        "checkov": repository / ".venv-tools" / "bin" / "checkov",
        "semgrep": repository / ".tools" / "semgrep" / "bin" / "semgrep",
        # The images' jq is the pinned 1.7.1 (pipeline/images.py); make test builds that one into
        # .tools/jq (.ci/build-jq), where this machine's own may be another version.
        "jq": repository / ".tools" / "jq" / "bin" / "jq",
    }


class MissingToolsError(Exception):
    """A tool tree this machine stands in for an image with is not built: the build would silently run
    something else (this machine's jq 1.6, a Python without Presidio), so the simulation refuses."""


def missing_tool_trees(repository: Path, images: Mapping[str, ImageTools]) -> list[str]:
    """The repository's own binaries (local_tools, VENV_PYTHON_IMAGES) these images need that are absent."""
    needed = {tool for image in images.values() for tool in image.tools | image.extracted}
    wanted = [
        path for name, path in local_tools(repository).items() if name in needed and not name.startswith("python")
    ]
    wanted += [repository / venv / "bin" / "python" for key, (venv, _) in VENV_PYTHON_IMAGES.items() if key in images]
    return [str(path) for path in wanted if not (path.is_file() and os.access(path, os.X_OK))]


@dataclass
class Toolbox:
    root: Path
    world: Path
    repository: Path
    substituted: Mapping[str, str]  # image key -> the reference a step names (substitutions applied)
    dirs: dict[str, Path] = field(default_factory=dict)
    sources: dict[str, Path] = field(default_factory=dict)
    images: dict[str, ImageTools] = field(default_factory=inventory)

    def build(self) -> None:
        if missing := missing_tool_trees(self.repository, self.images):
            raise MissingToolsError(
                f"{', '.join(missing)} not built: run `make test` (or make .venv/.installed .venv-tools/.installed"
                f" .tools/semgrep/.installed .tools/jq/.installed) in {self.repository} first"
            )
        (self.root / "world-bin").mkdir(parents=True, exist_ok=True)
        for key, image in self.images.items():
            if not image.tools:
                continue
            directory = self.root / key
            directory.mkdir(parents=True, exist_ok=True)
            own = self.image_sources(key)
            for tool in sorted(image.tools):
                (directory / tool).symlink_to(own.get(tool) or self.source(tool))
            self.dirs[key] = directory

    def image_sources(self, key: str) -> dict[str, Path]:
        """An image's tools that are not this machine's system ones (VENV_PYTHON_IMAGES)."""
        if key not in VENV_PYTHON_IMAGES:
            return {}
        venv, tools = VENV_PYTHON_IMAGES[key]
        found = {}
        for tool in tools:
            binary = self.repository / venv / "bin" / ("pip" if tool.startswith("pip") else "python")
            if binary.exists():
                shim = self.root / f"{key}-bin" / tool
                shim.parent.mkdir(parents=True, exist_ok=True)
                shim.write_text(f'#!/bin/sh\nexec {shlex.quote(str(binary))} "$@"\n', encoding="utf-8")
                shim.chmod(0o755)
                found[tool] = shim
        return found

    def source(self, tool: str) -> Path:
        if tool in self.sources:
            return self.sources[tool]
        special = local_tools(self.repository)
        if tool in WORLD_TOOLS:
            path = self._shim(tool, [sys.executable, "-I", "-S", str(WORLD_MAIN), str(self.world), tool])
        elif tool in special and special[tool].exists():
            path = special[tool]
        elif found := shutil.which(tool, path=SYSTEM_PATH):
            path = Path(found)
        else:
            path = self._absent(tool)
        if not (path.is_file() and os.access(path, os.X_OK)):
            path = self._absent(tool)
        self.sources[tool] = path
        return path

    def _shim(self, tool: str, words: list[str]) -> Path:
        shim = self.root / "world-bin" / tool
        shim.write_text("#!/bin/sh\nexec " + " ".join(shlex.quote(w) for w in words) + ' "$@"\n', encoding="utf-8")
        shim.chmod(0o755)
        return shim

    def _absent(self, tool: str) -> Path:
        """The image has the tool, this machine does not: fail loudly, and list the call as unmodelled."""
        shim = self.root / "world-bin" / tool
        record = json.dumps({"tool": tool, "argv": ["(not on this machine)"], "at": 0})
        journal = shlex.quote(str(self.world / world_state.UNMODELLED))
        shim.write_text(
            "#!/bin/sh\n"
            f"printf '%s\\n' {shlex.quote(record)} >>{journal}\n"
            f"echo 'simulation: this machine has no {tool} to stand in for the image'\"'\"'s; not modelled' >&2\n"
            "exit 127\n",
            encoding="utf-8",
        )
        shim.chmod(0o755)
        return shim

    def image_key(self, image: str) -> str | None:
        return next((k for k, ref in self.substituted.items() if ref == image and k in self.dirs), None)

    def path_for(self, image: str) -> str | None:
        key = self.image_key(image)
        return str(self.dirs[key]) if key is not None else None

    def directories(self, image: str) -> dict[str, str]:
        """The image's working directories (IMAGE_DIRECTORIES) as variables, each made in the run."""
        key = self.image_key(image)
        found = {}
        for variable, name in IMAGE_DIRECTORIES.get(key or "", {}).items():
            directory = self.root / name
            directory.mkdir(parents=True, exist_ok=True)
            found[variable] = str(directory)
        return found

    def entrypoint(self, image: str) -> str | None:
        key = self.image_key(image)
        return self.images[key].entrypoint if key is not None else None

    def extractable(self) -> dict[str, dict[str, dict[str, str]]]:
        """For `docker cp`: image reference -> path in the image -> {file name: this machine's file}."""
        result: dict[str, dict[str, dict[str, str]]] = {}
        for key, image in self.images.items():
            if image.extract and key in self.substituted:
                files = {t: str(self.source(t)) for t in sorted(image.extracted)}
                result.setdefault(self.substituted[key], {})[image.extract] = files
        return result
