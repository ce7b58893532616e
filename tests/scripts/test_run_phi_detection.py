"""run-phi-detection.sh: the build log (from Cloud Logging) and the outputs are scanned; PHI blocks the build."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from tests.pipeline.phi_corpus import dea, mbi, npi, seeded, ssn
from tests.scripts.fakes import FakeTools, Result

SCRIPT = "run-phi-detection.sh"
FILTER = 'resource.type="build" AND resource.labels.build_id="b-123"'
RNG = seeded(4242)
SECRETS = {"ssn": ssn(RNG), "npi": npi(RNG), "mbi": mbi(RNG), "dea": dea(RNG)}


def entry(text: str) -> dict[str, Any]:
    return {
        "textPayload": text,
        "resource": {"type": "build", "labels": {"build_id": "b-123", "project_id": "nwh-analytics-prd"}},
        "timestamp": "2026-11-24T15:00:00Z",
        "severity": "INFO",
    }


CLEAN_LOG = [
    entry(
        'Step #0 - "validate-env": Already have image (with digest): gcr.io/cloud-builders/gcloud@sha256:' + "ab" * 32
    ),
    entry('Step #3 - "unit-tests": ========== 412 passed, 3 skipped in 41.20s =========='),
    entry('Step #5 - "trivy": Total: 0 (HIGH: 0, CRITICAL: 0)'),
]


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


@pytest.fixture
def outputs(tmp_path: Path) -> Path:
    directory = tmp_path / "outputs"
    (directory / "tests").mkdir(parents=True)
    (directory / "tests" / "junit.xml").write_text('<testsuite tests="412" failures="0"/>\n', encoding="utf-8")
    (directory / "api-image").write_text(
        "us-central1-docker.pkg.dev/nwh-analytics-prd/hipaa-prod-images/api@sha256:" + "cd" * 32 + "\n",
        encoding="utf-8",
    )
    return directory


def build_log(tools: FakeTools, entries: list[dict[str, Any]] | str, **answer: Any) -> FakeTools:
    return tools.on("gcloud", ["logging", "read", FILTER], stdout=entries, **answer)


def assert_no_secret_anywhere(result: Result) -> None:
    evidence = (result.tools.evidence / "phi-detection.json").read_text(encoding="utf-8")
    for secret in SECRETS.values():
        for text in (result.stdout, result.stderr, evidence):
            assert secret not in text and secret[:6] not in text and secret[-6:] not in text


def test_a_clean_log_and_clean_outputs_pass(tools: FakeTools, outputs: Path) -> None:
    result = build_log(tools, CLEAN_LOG).run(SCRIPT, "prod", str(outputs))
    assert result.returncode == 0, result.stderr
    evidence = tools.evidence_of("phi-detection")
    assert (evidence["status"], evidence["checked"], evidence["violations"]) == ("pass", 3, [])
    assert result.reason == "run-phi-detection.sh: PASS: phi-detection: 3 checked, 0 violations"
    assert "PHI scan: mode pattern-only, 3 file(s) scanned, 0 binary skipped, 0 finding(s)" in result.stderr
    [call] = tools.calls("gcloud")
    assert call.argv == [
        "logging",
        "read",
        FILTER,
        "--project=nwh-analytics-prd",
        "--order=asc",
        "--freshness=2d",
        "--format=json",
    ]


def test_phi_in_the_log_or_the_outputs_blocks_and_is_named_without_its_text(tools: FakeTools, outputs: Path) -> None:
    log = [
        *CLEAN_LOG,
        entry(f"row rejected: ssn {SECRETS['ssn']}"),
        {"jsonPayload": {"message": "prescriber lookup", "npi": SECRETS["npi"]}},
    ]
    (outputs / "tests" / "failure.txt").write_text(
        f"AssertionError: expected masked value, got mbi {SECRETS['mbi']}\nDEA number {SECRETS['dea']}\n",
        encoding="utf-8",
    )
    (outputs / "layer.bin").write_bytes(b"\x00\x01\x02" * 100)
    result = build_log(tools, log).run(SCRIPT, "staging", str(outputs))
    assert result.returncode == 1
    evidence = tools.evidence_of("phi-detection")
    assert (evidence["status"], evidence["environment"], evidence["checked"]) == ("fail", "staging", 4)
    assert evidence["violations"] == [
        "PHI found: build-b-123.log:4:19: US_SSN (score 0.85)",
        "PHI found: build-b-123.log:5:39: US_NPI (score 0.55)",
        f"PHI found: {outputs}/tests/failure.txt:1:48: US_MBI (score 0.55)",
        f"PHI found: {outputs}/tests/failure.txt:2:12: US_DEA_NUMBER (score 0.55)",
    ]
    assert result.reason == "run-phi-detection.sh: FAIL: phi-detection: 4 violation(s) in 4 checked"
    assert "4 file(s) scanned, 1 binary skipped, 4 finding(s)" in result.stderr
    assert_no_secret_anywhere(result)


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ({"exit": 1, "stderr": "ERROR: (gcloud.logging.read) PERMISSION_DENIED"}, "build log: gcloud failed (exit 1)"),
        ({"stdout": ""}, "build log: gcloud printed nothing"),
        ({"stdout": "[{"}, "build log: gcloud printed malformed JSON"),
        ({"stdout": {"entries": []}}, "build log: expected a JSON array"),
        ({"stdout": []}, "Cloud Logging has no entry for build b-123"),
        ({"stdout": ["a line"]}, "build log: entries are not JSON objects"),
        ({"stdout": [{"severity": "INFO"}]}, "no entry of build b-123 carries a text or JSON payload"),
    ],
)
def test_tool_failure_empty_and_malformed_log_fail_closed(
    tools: FakeTools, outputs: Path, answer: dict[str, Any], reason: str
) -> None:
    tools.on("gcloud", ["logging", "read"], **answer)
    result = tools.run(SCRIPT, "prod", str(outputs))
    assert result.returncode == 1
    assert reason in result.reason and result.reason.startswith("run-phi-detection.sh: FAIL: ")
    evidence = tools.evidence_of("phi-detection")
    assert evidence["status"] == "fail" and evidence["checked"] == 0


def test_a_path_that_does_not_exist_fails_the_gate(tools: FakeTools, tmp_path: Path) -> None:
    result = build_log(tools, CLEAN_LOG).run(SCRIPT, "prod", str(tmp_path / "absent"))
    assert result.returncode == 1
    assert "PHI scan could not run (exit 2): phi: ERROR:" in result.reason and "no such file" in result.reason
    assert tools.evidence_of("phi-detection")["status"] == "fail"


@pytest.mark.parametrize("env", [{"BUILD_ID": ""}, {"BUILD_ID": 'b"123 OR x'}, {"PROJECT_ID": ""}])
def test_missing_or_unsafe_build_context_fails(tools: FakeTools, outputs: Path, env: dict[str, str]) -> None:
    result = build_log(tools, CLEAN_LOG).run(SCRIPT, "prod", str(outputs), env=env)
    assert result.returncode == 1 and tools.calls("gcloud") == []
    assert "is not set" in result.reason or "is malformed" in result.reason


@pytest.mark.parametrize("args", [(), ("prod",), ("qa", "out"), ("", "out"), ("prod", ""), ("prod", "out", "")])
def test_missing_or_malformed_arguments_exit_2(tools: FakeTools, args: tuple[str, ...]) -> None:
    result = tools.run(SCRIPT, *args)
    assert result.returncode == 2
    assert result.reason.startswith("usage: run-phi-detection.sh ENV PATH...")
    assert tools.calls() == []


def test_a_missing_python_fails_the_gate(tools: FakeTools, outputs: Path, tmp_path: Path) -> None:
    result = build_log(tools, CLEAN_LOG).run(SCRIPT, "prod", str(outputs), env={"PYTHON": str(tmp_path / "nope")})
    assert result.returncode == 1 and "is not installed" in result.reason
    assert json.loads((tools.evidence / "phi-detection.json").read_text(encoding="utf-8"))["status"] == "fail"


# --- The final scan (gate phi-log-scan): the whole log, deploy steps included, before the report. ---

FINAL = {"PHI_GATE_ID": "phi-log-scan", "PHI_LOG_RETRY_SECONDS": "0", "PHI_LOG_READS": "3"}
DEPLOY_LOG = [
    *CLEAN_LOG,
    entry('Step #27 - "deploy-gke": deploy-gke-hipaa.sh: PASS: deploy-gke: 9 checked, 0 violations'),
    entry('Step #30 - "dast": run-zap-dast.sh: PASS: dast: 41 checked, 0 violations'),
]


def passed(tools: FakeTools, *gates: str, status: str = "pass") -> None:
    tools.evidence.mkdir(parents=True, exist_ok=True)
    for gate in gates:
        (tools.evidence / f"{gate}.json").write_text(json.dumps({"gate": gate, "status": status}), encoding="utf-8")


def test_the_final_scan_reads_the_whole_log_and_passes_as_its_own_gate(tools: FakeTools, outputs: Path) -> None:
    passed(tools, "deploy-gke", "dast")
    result = build_log(tools, DEPLOY_LOG).run(SCRIPT, "prod", str(outputs), str(tools.evidence), env=FINAL)
    assert result.returncode == 0, result.stderr
    evidence = tools.evidence_of("phi-log-scan")
    # 2 gates' PASS lines found, then 5 files: the log, 2 outputs, 2 evidence files.
    assert (evidence["gate"], evidence["status"], evidence["checked"]) == ("phi-log-scan", "pass", 7)
    assert not (tools.evidence / "phi-detection.json").exists()


def test_phi_printed_by_a_deploy_step_blocks_the_final_scan(tools: FakeTools, outputs: Path) -> None:
    passed(tools, "deploy-gke")
    log = [*DEPLOY_LOG, entry(f'Step #29 - "pyspark-job": rejected row ssn {SECRETS["ssn"]}')]
    result = build_log(tools, log).run(SCRIPT, "prod", str(outputs), env=FINAL)
    assert result.returncode == 1
    assert tools.evidence_of("phi-log-scan")["violations"] == ["PHI found: build-b-123.log:6:44: US_SSN (score 0.85)"]
    assert SECRETS["ssn"] not in result.stdout + result.stderr + json.dumps(tools.evidence_of("phi-log-scan"))


def test_the_final_scan_waits_for_the_log_to_catch_up(tools: FakeTools, outputs: Path) -> None:
    passed(tools, "deploy-gke", "dast")
    build_log(tools, CLEAN_LOG, times=1)
    build_log(tools, DEPLOY_LOG)
    result = tools.run(SCRIPT, "prod", str(outputs), env=FINAL)
    assert result.returncode == 0, result.stderr
    assert len(tools.calls("gcloud")) == 2
    assert "waiting for the PASS lines of dast deploy-gke (read 1 of 3)" in result.stderr


def test_a_log_that_never_catches_up_fails_the_final_scan(tools: FakeTools, outputs: Path) -> None:
    passed(tools, "deploy-gke", "dast")
    result = build_log(tools, DEPLOY_LOG[:-1]).run(SCRIPT, "prod", str(outputs), env=FINAL)
    assert result.returncode == 1
    assert result.reason == (
        "run-phi-detection.sh: FAIL: build log: no PASS line of dast after 3 reads; the log is incomplete,"
        " so it cannot be shown to be clean"
    )
    assert len(tools.calls("gcloud")) == 3
    assert tools.evidence_of("phi-log-scan")["status"] == "fail"


def test_the_final_scan_without_any_passed_gate_fails(tools: FakeTools, outputs: Path) -> None:
    passed(tools, "deploy-gke", status="fail")
    result = build_log(tools, DEPLOY_LOG).run(SCRIPT, "prod", str(outputs), env=FINAL)
    assert result.returncode == 1
    assert "nothing shows the log to be complete" in result.reason


def test_malformed_evidence_fails_the_final_scan(tools: FakeTools, outputs: Path) -> None:
    passed(tools, "deploy-gke")
    (tools.evidence / "dast.json").write_text("{", encoding="utf-8")
    result = build_log(tools, DEPLOY_LOG).run(SCRIPT, "prod", str(outputs), env=FINAL)
    assert result.returncode == 1
    assert result.reason == "run-phi-detection.sh: FAIL: evidence dast.json is malformed JSON"


def test_an_unknown_gate_id_is_a_usage_error(tools: FakeTools, outputs: Path) -> None:
    result = tools.run(SCRIPT, "prod", str(outputs), env={"PHI_GATE_ID": "encryption"})
    assert result.returncode == 2
    assert "PHI_GATE_ID must be phi-detection or phi-log-scan" in result.stderr
    assert tools.calls() == []


def test_the_phi_log_scan_gate_runs_the_final_scan(tools: FakeTools, outputs: Path) -> None:
    passed(tools, "deploy-gke", "dast")
    env = {k: v for k, v in FINAL.items() if k != "PHI_GATE_ID"}
    result = build_log(tools, DEPLOY_LOG).run("run-phi-log-scan.sh", "prod", str(outputs), env=env)
    assert result.returncode == 0, result.stderr
    assert tools.evidence_of("phi-log-scan")["status"] == "pass"
    assert result.reason == "run-phi-detection.sh: PASS: phi-log-scan: 5 checked, 0 violations"


def test_the_phi_log_scan_gate_fails_closed_on_an_incomplete_log(tools: FakeTools, outputs: Path) -> None:
    passed(tools, "dast")
    env = {k: v for k, v in FINAL.items() if k != "PHI_GATE_ID"}
    result = build_log(tools, CLEAN_LOG).run("run-phi-log-scan.sh", "prod", str(outputs), env=env)
    assert result.returncode == 1
    assert "no PASS line of dast after 3 reads" in result.reason


def test_the_phi_log_scan_gate_needs_its_arguments(tools: FakeTools) -> None:
    result = tools.run("run-phi-log-scan.sh", "prod")
    assert result.returncode == 2 and "usage: run-phi-log-scan.sh ENV PATH..." in result.stderr


def source_tree(root: Path) -> Path:
    """A workspace as the phi-detection step sees it: committed code and data beside the build's own trees,
    with one reviewed synthetic value exempted."""
    exemption = {
        "path": "workloads/api/examples.py",
        "entity_type": "US_SSN",
        "sha256": hashlib.sha256(SECRETS["ssn"].encode()).hexdigest(),
        "reason": "a made-up SSN in the API's documented examples",
    }
    for relative, text in {
        "monitoring/prod/policies/alert.json": '{"displayName": "KMS key disabled"}\n',
        "requirements.txt": "pulumi==3.200.0\n",
        "workloads/k8s/api.yaml": "kind: Deployment\n",
        "workloads/api/examples.py": f"EXAMPLE_SSN = '{SECRETS['ssn']}'\n",
        "security/phi-exemptions.json": json.dumps({"exemptions": [exemption]}),
        # Synthetic PHI by design, or the build's own trees: never scanned as source.
        "tests/fixtures/patients.csv": f"ssn\n{SECRETS['ssn']}\n",
        ".venv/lib/site-packages/faker/data.txt": f"{SECRETS['ssn']}\n",
        ".tools/semgrep/rules.json": f'{{"example": "{SECRETS["ssn"]}"}}\n',
        "workloads/api/build/lib/copy.json": f'{{"ssn": "{SECRETS["ssn"]}"}}\n',
        "workloads/api/src/hipaa_api.egg-info/PKG-INFO": f"Summary: {SECRETS['ssn']}\n",
        "workloads/api/src/hipaa_api/__pycache__/app.cpython-311.pyc": f"{SECRETS['ssn']}\n",
    }.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_committed_files_are_scanned_and_the_build_trees_are_not(tools: FakeTools, outputs: Path) -> None:
    workspace = source_tree(tools.root / "workspace")
    result = build_log(tools, CLEAN_LOG).run(SCRIPT, "prod", str(outputs), env={"PHI_SOURCE_DATA": str(workspace)})
    assert result.returncode == 0, result.stderr
    assert f"source: 4 data and 1 other committed file(s) under {workspace}" in result.stderr
    assert "PHI scan: mode pattern-only, 7 file(s) scanned, 0 binary skipped, 0 finding(s)" in result.stderr
    assert (
        "PHI scan of code and prose: mode pattern-only, 1 file(s) scanned, 0 binary skipped,"
        " 1 reviewed synthetic value(s) exempted, 0 finding(s)"
    ) in result.stderr
    assert tools.evidence_of("phi-detection")["checked"] == 8


@pytest.mark.parametrize(
    ("relative", "text", "column"),
    [
        ("workloads/quality/planted_patients.csv", f"patient_id,ssn\nPAT-1,{SECRETS['ssn']}\n", 7),
        # The exempted value, in a file its exemption does not name: found.
        ("workloads/api/src/hipaa_api/planted.py", f"\nCONTACT_SSN = '{SECRETS['ssn']}'\n", 16),
    ],
    ids=["data-file", "code-file"],
)
def test_a_committed_file_holding_phi_blocks_the_build(
    tools: FakeTools, outputs: Path, relative: str, text: str, column: int
) -> None:
    workspace = source_tree(tools.root / "workspace")
    planted = workspace / relative
    planted.parent.mkdir(parents=True, exist_ok=True)
    planted.write_text(text, encoding="utf-8")
    result = build_log(tools, CLEAN_LOG).run(SCRIPT, "prod", str(outputs), env={"PHI_SOURCE_DATA": str(workspace)})
    assert result.returncode == 1
    score = "0.5" if relative.endswith(".csv") else "0.85"
    evidence = tools.evidence_of("phi-detection")["violations"]
    assert evidence == [f"PHI found: {planted}:2:{column}: US_SSN (score {score})"]
    assert_no_secret_anywhere(result)


@pytest.mark.parametrize("kind", ["missing", "empty"])
def test_a_source_tree_that_is_missing_or_holds_no_committed_file_fails(
    tools: FakeTools, outputs: Path, kind: str
) -> None:
    workspace = tools.root / "workspace"
    exemptions = tools.root / "exemptions.json"
    exemptions.write_text('{"exemptions": []}', encoding="utf-8")
    if kind == "empty":
        (workspace / "tests").mkdir(parents=True)
        (workspace / "tests" / "cases.json").write_text("{}\n", encoding="utf-8")
    env = {"PHI_SOURCE_DATA": str(workspace), "PHI_EXEMPTIONS": str(exemptions)}
    result = build_log(tools, CLEAN_LOG).run(SCRIPT, "prod", str(outputs), env=env)
    assert result.returncode == 1
    reason = "is not a directory" if kind == "missing" else "no committed file found"
    assert reason in result.reason


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "phi-exemptions.json not found; without it the committed source cannot be judged"),
        ('{"exemptions": [{"path": "a.py"}]}', "exemption 1 lacks entity_type, sha256, reason"),
        ('{"exemptions": [], "files": ["a.py"]}', 'must be an object with one key, "exemptions"'),
    ],
    ids=["missing", "entry-without-keys", "whole-file-exemption"],
)
def test_a_missing_or_malformed_exemptions_file_fails_the_gate(
    tools: FakeTools, outputs: Path, content: str | None, reason: str
) -> None:
    workspace = source_tree(tools.root / "workspace")
    exemptions = workspace / "security" / "phi-exemptions.json"
    if content is None:
        exemptions.unlink()
    else:
        exemptions.write_text(content, encoding="utf-8")
    result = build_log(tools, CLEAN_LOG).run(SCRIPT, "prod", str(outputs), env={"PHI_SOURCE_DATA": str(workspace)})
    assert result.returncode == 1
    assert reason in result.reason
