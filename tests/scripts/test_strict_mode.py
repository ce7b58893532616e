"""Every script under scripts/ starts in strict mode and says how to call it; every library guards itself.

A script is run: `#!/usr/bin/env bash`, `set -Eeuo pipefail` as its first command, a `USAGE=` line,
executable. A library is sourced, never run: it declares `# shellcheck shell=bash`, its first
command returns when it was already sourced, and it is not executable.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.scripts.fakes import SCRIPTS

SHEBANG = "#!/usr/bin/env bash"
STRICT = "set -Eeuo pipefail"
LIBRARY_DIRECTIVE = re.compile(r"^# shellcheck shell=bash\b", re.MULTILINE)
SOURCE_GUARD = re.compile(r'^\[\[ -z "\$\{(_HIPAA_[A-Z_]+_SH):-\}" \]\] \|\| return 0$')
ALL = sorted(SCRIPTS.rglob("*.sh"))


def first_command(text: str) -> str:
    """The first line that is neither blank nor a comment (the shebang included)."""
    return next(line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#"))


def is_library(path: Path) -> bool:
    return bool(LIBRARY_DIRECTIVE.search(path.read_text(encoding="utf-8")))


def problems(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    found: list[str] = []
    if is_library(path):
        guard = SOURCE_GUARD.match(first_command(text))
        if guard is None:
            found.append("first command is not the double-sourcing guard")
        elif f"readonly {guard.group(1)}=1" not in text:
            found.append(f"never sets {guard.group(1)}")
        if os.access(path, os.X_OK):
            found.append("a sourced library is executable")
        return found
    if text.splitlines()[0] != SHEBANG:
        found.append(f"first line is not {SHEBANG}")
    if first_command(text) != STRICT:
        found.append(f"first command is not {STRICT}")
    if not re.search(r'^USAGE="[^"\n]+"$', text, re.MULTILINE):
        found.append("has no USAGE line")
    if not os.access(path, os.X_OK):
        found.append("is not executable")
    return found


def test_scripts_and_libraries_are_both_found() -> None:
    libraries = [p for p in ALL if is_library(p)]
    assert len(libraries) >= 5 and len(ALL) - len(libraries) >= 30


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(SCRIPTS)))
def test_script_starts_in_strict_mode(path: Path) -> None:
    assert problems(path) == []


@pytest.mark.parametrize(
    ("text", "executable", "expected"),
    [
        (f'{SHEBANG}\n# why\n{STRICT}\nUSAGE="x.sh ENV"\n', True, []),
        (f'{SHEBANG}\nset -e\n{STRICT}\nUSAGE="x.sh ENV"\n', True, [f"first command is not {STRICT}"]),
        (f'#!/bin/bash\n{STRICT}\nUSAGE="x.sh ENV"\n', True, [f"first line is not {SHEBANG}"]),
        (f"{SHEBANG}\n{STRICT}\necho usage\n", True, ["has no USAGE line"]),
        (f'{SHEBANG}\n{STRICT}\nUSAGE="x.sh ENV"\n', False, ["is not executable"]),
        ('# shellcheck shell=bash\n[[ -z "${_HIPAA_X_SH:-}" ]] || return 0\nreadonly _HIPAA_X_SH=1\n', False, []),
        ("# shellcheck shell=bash\nreadonly A=1\n", False, ["first command is not the double-sourcing guard"]),
        ('# shellcheck shell=bash\n[[ -z "${_HIPAA_X_SH:-}" ]] || return 0\n', False, ["never sets _HIPAA_X_SH"]),
    ],
)
def test_the_check_catches_each_mistake(tmp_path: Path, text: str, executable: bool, expected: list[str]) -> None:
    path = tmp_path / "x.sh"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755 if executable else 0o644)
    assert problems(path) == expected
