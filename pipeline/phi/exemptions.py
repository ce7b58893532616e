"""Reviewed exemptions: one exact synthetic value, in one file, of one entity type, may stand.

The PHI gate scans the code committed with the source, and code holds synthetic values on purpose
(the scanner's own examples, the simulator's planted SSN). An exemption names the file (relative to
the repository root), the entity type and the SHA-256 of the exact matched text, with the reason a
reviewer accepted it. Nothing broader exists: no file, directory or entity type is exempted as a
whole, so a real value added next to a synthetic one is still found. The scan never prints or
writes a digest of what it matched (a digest of a 9-digit SSN is as good as the SSN); a reviewer
computes the digest of the value they see in their own code with `python -m pipeline.phi digest`.

    {"exemptions": [{"path": "pipeline/phi/names.py", "entity_type": "PERSON",
                     "sha256": "<64 hex>", "reason": "the scanner's own example of a census name"}]}
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

_SHA256 = re.compile(r"[0-9a-f]{64}")
_KEYS = ("path", "entity_type", "sha256", "reason")


class ExemptionError(Exception):
    """The exemptions file cannot be used as written (named key, entry and problem)."""


@dataclass(frozen=True)
class Exemption:
    path: str
    entity_type: str
    sha256: str
    reason: str


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Exemptions:
    """The reviewed entries, resolved against the repository root they are relative to."""

    root: Path
    entries: tuple[Exemption, ...]
    used: set[Exemption]

    def allows(self, path: Path, entity_type: str, matched: str) -> bool:
        """Whether this exact match in this file is a reviewed synthetic value (and note that it was used)."""
        relative = _relative(path, self.root)
        if relative is None:
            return False
        value = digest(matched)
        for entry in self.entries:
            if entry.path == relative and entry.entity_type == entity_type and entry.sha256 == value:
                self.used.add(entry)
                return True
        return False

    def unused(self) -> list[Exemption]:
        return [entry for entry in self.entries if entry not in self.used]


def _relative(path: Path, root: Path) -> str | None:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return None


def load(file: Path, root: Path) -> Exemptions:
    """The exemptions in FILE, for paths under ROOT; any malformed entry is an error naming it."""
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except OSError as error:
        raise ExemptionError(f"{file}: cannot read ({error.strerror})") from error
    except (ValueError, UnicodeDecodeError) as error:
        raise ExemptionError(f"{file}: not JSON ({error})") from error
    listed = document.get("exemptions") if isinstance(document, dict) else None
    if not isinstance(document, dict) or set(document) != {"exemptions"} or not isinstance(listed, list):
        raise ExemptionError(f'{file}: must be an object with one key, "exemptions", holding a list')
    entries = tuple(_entry(file, number, raw) for number, raw in enumerate(listed, 1))
    if len(set(entries)) != len(entries):
        raise ExemptionError(f"{file}: an exemption is listed twice")
    if not root.is_dir():
        raise ExemptionError(f"{root}: the root the exemptions are relative to is not a directory")
    return Exemptions(root.resolve(), entries, set())


def _entry(file: Path, number: int, raw: object) -> Exemption:
    where = f"{file}: exemption {number}"
    if not isinstance(raw, dict):
        raise ExemptionError(f"{where} is not an object")
    missing = [key for key in _KEYS if key not in raw]
    unknown = sorted(set(raw) - set(_KEYS))
    if missing or unknown:
        problem = f"lacks {', '.join(missing)}" if missing else f"has unknown key(s) {', '.join(unknown)}"
        raise ExemptionError(f"{where} {problem}")
    values = {key: raw[key] for key in _KEYS}
    for key, value in values.items():
        if not isinstance(value, str) or not value.strip():
            raise ExemptionError(f"{where}: {key} must be non-empty text")
    if not _SHA256.fullmatch(values["sha256"]):
        raise ExemptionError(f"{where}: sha256 must be 64 lower-case hex digits")
    path = values["path"]
    if path.startswith("/") or ".." in Path(path).parts or "\\" in path:
        raise ExemptionError(f"{where}: path {path} must be relative to the repository root, without ..")
    if len(values["reason"].strip()) < 10:
        raise ExemptionError(f"{where}: reason must say why the value is synthetic (10 characters at least)")
    return Exemption(path, values["entity_type"], values["sha256"], values["reason"])
