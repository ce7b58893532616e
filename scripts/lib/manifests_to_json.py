"""Print the Kubernetes objects of a manifest directory as one JSON array (for deploy-gke-hipaa.sh).

Usage: manifests_to_json.py DIR

Reads every *.yaml, *.yml and *.json file below DIR in sorted order with a real YAML parser and
flattens `kind: List` documents into their items, so the shell decides from JSON with jq instead
of grepping YAML. Exit 0 with the array on stdout; exit 1 with one line on stderr naming the file
when a file is not valid YAML or a document is not a Kubernetes object (no values are echoed).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

try:
    import yaml
except ImportError:
    # A missing parser must stop the deploy with a clear reason, not a traceback.
    sys.exit(f"PyYAML is not installed for {sys.executable}; set PYTHON to an interpreter that has it")

SUFFIXES = (".yaml", ".yml", ".json")


class ManifestError(Exception):
    """A manifest file cannot be used; the message names the file and the problem."""


def _is_object(document: Any) -> bool:
    if not isinstance(document, dict):
        return False
    metadata = document.get("metadata")
    return (
        isinstance(document.get("apiVersion"), str)
        and isinstance(document.get("kind"), str)
        and isinstance(metadata, dict)
        and isinstance(metadata.get("name"), str)
    )


def objects_in(path: Path) -> list[dict[str, Any]]:
    try:
        documents = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ManifestError(f"{path}: malformed YAML{where}") from None
    objects: list[dict[str, Any]] = []
    for number, document in enumerate(documents, start=1):
        if document is None:
            continue
        items = document.get("items") if isinstance(document, dict) and document.get("kind") == "List" else [document]
        if not isinstance(items, list):
            raise ManifestError(f"{path}: document {number} is a List without items")
        for item in items:
            if not _is_object(item):
                raise ManifestError(
                    f"{path}: document {number} is not a Kubernetes object (apiVersion, kind, metadata.name)"
                )
            objects.append(item)
    return objects


def manifest_objects(directory: Path) -> list[dict[str, Any]]:
    if not directory.is_dir():
        raise ManifestError(f"{directory}: not a directory")
    files = sorted(p for p in directory.rglob("*") if p.is_file() and p.suffix in SUFFIXES)
    return [item for path in files for item in objects_in(path)]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: manifests_to_json.py DIR", file=sys.stderr)
        return 2
    try:
        objects = manifest_objects(Path(argv[0]))
    except (ManifestError, OSError, UnicodeDecodeError) as error:
        print(error, file=sys.stderr)
        return 1
    # YAML timestamps and the like become strings: the checks compare strings anyway.
    json.dump(objects, sys.stdout, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
