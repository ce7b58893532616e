"""The API Dockerfile as the tests read it: instructions with continuations joined, the global ARGs.

Shared by tests/workloads/api/test_dockerfile.py and the pipeline's build-stage tests."""

from __future__ import annotations

import re
from pathlib import Path

DOCKERFILE = Path(__file__).resolve().parents[3] / "workloads" / "api" / "Dockerfile"
TEXT = DOCKERFILE.read_text(encoding="utf-8")
# Instructions with their continuation lines joined, comments dropped.
INSTRUCTIONS = [
    line for line in re.sub(r"\\\n\s*", " ", TEXT).splitlines() if line.strip() and not line.lstrip().startswith("#")
]


def _global_args() -> dict[str, str]:
    """`ARG NAME=default` lines before the first FROM (the ones FROM lines may use)."""
    first_from = next(i for i, line in enumerate(INSTRUCTIONS) if line.startswith("FROM "))
    found: dict[str, str] = {}
    for line in INSTRUCTIONS[:first_from]:
        match = re.fullmatch(r"ARG (\w+)=(\S+)", line)
        assert match is not None, f"global ARG without a default: {line}"
        found[match.group(1)] = match.group(2)
    return found


GLOBAL_ARGS = _global_args()
FROMS = [line.split()[1] for line in INSTRUCTIONS if line.startswith("FROM ")]
