"""Shared builders for the scanner-script tests: recorded reports and the answers fakes give.

Reports live under `fixtures/<script-stem>/`, recorded from the real tools (Pylint 4.1.4,
Bandit 1.9.4, Mypy 2.4.1, Safety 3.2.11, Semgrep 1.185.0, Checkov 3.3.30) on synthetic code, or
written to the documented shape where the tool cannot run here (Trivy, Prowler, ZAP, Cosign,
gcloud binauthz, the Pulumi CLI). Tests load them and change only what a case is about.
"""

from __future__ import annotations

import json
import shutil
import time
from functools import cache
from pathlib import Path
from typing import Any

from infra.plan.resources import to_preview
from tests.conftest import planned
from tests.scripts.fakes import PROJECT_ROOT, SCRIPTS, FakeTools

FIXTURES = Path(__file__).parent / "fixtures"
DIGEST = "sha256:" + "ab" * 32
IMAGE = f"us-central1-docker.pkg.dev/nwh-analytics-prd/hipaa-prod-images/hipaa-api@{DIGEST}"
REQUIREMENT_FILES = sorted(
    str(path.relative_to(PROJECT_ROOT))
    for path in [PROJECT_ROOT / "requirements.txt", *(PROJECT_ROOT / "requirements").glob("*.txt")]
    if path.is_file()
)


def text(stem: str, name: str) -> str:
    """A recorded report, verbatim."""
    return (FIXTURES / stem / name).read_text(encoding="utf-8")


def document(stem: str, name: str) -> Any:
    """A recorded JSON report, parsed, to change one thing in it."""
    return json.loads(text(stem, name))


def dumps(value: Any) -> str:
    return json.dumps(value, indent=2)


def evidence_ok(tools: FakeTools, gate: str, checked: int) -> None:
    evidence = tools.evidence_of(gate)
    assert evidence["status"] == "pass", evidence
    assert evidence["checked"] == checked, evidence
    assert evidence["violations"] == []


def evidence_failed(tools: FakeTools, gate: str) -> list[str]:
    """The violations of a failed gate (the evidence must say fail)."""
    evidence = tools.evidence_of(gate)
    assert evidence["status"] == "fail", evidence
    violations: list[str] = evidence["violations"]
    assert violations
    return violations


def safety_database(age_days: float, schema: str = "2.0.0") -> dict[str, str]:
    """The two files of the mirrored Safety database, stamped `age_days` ago (fake gcloud writes them)."""
    stamp = int(time.time() - age_days * 86400)
    files: dict[str, str] = {}
    for name in ("insecure.json", "insecure_full.json"):
        database = document("run-python-quality", f"safety-db-{name}")
        database["meta"]["timestamp"] = stamp
        database["meta"]["schema_version"] = schema
        files[name] = dumps(database)
    return files


def python_shim(tools: FakeTools) -> str:
    """A stand-in for $PYTHON that sends `-m pytest ...` to the fake pytest (and refuses the rest)."""
    shim = tools.root / "python-shim"
    shim.write_text(
        '#!/bin/sh\nif [ "$1" = -m ] && [ "$2" = pytest ]; then shift 2; exec pytest "$@"; fi\n'
        'echo "python-shim: unexpected call: $*" >&2\nexit 98\n',
        encoding="utf-8",
    )
    shim.chmod(0o755)
    return str(shim)


def scripts_copy(root: Path, extra: dict[str, str] | None = None) -> Path:
    """A copy of scripts/ (and given repository files) under `root`, for repository-relative inputs."""
    shutil.copytree(SCRIPTS, root / "scripts")
    for relative, content in (extra or {}).items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    return root / "scripts"


@cache
def preview(stack: str) -> str:
    """A `pulumi preview --json`-shaped document of the real program: what `python -m infra plan
    --json` writes, from the offline plan the infra tests share (planned once per test process)."""
    return json.dumps(to_preview(list(planned(stack))), indent=2, sort_keys=True)
