"""docker: create / cp / rm of the pinned tool images, and build / push / inspect of the API image.

There is no daemon here. `docker create` + `docker cp` hand out the tool files the inventory says
each image holds (toolbox.extractable()). `docker build` reads the Dockerfile for real (its ARGs,
its FROM lines with the build args filled in, its secret mounts) and refuses what BuildKit would:
a base image outside the environment's Artifact Registry repositories, a secret mount without the
secret. The image's digest is the SHA-256 of the context, the Dockerfile and the build arguments.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path
from typing import Any

from pipeline.simulate.world.args import parse
from pipeline.simulate.world.call import Call, RefusedError, Table

_ARG = re.compile(r"^\s*ARG\s+([A-Za-z_][A-Za-z0-9_]*)(?:=(\S*))?", re.M | re.I)
_FROM = re.compile(r"^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", re.M | re.I)
_SECRET = re.compile(r"--mount=type=secret,id=([A-Za-z0-9_.-]+)")


def repository_of(state: dict[str, Any], image: str) -> dict[str, Any] | None:
    """The world's Artifact Registry repository an image reference lives in (HOST/PROJECT/REPO/...)."""
    parts = image.split("/")
    if len(parts) < 4 or not parts[0].endswith("-docker.pkg.dev"):
        return None
    found = state["artifactRegistry"]["repositories"].get(
        f"{parts[1]}/{parts[0].removesuffix('-docker.pkg.dev')}/{parts[2]}"
    )
    return found  # type: ignore[no-any-return]


def create(call: Call) -> int:
    args = parse(call.argv, positional=(1, 10), gcloud=False)
    image = args.positional[0]
    with call.state() as state:
        if image not in state["docker"]["extract"] or repository_of(state, image) is None:
            raise RefusedError(
                f"Unable to find image '{image}' locally: pull access denied or repository does not exist"
            )
        container = hashlib.sha256(f"{image}-{len(state['docker']['containers'])}".encode()).hexdigest()
        state["docker"]["containers"][container] = image
    call.out.write(container + "\n")
    return 0


def cp(call: Call) -> int:
    args = parse(call.argv, positional=(2, 2), gcloud=False)
    source, destination = args.positional
    container, _, path = source.partition(":")
    with call.state(write=False) as state:
        image = state["docker"]["containers"].get(container)
        if image is None:
            raise RefusedError(f"No such container: {container}")
        files = state["docker"]["extract"][image].get(path)
    if files is None:
        raise RefusedError(f"Could not find the file {path} in container {container}")
    target = Path(destination)
    if not target.is_dir():
        raise RefusedError(f"destination {destination} is not a directory")
    for name, local in files.items():
        shutil.copyfile(local, target / name)
        (target / name).chmod(0o755)
    return 0


def rm(call: Call) -> int:
    args = parse(call.argv, positional=(1, 10), switches=("-f",), gcloud=False)
    with call.state() as state:
        for container in args.positional:
            if state["docker"]["containers"].pop(container, None) is None:
                raise RefusedError(f"No such container: {container}")
    return 0


DOCKER_VERSION = "Docker version 28.3.1, build 38b7060"
BUILDX_VERSION = "github.com/docker/buildx v0.25.0 faaea65"


def version(call: Call) -> int:
    parse(call.argv, gcloud=False)
    call.out.write(DOCKER_VERSION + "\n")
    return 0


def buildx_version(call: Call) -> int:
    parse(call.argv, gcloud=False)
    call.out.write(BUILDX_VERSION + "\n")
    return 0


def _buildx_installed() -> bool:
    """Docker 23+ builds with BuildKit through the buildx plugin, found in the CLI's plugin directory."""
    config = Path(os.environ.get("DOCKER_CONFIG") or Path(os.environ.get("HOME", "/nonexistent")) / ".docker")
    return (config / "cli-plugins" / "docker-buildx").exists()


def build(call: Call) -> int:
    args = parse(
        call.argv,
        positional=(1, 1),
        values=("--secret", "--build-arg", "--label", "-t", "--tag", "-f", "--file"),
        switches=("--pull",),
        gcloud=False,
    )
    context = Path(args.positional[0])
    if os.environ.get("DOCKER_BUILDKIT") == "1" and not _buildx_installed():
        raise RefusedError("BuildKit is enabled but the buildx component is missing or broken.")
    dockerfile = Path(args.value("-f") or args.value("--file") or context / "Dockerfile")
    if not dockerfile.is_file():
        raise RefusedError(f"failed to read dockerfile: open {dockerfile}: no such file or directory")
    text = dockerfile.read_text(encoding="utf-8")
    build_args = dict(pair.split("=", 1) for pair in args.all("--build-arg"))
    declared = {m.group(1): m.group(2) or "" for m in _ARG.finditer(text)}
    secrets = {s.split(",")[0].removeprefix("id=") for s in args.all("--secret")}
    for needed in _SECRET.findall(text):
        if needed not in secrets:
            raise RefusedError(f"secret {needed} not found")
    digest_input = hashlib.sha256(text.encode())
    with call.state() as state:
        stages: set[str] = set()
        for base, stage in _FROM.findall(text):
            resolved = re.sub(
                r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?",
                lambda m: build_args.get(m.group(1), declared.get(m.group(1), "")),
                base,
            )
            # A step image is on the worker already (Cloud Build pulled it there for the steps).
            known = resolved in stages or resolved in state["docker"].get("pulled", ())
            if resolved.lower() != "scratch" and not known and repository_of(state, resolved) is None:
                raise RefusedError(
                    f"failed to resolve source metadata for {resolved}: not in this environment's Artifact Registry"
                )
            if stage:
                stages.add(stage)
        for path in sorted(p for p in context.rglob("*") if p.is_file()):
            digest_input.update(str(path.relative_to(context)).encode() + path.read_bytes())
        for key in sorted(build_args):
            digest_input.update(f"{key}={build_args[key]}".encode())
        reference = args.value("-t") or args.require("--tag")
        labels = dict(pair.split("=", 1) for pair in args.all("--label"))
        state["docker"]["images"][reference] = {
            "digest": "sha256:" + digest_input.hexdigest(),
            "labels": labels,
            "context": str(context),
        }
        leak = state["scanners"].get("buildOutputLeak")
    if leak:
        call.err.write(f"#12 [build 5/6] RUN python -m pytest -q\n#12 {leak}\n")  # what a careless RUN prints
    call.err.write(f"#13 naming to {reference} done\n")
    return 0


def push(call: Call) -> int:
    args = parse(call.argv, positional=(1, 1), gcloud=False)
    reference = args.positional[0]
    with call.state() as state:
        image = state["docker"]["images"].get(reference)
        if image is None:
            raise RefusedError(f"An image does not exist locally with the tag: {reference}")
        host = reference.split("/")[0]
        if host not in state["docker"].get("credentialHelpers", []):
            raise RefusedError(
                f"denied: Unauthenticated request. Unauthenticated requests do not have permission on {host}"
            )
        repository = repository_of(state, reference)
        if repository is None or repository.get("mode") != "STANDARD_REPOSITORY":
            raise RefusedError(f"name unknown: Repository for {reference} not found or not a standard repository")
        name, _, tag = reference.rpartition(":")
        tags = repository.setdefault("tags", {})  # per package: IMAGE:TAG, the same tag may name two images
        if reference in tags and repository.get("immutableTags"):
            raise RefusedError(f"tag {tag} already exists in an immutable-tag repository")
        tags[reference] = image["digest"]
        image["repoDigest"] = f"{name}@{image['digest']}"
        state["artifactRegistry"]["images"][image["repoDigest"]] = {**image, "tag": tag}
    call.out.write(f"{tag}: digest: {image['digest']} size: 1789\n")
    return 0


def inspect(call: Call) -> int:
    args = parse(call.argv, positional=(1, 1), values=("--format", "-f"), gcloud=False)
    fmt = args.value("--format") or args.value("-f")
    with call.state(write=False) as state:
        image = state["docker"]["images"].get(args.positional[0])
    if image is None or "repoDigest" not in image:
        raise RefusedError(f"No such object: {args.positional[0]}")
    if fmt != "{{index .RepoDigests 0}}":
        raise RefusedError(f"fake world: unmodelled inspect format {fmt!r}")
    call.out.write(image["repoDigest"] + "\n")
    return 0


BUILDX: Table = {("version",): buildx_version}
COMMANDS: Table = {
    ("--version",): version,
    ("create",): create,
    ("cp",): cp,
    ("rm",): rm,
    ("build",): build,
    ("push",): push,
    ("inspect",): inspect,
}
