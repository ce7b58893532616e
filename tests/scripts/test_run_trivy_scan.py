"""run-trivy-scan.sh: HIGH and CRITICAL vulnerabilities in the image or the requirements block."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scripts import scanner_fixtures as fx
from tests.scripts.fakes import FakeTools

STEM = "run-trivy-scan"
GATE = "trivy"
MIRROR = "us-central1-docker.pkg.dev/nwh-analytics-prd/hipaa-prod-ghcr-mirror/aquasecurity"
IMAGE_PACKAGES = 4
REQUIREMENT_PACKAGES = 2
CHECKED = IMAGE_PACKAGES + REQUIREMENT_PACKAGES * len(fx.REQUIREMENT_FILES)


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


def clean(tools: FakeTools) -> FakeTools:
    tools.on("trivy", ["image"], writes={"@--output": fx.text(STEM, "image-clean.json")})
    tools.on("trivy", ["fs", "--scanners", "vuln"], writes={"@--output": fx.text(STEM, "requirements-clean.json")})
    return tools


def test_clean_image_and_requirements_pass_counting_packages(tools: FakeTools) -> None:
    result = clean(tools).run("run-trivy-scan.sh", "prod", fx.IMAGE)
    assert result.returncode == 0, result.stderr
    fx.evidence_ok(tools, GATE, CHECKED)
    image_call = tools.calls("trivy")[0].argv
    for flag, value in [
        ("--severity", "HIGH,CRITICAL"),
        ("--exit-code", "5"),
        ("--format", "json"),
        ("--db-repository", f"{MIRROR}/trivy-db"),
        ("--java-db-repository", f"{MIRROR}/trivy-java-db"),
    ]:
        assert image_call[image_call.index(flag) + 1] == value
    assert "--ignore-unfixed" not in image_call and image_call[-1] == fx.IMAGE
    assert len(tools.calls("trivy")) == 1 + len(fx.REQUIREMENT_FILES)


def test_mirror_follows_the_environment(tools: FakeTools) -> None:
    image = fx.IMAGE.replace("nwh-analytics-prd", "nwh-analytics-dev").replace("hipaa-prod-images", "hipaa-dev-images")
    report = fx.document(STEM, "image-clean.json")
    report["ArtifactName"] = image
    tools.on("trivy", ["image"], writes={"@--output": fx.dumps(report)})
    result = clean(tools).run("run-trivy-scan.sh", "dev", image)
    assert result.returncode == 0, result.stderr
    assert tools.called(
        "trivy",
        "--db-repository",
        "us-central1-docker.pkg.dev/nwh-analytics-dev/hipaa-dev-ghcr-mirror/aquasecurity/trivy-db",
    )


def test_image_vulnerabilities_fail_listing_package_and_cve_not_medium_ones(tools: FakeTools) -> None:
    tools.on("trivy", ["image"], writes={"@--output": fx.text(STEM, "image-vulnerable.json")}, exit=5)
    result = clean(tools).run("run-trivy-scan.sh", "staging", fx.IMAGE)
    assert result.returncode == 1
    assert result.reason == f"run-trivy-scan.sh: FAIL: trivy: 2 violation(s) in {CHECKED} checked"
    assert fx.evidence_failed(tools, GATE) == [
        f"trivy: {fx.IMAGE}: zlib1g 1:1.2.13.dfsg-1 CVE-2026-10001 (CRITICAL)",
        f"trivy: {fx.IMAGE}: openssl 3.0.15-1~deb12u1 CVE-2026-10002 (HIGH)",
    ]


def test_findings_in_the_report_fail_even_when_trivy_exits_0(tools: FakeTools) -> None:
    tools.on("trivy", ["image"], writes={"@--output": fx.text(STEM, "image-vulnerable.json")}, exit=0)
    assert clean(tools).run("run-trivy-scan.sh", "prod", fx.IMAGE).returncode == 1
    assert len(fx.evidence_failed(tools, GATE)) == 2


def test_vulnerable_requirement_file_fails_naming_the_file(tools: FakeTools) -> None:
    tools.on("trivy", ["fs"], writes={"@--output": fx.text(STEM, "requirements-vulnerable.json")}, exit=5, times=1)
    result = clean(tools).run("run-trivy-scan.sh", "prod", fx.IMAGE)
    assert result.returncode == 1
    assert fx.evidence_failed(tools, GATE) == [
        f"trivy: {fx.REQUIREMENT_FILES[0]}: requests 2.34.2 CVE-2026-20001 (HIGH)"
    ]


def test_findings_exit_without_listed_findings_fails(tools: FakeTools) -> None:
    tools.on("trivy", ["image"], writes={"@--output": fx.text(STEM, "image-clean.json")}, exit=5)
    result = clean(tools).run("run-trivy-scan.sh", "prod", fx.IMAGE)
    assert result.returncode == 1
    assert "exit 5 (findings) but the report lists no HIGH or CRITICAL" in fx.evidence_failed(tools, GATE)[0]


@pytest.mark.parametrize("code", [1, 2, 99])
def test_tool_error_fails(tools: FakeTools, code: int) -> None:
    tools.on("trivy", ["image"], exit=code, stderr="FATAL Fatal error\tinit error: DB error: failed to download\n")
    result = clean(tools).run("run-trivy-scan.sh", "prod", fx.IMAGE)
    assert result.returncode == 1
    assert f"trivy image: trivy failed (exit {code}): FATAL Fatal error" in result.reason
    fx.evidence_failed(tools, GATE)


@pytest.mark.parametrize(
    ("writes", "reason"),
    [
        ({}, "trivy image: report image.json is missing"),
        ({"@--output": ""}, "report image.json is empty"),
        ({"@--output": '{"SchemaVersion": 2, "Results": ['}, "report image.json is malformed JSON"),
        ({"@--output": '{"SchemaVersion": 2, "ArtifactName": "x"}'}, "image.json does not have the expected shape"),
        (
            {"@--output": fx.dumps({"ArtifactName": fx.IMAGE, "Results": []})},
            "trivy image: Trivy found no package to check",
        ),
    ],
)
def test_missing_empty_or_malformed_report_fails(tools: FakeTools, writes: dict[str, str], reason: str) -> None:
    tools.on("trivy", ["image"], writes=writes)
    result = clean(tools).run("run-trivy-scan.sh", "prod", fx.IMAGE)
    assert result.returncode == 1
    assert reason in result.reason
    fx.evidence_failed(tools, GATE)


def test_report_about_another_image_fails(tools: FakeTools) -> None:
    report = fx.document(STEM, "image-clean.json")
    report["ArtifactName"] = "us-central1-docker.pkg.dev/nwh-analytics-prd/hipaa-prod-images/other@" + fx.DIGEST
    tools.on("trivy", ["image"], writes={"@--output": fx.dumps(report)})
    result = clean(tools).run("run-trivy-scan.sh", "prod", fx.IMAGE)
    assert result.returncode == 1 and "the report is not about" in result.reason


def test_missing_trivy_fails(tools: FakeTools) -> None:
    tools.remove("trivy")
    result = tools.run("run-trivy-scan.sh", "prod", fx.IMAGE)
    assert result.returncode == 1 and "required tool 'trivy' is not installed" in result.reason
    fx.evidence_failed(tools, GATE)


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("prod",),
        ("prod", fx.IMAGE.split("@")[0] + ":latest"),
        ("prod", "docker.io/library/python@" + fx.DIGEST),
        ("qa", fx.IMAGE),
        ("prod", ""),
    ],
)
def test_missing_unpinned_or_foreign_image_exits_2(tools: FakeTools, args: tuple[str, ...]) -> None:
    result = tools.run("run-trivy-scan.sh", *args)
    assert result.returncode == 2
    assert result.reason == "usage: run-trivy-scan.sh ENV IMAGE_REF"
    assert tools.calls() == []
