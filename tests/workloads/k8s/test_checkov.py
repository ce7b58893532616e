"""Checkov's Kubernetes and Dockerfile checks over the real manifests and Dockerfile: no failed check.

Checkov lives in .venv-tools (its pins clash with the project's). It runs offline: --skip-download and
BC_SKIP_MAPPING keep it from the vendor API, CKV_SKIP_PACKAGE_UPDATE_CHECK from PyPI. A deliberately weakened
Deployment is scanned in the same run, so the test shows Checkov really catches a violation here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
CHECKOV = ROOT / ".venv-tools" / "bin" / "checkov"
MANIFESTS = ROOT / "workloads" / "k8s"
DOCKERFILE = ROOT / "workloads" / "api" / "Dockerfile"
FLAGS = ("--skip-download", "--compact", "--quiet", "--output", "json")
OFFLINE = {"BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true", "CKV_PARSE_ERROR_FAIL": "true"}


def weakened_deployment() -> str:
    deployment = yaml.safe_load((MANIFESTS / "deployment.yaml").read_text(encoding="utf-8"))
    deployment["metadata"]["name"] = "weakened"
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    container["securityContext"]["allowPrivilegeEscalation"] = True
    container["securityContext"]["readOnlyRootFilesystem"] = False
    return str(yaml.safe_dump(deployment))


@cache
def scan(workdir: Path) -> dict[str, Any]:
    if not CHECKOV.is_file():
        pytest.fail(f"Checkov is not installed at {CHECKOV}: run `make .venv-tools/.installed`")
    shutil.copytree(MANIFESTS, workdir / "k8s")
    shutil.copy(DOCKERFILE, workdir / "Dockerfile")
    (workdir / "weakened").mkdir()
    (workdir / "weakened" / "deployment.yaml").write_text(weakened_deployment(), encoding="utf-8")
    completed = subprocess.run(
        [str(CHECKOV), "-d", str(workdir), "--framework", "kubernetes", "dockerfile", *FLAGS],
        capture_output=True,
        text=True,
        env={**os.environ, **OFFLINE},
        timeout=120,
        check=False,
    )
    assert completed.returncode in (0, 1), completed.stderr[-2000:]
    reports = json.loads(completed.stdout)
    return {report["check_type"]: report for report in (reports if isinstance(reports, list) else [reports])}


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return scan(tmp_path_factory.mktemp("checkov"))


def failures(report: dict[str, Any], under: str) -> list[str]:
    return sorted(
        f"{c['check_id']} {c['resource']} ({c['file_path']})"
        for c in report["results"]["failed_checks"]
        if c["file_path"].startswith(under)
    )


def test_manifests_pass_every_kubernetes_check(reports: dict[str, Any]) -> None:
    report = reports["kubernetes"]
    assert failures(report, "/k8s/") == []
    assert report["summary"]["parsing_errors"] == 0
    # Every manifest was parsed: 9 objects, the Deployment counted with its pod template; +2 for the weakened one.
    assert report["summary"]["resource_count"] == 12
    assert report["summary"]["passed"] > 50


def test_dockerfile_passes_every_dockerfile_check(reports: dict[str, Any]) -> None:
    report = reports["dockerfile"]
    assert failures(report, "/") == []
    assert report["summary"]["resource_count"] == 1 and report["summary"]["passed"] > 20


def test_checkov_catches_a_weakened_deployment(reports: dict[str, Any]) -> None:
    assert [f.split(" ")[0] for f in failures(reports["kubernetes"], "/weakened/")] == ["CKV_K8S_20", "CKV_K8S_22"]
