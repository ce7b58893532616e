"""One real run of the checkov gate per test session, shared by the tests that read its results.

scripts/run-checkov.sh runs as the pipeline runs it, with the real Checkov 3.3.30 from .venv-tools (its
pins clash with the project's) and jq, over one directory holding copies of the project's manifests and
Dockerfile, a deliberately weakened Deployment and the HIPAA policy fixtures: one Checkov start (several
seconds) for all of them. Checkov is reached through a small wrapper that keeps a copy of its report,
which the gate itself keeps in a private directory, so the tests can assert per check and per file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
CHECKOV = ROOT / ".venv-tools" / "bin" / "checkov"
FIXTURES = Path(__file__).parent / "fixtures"
MANIFESTS = ROOT / "workloads" / "k8s"
DOCKERFILE = ROOT / "workloads" / "api" / "Dockerfile"
# Where each part lands in the scanned directory (Checkov reports paths relative to it).
PROJECT_K8S, PROJECT_API, WEAKENED, HIPAA = "/k8s/", "/api/", "/weakened/", "/hipaa/"

_WRAPPER = """#!/usr/bin/env bash
# The real Checkov; its report is printed as usual and a copy kept for the tests.
"$REAL_CHECKOV" "$@" >"$CHECKOV_REPORT_COPY"
rc=$?
cat "$CHECKOV_REPORT_COPY"
exit "$rc"
"""
_KEEP: list[tempfile.TemporaryDirectory[str]] = []


@dataclass(frozen=True)
class Result:
    status: str  # passed, failed or skipped
    check_id: str
    file_path: str  # relative to the scanned directory, leading slash
    resource: str
    check_name: str


@dataclass(frozen=True)
class GateRun:
    returncode: int
    stderr: str
    evidence: dict[str, Any]
    reports: dict[str, dict[str, Any]]  # by check_type
    scanned: Path

    @property
    def results(self) -> list[Result]:
        return [
            Result(status, c["check_id"], c["file_path"], c["resource"], c["check_name"])
            for report in self.reports.values()
            for status in ("passed", "failed", "skipped")
            for c in report["results"].get(f"{status}_checks", [])
        ]

    def select(self, under: str, *, hipaa: bool, status: str | None = None) -> list[Result]:
        """Results for files under `under`, of the HIPAA policies or of Checkov's own checks."""
        return [
            r
            for r in self.results
            if r.file_path.startswith(under)
            and r.check_id.startswith("CKV_HIPAA_") == hipaa
            and (status is None or r.status == status)
        ]


def weakened_deployment() -> str:
    deployment = yaml.safe_load((MANIFESTS / "deployment.yaml").read_text(encoding="utf-8"))
    deployment["metadata"]["name"] = "weakened"
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    container["securityContext"]["allowPrivilegeEscalation"] = True
    container["securityContext"]["readOnlyRootFilesystem"] = False
    return str(yaml.safe_dump(deployment))


@cache
def gate_run() -> GateRun:
    if not CHECKOV.is_file():
        pytest.fail(f"Checkov is not installed at {CHECKOV}: run `make .venv-tools/.installed`")
    workdir = tempfile.TemporaryDirectory(prefix="checkov-gate-")
    _KEEP.append(workdir)  # removed when the test process ends
    root = Path(workdir.name)
    scanned = root / "scan"
    shutil.copytree(MANIFESTS, scanned / PROJECT_K8S.strip("/"))
    (scanned / PROJECT_API.strip("/")).mkdir()
    shutil.copy(DOCKERFILE, scanned / PROJECT_API.strip("/") / "Dockerfile")
    (scanned / WEAKENED.strip("/")).mkdir()
    (scanned / WEAKENED.strip("/") / "deployment.yaml").write_text(weakened_deployment(), encoding="utf-8")
    shutil.copytree(FIXTURES, scanned / HIPAA.strip("/"))
    wrapper = root / "bin" / "checkov"
    wrapper.parent.mkdir()
    wrapper.write_text(_WRAPPER, encoding="utf-8")
    wrapper.chmod(0o755)
    report = root / "report.json"
    completed = subprocess.run(
        ["bash", str(ROOT / "scripts" / "run-checkov.sh"), "dev", str(scanned)],
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "PATH": f"{wrapper.parent}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
            "REAL_CHECKOV": str(CHECKOV),
            "CHECKOV_REPORT_COPY": str(report),
            "EVIDENCE_DIR": str(root / "evidence"),
            "BUILD_ID": "b-checkov",
        },
        cwd=ROOT,
        timeout=240,
        check=False,
    )
    assert report.is_file() and report.stat().st_size > 0, completed.stderr[-2000:]
    documents = json.loads(report.read_text(encoding="utf-8"))
    evidence = json.loads((root / "evidence" / "checkov.json").read_text(encoding="utf-8"))
    reports = {r["check_type"]: r for r in (documents if isinstance(documents, list) else [documents])}
    return GateRun(completed.returncode, completed.stderr, evidence, reports, scanned)
