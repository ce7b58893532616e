"""generate-compliance-report.sh: report, PHI scan of all that leaves, upload, proof by listing, FAIL fails."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

from pipeline.contract import RECORDED_FAIL_EXIT
from pipeline.report import main as write_report
from tests.pipeline.evidence_files import evidence, write, write_all
from tests.pipeline.phi_corpus import seeded, ssn
from tests.scripts.fakes import FakeTools

SCRIPT = "generate-compliance-report.sh"
BUCKET = "nwh-analytics-prd-reports"
DESTINATION = f"gs://{BUCKET}/reports/b-123"
SECRET_SSN = ssn(seeded(77))


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


def listing_of(evidence_dir: Path, scratch: Path, environment: str = "prod") -> list[dict[str, Any]]:
    """What `gcloud storage objects list --format=json` shows after a faithful upload of this report."""
    out = scratch / "expected"
    now = datetime.datetime.now(datetime.UTC)
    write_report(
        ["--evidence", str(evidence_dir), "--out", str(out), "--environment", environment, "--build-id", "b-123"], now
    )
    return [
        {"name": f"reports/b-123/{path.relative_to(out).as_posix()}", "bucket": BUCKET, "size": path.stat().st_size}
        for path in sorted(out.rglob("*"))
        if path.is_file()
    ]


def uploads_and_listing(tools: FakeTools, listing: Any, **answer: Any) -> FakeTools:
    tools.on("gcloud", ["storage", "cp", f"{DESTINATION}/evidence/"])
    tools.on("gcloud", ["storage", "cp", f"{DESTINATION}/"])
    return tools.on("gcloud", ["storage", "objects", "list", f"{DESTINATION}/**"], stdout=listing, **answer)


def test_a_passing_report_is_uploaded_and_checked(tools: FakeTools, tmp_path: Path) -> None:
    write_all(tools.evidence)
    uploads_and_listing(tools, listing_of(tools.evidence, tmp_path))
    result = tools.run(SCRIPT, "prod", BUCKET)
    assert result.returncode == 0, result.stderr
    assert "report: PASS: prod build b-123: 27 of 27 required gates passed" in result.stderr
    assert "PHI scan of the report: mode pattern-only, 30 file(s) scanned" in result.stderr
    assert result.reason.endswith(f"compliance report verdict PASS for prod build b-123: {DESTINATION}/report.md")
    report_call, evidence_call, list_call = tools.calls("gcloud")
    assert [Path(a).name for a in report_call.argv[2:5]] == ["report.json", "report.md", "report.html"]
    assert report_call.argv[5] == f"{DESTINATION}/"
    assert len(evidence_call.argv) == 2 + 27 + 1 and evidence_call.argv[-1] == f"{DESTINATION}/evidence/"
    assert list_call.argv[-1] == "--format=json"


def test_a_failing_report_is_uploaded_and_then_fails_with_the_recorded_fail_code(
    tools: FakeTools, tmp_path: Path
) -> None:
    write_all(tools.evidence, skip=("dast",))
    write(tools.evidence, evidence("encryption", status="fail", violations=["bucket b: no CMEK key"]))
    uploads_and_listing(tools, listing_of(tools.evidence, tmp_path))
    result = tools.run(SCRIPT, "prod", BUCKET)
    # 3, not 1: the pipeline lets the notification follow a FAIL that was recorded (allowExitCodes).
    assert result.returncode == RECORDED_FAIL_EXIT == 3
    assert (
        result.reason == f"{SCRIPT}: FAIL: compliance report verdict FAIL for prod build b-123: {DESTINATION}/report.md"
    )
    assert "25 of 27 required gates passed (fail: encryption; missing: dast)" in result.stderr
    assert tools.called("gcloud", "storage", "objects", "list")


def test_phi_in_the_evidence_blocks_the_upload(tools: FakeTools) -> None:
    write_all(tools.evidence)
    write(tools.evidence, evidence("data-quality", status="fail", violations=[f"row 12: ssn {SECRET_SSN} unmasked"]))
    result = tools.run(SCRIPT, "prod", BUCKET)
    assert result.returncode == 1
    assert result.reason.endswith("PHI found in the report or its evidence (1 finding(s)); nothing was uploaded")
    assert "PHI found: evidence/data-quality.json:1:130: US_SSN (score 0.85)" in result.stderr
    assert tools.calls("gcloud") == []
    for text in (result.stdout, result.stderr):
        assert SECRET_SSN not in text and SECRET_SSN[:6] not in text


@pytest.mark.parametrize(
    ("listing", "reason"),
    [
        ([], "upload check: gs://nwh-analytics-prd-reports/reports/b-123/evidence/access-controls.json is missing"),
        ("[{", "upload check: gcloud printed malformed JSON"),
        ("shrunk", "differs in size after the upload"),
    ],
)
def test_an_upload_that_the_listing_does_not_prove_fails(
    tools: FakeTools, tmp_path: Path, listing: Any, reason: str
) -> None:
    write_all(tools.evidence)
    if listing == "shrunk":
        listing = listing_of(tools.evidence, tmp_path)
        listing[-1]["size"] -= 1
    uploads_and_listing(tools, listing)
    result = tools.run(SCRIPT, "prod", BUCKET)
    assert result.returncode == 1 and reason in result.reason


@pytest.mark.parametrize("printed", ["", "\n", "  \n\t"])
def test_a_listing_that_prints_nothing_fails(tools: FakeTools, printed: str) -> None:
    # gcloud exits 0 but prints nothing: nothing proves the upload, so the report step fails.
    write_all(tools.evidence)
    uploads_and_listing(tools, printed)
    result = tools.run(SCRIPT, "prod", BUCKET)
    assert result.returncode == 1
    assert result.reason == "generate-compliance-report.sh: FAIL: upload check: gcloud printed nothing"
    assert tools.called("gcloud", "storage", "objects", "list")


def test_a_failed_upload_fails(tools: FakeTools) -> None:
    write_all(tools.evidence)
    tools.on("gcloud", ["storage", "cp"], exit=1, stderr="ERROR: (gcloud.storage.cp) 403 VPC Service Controls")
    result = tools.run(SCRIPT, "prod", BUCKET)
    assert result.returncode == 1
    assert "report upload: gcloud failed (exit 1): ERROR: (gcloud.storage.cp) 403" in result.reason


@pytest.mark.parametrize("env", [{"EVIDENCE_DIR": ""}, {"BUILD_ID": ""}, {"BUILD_ID": "b/../x"}])
def test_missing_build_context_fails_before_anything_runs(tools: FakeTools, env: dict[str, str]) -> None:
    result = tools.run(SCRIPT, "prod", BUCKET, env=env)
    assert result.returncode == 1 and tools.calls() == []


def test_a_missing_evidence_directory_fails(tools: FakeTools, tmp_path: Path) -> None:
    result = tools.run(SCRIPT, "prod", BUCKET, env={"EVIDENCE_DIR": str(tmp_path / "absent")})
    assert result.returncode == 1 and "is not a directory" in result.reason


@pytest.mark.parametrize(
    "args",
    [(), ("prod",), ("qa", BUCKET), ("prod", "gs://" + BUCKET), ("prod", "Bad_Bucket"), ("prod", "")],
)
def test_missing_or_malformed_arguments_exit_2(tools: FakeTools, args: tuple[str, ...]) -> None:
    result = tools.run(SCRIPT, *args)
    assert result.returncode == 2 and result.reason == "usage: generate-compliance-report.sh ENV COMPLIANCE_BUCKET"
    assert tools.calls() == []
