"""Reading and validating gate evidence (`$EVIDENCE_DIR/<gate id>.json`, shape in docs/contracts.md).

Evidence that does not hold up is not evidence: a file that is not the contract's shape, that
belongs to another environment or build, or that claims `pass` with nothing checked or with
violations, is a failed gate, named with the reason. Reasons name keys and our own expected
values, never a value read from the file (a malformed file could hold anything).
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.gates import GATES

STATUSES = ("pass", "fail")
REQUIRED_KEYS = ("gate", "status", "environment", "build_id", "checked", "violations", "tool", "finished_at")
# Evidence is a small summary; anything bigger is not what a gate writes.
MAX_EVIDENCE_BYTES = 1024 * 1024
TOOL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._/+-]{0,99}$")
FINISHED_AT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_GATE_IDS = frozenset(g.id for g in GATES)


# A live gate's comparison with the expected inventory (security/inventory/<env>.json): the counts.
INVENTORY_COUNTS = ("expected", "found", "missing", "unmanaged", "mismatched", "properties")
INVENTORY_FILE = re.compile(r"^security/inventory/[a-z]+\.json$")


class EvidenceError(ValueError):
    """Evidence that cannot be trusted; the message says why without quoting the file."""


@dataclass(frozen=True)
class InventoryCounts:
    """What a live gate compared with the expected inventory: planned resources expected, found and
    missing, live ones nobody planned, found ones with a property other than planned, and how many
    planned property values it compared."""

    file: str
    expected: int
    found: int
    missing: int
    unmanaged: int
    mismatched: int
    properties: int


@dataclass(frozen=True)
class Evidence:
    """One gate's evidence, validated."""

    gate: str
    status: str
    checked: int
    violations: int
    tool: str
    finished_at: str
    file: str
    inventory: InventoryCounts | None = None


@dataclass(frozen=True)
class Problem:
    """Evidence of a known gate that failed validation."""

    gate: str
    file: str
    reason: str


@dataclass
class EvidenceSet:
    valid: dict[str, Evidence] = field(default_factory=dict)
    invalid: dict[str, Problem] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)  # files that are no gate's evidence
    # The bytes that were validated, by file name: what the report copies next to itself.
    raw: dict[str, bytes] = field(default_factory=dict)


def read_evidence(directory: Path, environment: str, build_id: str) -> EvidenceSet:
    """Every `<gate id>.json` in the directory, validated; other files are listed as ignored."""
    found = EvidenceSet()
    for path in sorted(directory.iterdir()):
        gate_id = path.stem
        if path.suffix != ".json" or gate_id not in _GATE_IDS or not path.is_file():
            found.ignored.append(path.name)
            continue
        try:
            found.raw[path.name] = _read(path)
            document = _parse(found.raw[path.name])
            found.valid[gate_id] = validate(document, gate_id, environment, build_id, path.name)
        except EvidenceError as error:
            found.invalid[gate_id] = Problem(gate_id, path.name, str(error))
    return found


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_EVIDENCE_BYTES:
            raise EvidenceError(f"larger than {MAX_EVIDENCE_BYTES} bytes")
        return path.read_bytes()
    except OSError as error:
        raise EvidenceError(f"cannot be read ({error.strerror})") from None


def _parse(content: bytes) -> object:
    try:
        return json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise EvidenceError("not UTF-8 JSON") from None


def validate(document: object, gate_id: str, environment: str, build_id: str, file: str) -> Evidence:
    if not isinstance(document, dict):
        raise EvidenceError("not a JSON object")
    missing = [key for key in REQUIRED_KEYS if key not in document]
    if missing:
        raise EvidenceError(f"missing key(s) {', '.join(missing)}")
    expected = {"gate": gate_id, "environment": environment, "build_id": build_id}
    for key, value in expected.items():
        if document[key] != value:
            raise EvidenceError(f"key '{key}' is not '{value}'")
    status, checked, violations = document["status"], document["checked"], document["violations"]
    if status not in STATUSES:
        raise EvidenceError("key 'status' is not pass or fail")
    if not isinstance(checked, int) or isinstance(checked, bool) or checked < 0:
        raise EvidenceError("key 'checked' is not a non-negative integer")
    if not isinstance(violations, list) or not all(isinstance(v, str) for v in violations):
        raise EvidenceError("key 'violations' is not a list of strings")
    if not isinstance(document["tool"], str) or not TOOL.match(document["tool"]):
        raise EvidenceError("key 'tool' is not a tool name")
    if not _is_utc_timestamp(document["finished_at"]):
        raise EvidenceError("key 'finished_at' is not a UTC timestamp (YYYY-MM-DDTHH:MM:SSZ)")
    if status == "pass" and checked == 0:
        raise EvidenceError("inconsistent: status pass with nothing checked")
    if status == "pass" and violations:
        raise EvidenceError(f"inconsistent: status pass with {len(violations)} violation(s)")
    inventory = _inventory(document["inventory"], status, environment) if "inventory" in document else None
    return Evidence(
        gate_id, status, checked, len(violations), document["tool"], document["finished_at"], file, inventory
    )


def _inventory(value: object, status: str, environment: str) -> InventoryCounts:
    """The optional `inventory` object: counts that add up, and no pass over a planned resource
    missing or different, nor over an unmanaged one outside dev."""
    if not isinstance(value, dict):
        raise EvidenceError("key 'inventory' is not an object")
    for key in INVENTORY_COUNTS:
        count = value.get(key)
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise EvidenceError(f"key 'inventory.{key}' is not a non-negative integer")
    if not isinstance(value.get("file"), str) or not INVENTORY_FILE.match(value["file"]):
        raise EvidenceError("key 'inventory.file' is not an inventory under security/inventory/")
    tolerated = value.get("unmanaged_tolerated", [])
    if not isinstance(tolerated, list) or not all(isinstance(t, str) for t in tolerated):
        raise EvidenceError("key 'inventory.unmanaged_tolerated' is not a list of strings")
    counts = InventoryCounts(value["file"], *(value[key] for key in INVENTORY_COUNTS))
    if counts.found + counts.missing != counts.expected or counts.mismatched > counts.found:
        raise EvidenceError("inconsistent: inventory counts do not add up")
    if status == "pass" and (counts.missing or counts.mismatched):
        raise EvidenceError("inconsistent: status pass with planned resources missing or different")
    if status == "pass" and counts.unmanaged and environment != "dev":
        raise EvidenceError("inconsistent: status pass with unmanaged resources outside dev")
    return counts


def _is_utc_timestamp(value: object) -> bool:
    if not isinstance(value, str) or not FINISHED_AT.match(value):
        return False
    try:
        datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return False
    return True
