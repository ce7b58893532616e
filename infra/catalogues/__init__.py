"""Google's catalogues, vendored as data, that the preflight rules (`infra/rules/catalogue_*`) check against.

Each catalogue is one gzip-compressed JSON file under `data/`: `{"catalogue", "source", "retrieved",
"scope", "data"}`. `source` and `retrieved` say where and when it was cut (see README.md in this
package); `python -m infra catalogues refresh` rebuilds them. A catalogue that is missing, unreadable
or of the wrong shape raises CatalogueError: the rules turn that into a finding, never a pass.
"""

from __future__ import annotations

import functools
import gzip
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"
NAMES = ("roles", "constraints", "vpcsc", "locations", "schemas")


class CatalogueError(Exception):
    """A catalogue could not be read: the checks that need it must fail."""


@dataclass(frozen=True)
class Catalogue:
    name: str
    source: str
    retrieved: str
    scope: str
    data: Mapping[str, Any]


def path_of(name: str, directory: Path | None = None) -> Path:
    return (directory or DATA_DIR) / f"{name}.json.gz"


def read(path: Path, name: str) -> Catalogue:
    """One catalogue file, checked for its envelope; any fault is a CatalogueError."""
    try:
        document = json.loads(gzip.decompress(path.read_bytes()))
    except (OSError, EOFError, ValueError) as error:
        raise CatalogueError(f"catalogue {name} ({path.name}) is missing or unreadable: {error}") from error
    if not isinstance(document, dict) or document.get("catalogue") != name:
        raise CatalogueError(f"catalogue {name} ({path.name}) is not a {name} catalogue")
    source, retrieved, scope = (document.get(key) for key in ("source", "retrieved", "scope"))
    if not (isinstance(source, str) and isinstance(retrieved, str) and isinstance(scope, str)):
        raise CatalogueError(f"catalogue {name} ({path.name}) has no source, date or scope")
    if not (source and retrieved and scope):
        raise CatalogueError(f"catalogue {name} ({path.name}) has no source, date or scope")
    if not isinstance(document.get("data"), dict) or not document["data"]:
        raise CatalogueError(f"catalogue {name} ({path.name}) holds no data")
    return Catalogue(name, source, retrieved, scope, document["data"])


@functools.cache
def load(name: str) -> Catalogue:
    """A vendored catalogue, read once per process."""
    if name not in NAMES:
        raise CatalogueError(f"no catalogue named {name}")
    return read(path_of(name), name)


def write(directory: Path, catalogue: Catalogue) -> Path:
    """Write a catalogue reproducibly (sorted keys, no gzip timestamp) so a refresh diffs cleanly."""
    document = {
        "catalogue": catalogue.name,
        "source": catalogue.source,
        "retrieved": catalogue.retrieved,
        "scope": catalogue.scope,
        "data": catalogue.data,
    }
    raw = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    target = path_of(catalogue.name, directory)
    target.write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))
    return target
