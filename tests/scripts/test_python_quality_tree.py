"""Our own tree passes the python-quality gate's Bandit, run as the committed cloudbuild.yaml runs it.

Bandit over the tree takes a few seconds, so a new finding fails `make test` here rather than a build.
Pylint over the tree takes minutes (errors only, still over a minute): it is left to the gate.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
BANDIT = Path(sys.executable).with_name("bandit")
RANK = {"LOW": 1, "MEDIUM": 2, "HIGH": 3}


def _gate_source_dirs() -> list[str]:
    """The SOURCE_DIR arguments of the python-quality step (after ENV and SAFETY_DB_URI)."""
    build = yaml.safe_load((ROOT / "cloudbuild.yaml").read_text(encoding="utf-8"))
    (step,) = [s for s in build["steps"] if s["id"] == "python-quality"]
    words = shlex.split(step["args"][-1])
    return words[words.index("scripts/run-python-quality.sh") + 3 :]


def test_the_gate_lints_our_packages() -> None:
    dirs = _gate_source_dirs()
    assert {"infra", "pipeline", "policypack"} <= set(dirs)
    assert all((ROOT / d).is_dir() for d in dirs), dirs


def test_bandit_finds_nothing_the_gate_would_refuse(tmp_path: Path) -> None:
    report = tmp_path / "bandit.json"
    gate_options = ["-f", "json", "-o", str(report), "--severity-level", "medium", "--confidence-level", "medium"]
    done = subprocess.run(
        [str(BANDIT), "-r", *_gate_source_dirs(), *gate_options, "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    result: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    assert [e["filename"] for e in result["errors"]] == []
    assert len(result["metrics"]) > 100  # files scanned, plus _totals
    refused = [
        f"{r['filename']}:{r['line_number']} {r['test_id']} {r['test_name']}"
        for r in result["results"]
        if RANK[r["issue_severity"]] >= 2 and RANK[r["issue_confidence"]] >= 2
    ]
    assert refused == []
