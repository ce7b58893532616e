"""The manifest set a Kubernetes object belongs to: every object in the files of its directory.

Checkov hands a check one object at a time, but some HIPAA properties hold between objects (a
Namespace and its default-deny NetworkPolicy, a workload and its ServiceAccount, a Service and the
container ports it reaches). The unit the pipeline deploys is a manifest directory
(deploy-gke-hipaa.sh MANIFEST_DIR), so the checks read the directory of the scanned file, parsed the
way scripts/lib/manifests_to_json.py parses it: every *.yaml, *.yml and *.json file, every document,
`kind: List` flattened. Checkov's own view of an object is not used for the rules: it rewrites
metadata (annotations become a list, labels gain line-number keys).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

SUFFIXES = (".yaml", ".yml", ".json")
Obj = dict[str, Any]

# Kinds that run pods, and where each keeps its pod template (metadata and spec).
_TEMPLATE_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": (),
    "PodTemplate": ("template",),
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}
WORKLOAD_KINDS: tuple[str, ...] = tuple(_TEMPLATE_PATHS)


class ManifestSetError(Exception):
    """A file of the set cannot be read as Kubernetes manifests: the set, and so the check, is unknown."""


@dataclass(frozen=True)
class Manifest:
    """One Kubernetes object and the file it came from."""

    path: Path
    obj: Obj

    @property
    def kind(self) -> str:
        return str(self.obj.get("kind", ""))

    @property
    def name(self) -> str:
        return str(metadata(self.obj).get("name", ""))

    @property
    def namespace(self) -> str:
        """The namespace the object lands in: `default` when the manifest names none."""
        return str(metadata(self.obj).get("namespace") or "default")


def metadata(obj: Obj) -> Obj:
    value = obj.get("metadata")
    return value if isinstance(value, dict) else {}


def mapping(value: Any) -> Obj:
    """A dict field, or an empty one when the manifest leaves it out or writes something else."""
    return value if isinstance(value, dict) else {}


def listing(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _is_object(document: Any) -> bool:
    return (
        isinstance(document, dict)
        and isinstance(document.get("apiVersion"), str)
        and isinstance(document.get("kind"), str)
        and isinstance(metadata(document).get("name"), str)
    )


def objects_in(path: Path) -> list[Obj]:
    """The Kubernetes objects of one file; documents that are not objects (e.g. other config) are left out."""
    try:
        documents = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ManifestSetError(f"{path}: cannot be parsed ({type(error).__name__})") from None
    objects: list[Obj] = []
    for document in documents:
        items = listing(document.get("items")) if _is_object(document) and document["kind"] == "List" else [document]
        objects.extend(item for item in items if _is_object(item))
    return objects


@cache
def manifest_set(directory: Path) -> tuple[Manifest, ...]:
    """Every object in the manifest files directly in `directory`, in file name order."""
    files = sorted(p for p in directory.iterdir() if p.is_file() and p.suffix in SUFFIXES)
    return tuple(Manifest(path, obj) for path in files for obj in objects_in(path))


def same_object(manifest: Manifest, path: Path, kind: str, namespace: str, name: str) -> bool:
    return manifest.path == path and manifest.kind == kind and manifest.namespace == namespace and manifest.name == name


def pod_template(obj: Obj) -> tuple[Obj, Obj] | None:
    """(metadata, spec) of the pods a workload runs, or None for a kind that runs no pods."""
    path = _TEMPLATE_PATHS.get(str(obj.get("kind")))
    if path is None:
        return None
    template: Any = obj
    for key in path:
        template = mapping(template).get(key)
    return mapping(mapping(template).get("metadata")), mapping(mapping(template).get("spec"))


def containers(spec: Obj) -> list[Obj]:
    """Every container of a pod spec: regular, init and ephemeral ones."""
    return [
        container
        for key in ("containers", "initContainers", "ephemeralContainers")
        for container in listing(spec.get(key))
        if isinstance(container, dict)
    ]


def of_kind(objects: Sequence[Manifest], kind: str, namespace: str | None = None) -> list[Manifest]:
    return [m for m in objects if m.kind == kind and (namespace is None or m.namespace == namespace)]
