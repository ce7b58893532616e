"""The image's hash-pinned lock installs the same versions the tests ran against (requirements/constraints.txt).

A package in the lock that the constraints lack, or pin differently, means the container would run code
no test exercised.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LOCK = ROOT / "workloads" / "api" / "requirements.lock"
CONSTRAINTS = ROOT / "requirements" / "constraints.txt"
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(?P<version>[^\s;\\]+)")


def normalized(name: str) -> str:
    """PEP 503: case and runs of `-`, `_`, `.` do not distinguish package names."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            name = normalized(match["name"])
            assert name not in found, f"{path.name}: {name} is pinned twice"
            found[name] = match["version"]
    return found


def test_every_locked_package_has_the_constraints_version() -> None:
    lock, constraints = pins(LOCK), pins(CONSTRAINTS)
    assert len(lock) >= 30, "the lock's pins were not read"
    differing = {
        name: (version, constraints.get(name, "missing"))
        for name, version in lock.items()
        if constraints.get(name) != version
    }
    assert differing == {}, f"lock vs constraints (lock, constraints): {differing}"


def test_every_lock_line_with_a_version_is_hash_pinned() -> None:
    text = LOCK.read_text(encoding="utf-8")
    entries = re.findall(r"^\S+==\S+ \\\n(?:    --hash=sha256:[0-9a-f]{64}(?: \\\n)?)+", text, flags=re.MULTILINE)
    assert len(entries) == len(pins(LOCK))
