"""Turn each step as written into the process the simulation starts, substitutions applied.

Substitution happens for the whole build before any step starts, as Cloud Build does at submission:
a refused substitution refuses the build. Then `/workspace` is rewritten to where it lives in this
run. Every step also gets the pool's network (pypi.py): a proxy that reaches Artifact Registry's
PyPI mirror and nothing else, and the CA bundle that trusts it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.simulate.buildfile import BuildFile, BuildFileError, StepSpec
from pipeline.simulate.steprun import PreparedStep
from pipeline.simulate.substitution import Substitutions
from pipeline.simulate.workspace import RunDir

# Set in every simulated step: the project's test suite (run by the unit-tests step) skips the tests
# that would start a simulation of their own, so a simulated build never recurses into itself.


@dataclass(frozen=True)
class ImageEnvironment:
    """What the simulation knows of a step's image: its PATH (None: not in the inventory) and ENTRYPOINT."""

    path: str | None
    entrypoint: str | None
    # Directories the image has that this machine lacks, as the variables the scripts take them from.
    directories: Mapping[str, str] = field(default_factory=dict)


def _pairs(entries: tuple[str, ...], where: str) -> list[tuple[str, str]]:
    pairs = []
    for entry in entries:
        name, sep, value = entry.partition("=")
        if not sep or not name:
            raise BuildFileError(f"{where}: env entry {entry!r} is not NAME=VALUE")
        pairs.append((name, value))
    return pairs


@dataclass
class Preparer:
    build: BuildFile
    substitutions: Substitutions
    run: RunDir
    image_environment: Callable[[str], ImageEnvironment]
    secrets: Mapping[str, str]  # secretEnv name -> value (availableSecrets, read from the world)
    network: Mapping[str, str] = field(default_factory=dict)  # the pool's network: proxy and CA bundle
    python_hooks: str | None = None  # PYTHONPATH entry with the simulation's sitecustomize (pyhooks.py)

    def text(self, value: str) -> str:
        return self.run.map_paths(self.substitutions.expand(value))

    def automap(self, step: StepSpec) -> bool:
        if step.automap_substitutions is not None:
            return bool(step.automap_substitutions)
        return bool(self.build.options.get("automapSubstitutions", False))

    def command(self, step: StepSpec, image: ImageEnvironment) -> tuple[str, ...]:
        if step.script is not None:
            script = self.run.map_paths(step.script)
            if not script.startswith("#!"):
                script = "#!/bin/sh\n" + script
            path = self.run.root / "scripts" / f"step-{step.index}"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(script, encoding="utf-8")
            path.chmod(0o755)
            return (str(path),)
        args = tuple(self.text(a) for a in step.args)
        entrypoint = self.text(step.entrypoint) if step.entrypoint else image.entrypoint
        command = (entrypoint, *args) if entrypoint else args
        if not command:
            raise BuildFileError(f"step {step.id}: no entrypoint, no args and the image has no entrypoint")
        return command

    def environment(self, step: StepSpec, image: ImageEnvironment) -> dict[str, str]:
        env = {
            "PATH": image.path or "",
            "HOME": str(self.run.home),
            "TMPDIR": str(self.run.tmp(step.index)),
            "BUILDER_OUTPUT": str(self.run.root / "builder" / "outputs"),
            **self.network,
            **({"PYTHONPATH": self.python_hooks} if self.python_hooks else {}),
            **image.directories,
        }
        if self.automap(step):
            env.update(self.substitutions.as_environment())
        for name, value in _pairs(tuple(self.build.options.get("env") or ()), "options"):
            env[name] = self.text(value)
        for name, value in _pairs(step.env, f"step {step.id}"):
            env[name] = self.text(value)
        for name in step.secret_env:
            if name not in self.secrets:
                raise BuildFileError(f"step {step.id}: secretEnv {name} is not in availableSecrets")
            env[name] = self.secrets[name]
        return env

    def prepare(self, step: StepSpec) -> PreparedStep:
        image = self.image_environment(self.substitutions.expand(step.name))
        directory = self.text(step.dir) if step.dir else ""
        cwd = Path(directory) if directory.startswith("/") else self.run.workspace / directory
        return PreparedStep(step, self.command(step, image), self.environment(step, image), cwd, image.path is None)

    def finish(self) -> None:
        """After every step: build-level fields are substituted too (the pool name), and MUST_MATCH
        refuses a key nothing used."""
        pool = (self.build.options.get("pool") or {}).get("name")
        if pool:
            self.substitutions.expand(str(pool))
        self.substitutions.check_unused()
