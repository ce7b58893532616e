"""pipeline/report.py and report_render.py: the verdict, the control map, and what an auditor reads."""

from __future__ import annotations

import datetime
import json
import re
import runpy
import sys
from pathlib import Path
from typing import Any

import pytest

from pipeline.evidence import MAX_EVIDENCE_BYTES, Evidence, EvidenceSet
from pipeline.gates import CONTROLS, GATES, Gate, gate, required_gates
from pipeline.report import FAIL, PASS, Report, control_result, evaluate, gate_result, main
from pipeline.report_render import markdown, md, page, to_document
from tests.pipeline.evidence_files import BUILD, evidence, write, write_all

NOW = datetime.datetime(2026, 11, 24, 15, 30, tzinfo=datetime.UTC)
VIOLATION_TEXT = "bucket nwh-analytics-prd-raw: no CMEK key from hipaa-prod-keyring"


def run(evidence_dir: Path, out: Path, environment: str = "prod", build_id: str = BUILD) -> int:
    return main(
        ["--evidence", str(evidence_dir), "--out", str(out), "--environment", environment, "--build-id", build_id],
        now=NOW,
    )


def report_json(out: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return document


def gates_by_id(out: Path) -> dict[str, dict[str, Any]]:
    return {g["id"]: g for g in report_json(out)["gates"]}


def test_every_gate_passing_is_a_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(write_all(tmp_path / "ev"), tmp_path / "out") == 0
    document = report_json(tmp_path / "out")
    assert document["verdict"] == PASS and document["environment"] == "prod" and document["build_id"] == BUILD
    assert document["generated_at"] == "2026-11-24T15:30:00Z"
    assert document["summary"]["gates_required"] == len(required_gates("prod")) == document["summary"]["gates_pass"]
    assert {c["id"] for c in document["controls"]} == set(CONTROLS)
    assert all(c["status"] == "pass" and c["gates"] for c in document["controls"])
    trivy = gates_by_id(tmp_path / "out")["trivy"]
    assert trivy == {
        "id": "trivy",
        "title": gate("trivy").title,
        "script": "run-trivy-scan.sh",
        "controls": list(gate("trivy").controls),
        "required": True,
        "status": "pass",
        "checked": 4,
        "violations": 0,
        "evidence": "evidence/trivy.json",
        "reason": None,
        "tool": "gcloud/jq",
        "finished_at": "2026-11-24T15:00:00Z",
        "inventory": None,
    }
    assert capsys.readouterr().out.startswith("report: PASS: prod build b-123: 27 of 27 required gates passed")


def test_the_report_says_what_each_live_gate_compared_with_the_inventory(tmp_path: Path) -> None:
    evidence_dir = write_all(tmp_path / "ev")
    counts = {"file": "security/inventory/prod.json", "expected": 27, "found": 26, "missing": 1, "unmanaged": 2}
    inventory = {**counts, "mismatched": 3, "properties": 70, "unmanaged_tolerated": []}
    failed = evidence("encryption", status="fail", violations=["bucket b: planned but not found"], inventory=inventory)
    write(evidence_dir, failed)
    assert run(evidence_dir, tmp_path / "out") == 1
    by_id = gates_by_id(tmp_path / "out")
    assert by_id["encryption"]["inventory"] == {k: v for k, v in inventory.items() if k != "unmanaged_tolerated"}
    assert by_id["trivy"]["inventory"] is None
    text = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "## Planned resources compared" in text and "| encryption | 27 | 26 | 1 | 2 | 3 | 70 |" in text
    assert "<td>encryption</td><td>27</td><td>26</td><td>1</td><td>2</td><td>3</td><td>70</td>" in (
        tmp_path / "out" / "report.html"
    ).read_text(encoding="utf-8")


def test_without_inventory_evidence_there_is_no_inventory_section(tmp_path: Path) -> None:
    assert run(write_all(tmp_path / "ev"), tmp_path / "out") == 0
    assert "Planned resources compared" not in (tmp_path / "out" / "report.md").read_text(encoding="utf-8")


def test_controls_map_to_their_gates(tmp_path: Path) -> None:
    run(write_all(tmp_path / "ev"), tmp_path / "out")
    controls = {c["id"]: c for c in report_json(tmp_path / "out")["controls"]}
    assert controls["164.312(b)"]["gates"] == ["env-validation", "audit-logs"]
    assert (
        controls["164.312(b)"]["citation"] == "45 CFR 164.312(b)"
        and controls["164.312(b)"]["title"] == "Audit controls"
    )


def test_a_failed_gate_fails_the_report_and_its_controls(tmp_path: Path) -> None:
    ev = write_all(tmp_path / "ev")
    write(ev, evidence("encryption", status="fail", violations=[VIOLATION_TEXT, VIOLATION_TEXT]))
    assert run(ev, tmp_path / "out") == 1
    document = report_json(tmp_path / "out")
    assert document["verdict"] == FAIL
    encryption = gates_by_id(tmp_path / "out")["encryption"]
    assert (encryption["status"], encryption["violations"], encryption["checked"]) == ("fail", 2, 4)
    failed_controls = {c["id"] for c in document["controls"] if c["status"] == "fail"}
    assert failed_controls == set(gate("encryption").controls)


def test_violation_text_is_counted_never_copied(tmp_path: Path) -> None:
    ev = write_all(tmp_path / "ev")
    write(ev, evidence("encryption", status="fail", violations=[VIOLATION_TEXT]))
    run(ev, tmp_path / "out")
    for name in ("report.json", "report.md", "report.html"):
        assert "nwh-analytics-prd-raw" not in (tmp_path / "out" / name).read_text(encoding="utf-8")
    # the evidence itself travels next to the report, linked
    assert VIOLATION_TEXT in (tmp_path / "out" / "evidence" / "encryption.json").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("spoil", "status", "reason"),
    [
        (lambda ev: (ev / "dast.json").unlink(), "missing", "no evidence file: the gate did not run or did not finish"),
        (lambda ev: (ev / "dast.json").write_text("{", encoding="utf-8"), "invalid", "not UTF-8 JSON"),
        (
            lambda ev: write(ev, evidence("dast", checked=0)),
            "invalid",
            "inconsistent: status pass with nothing checked",
        ),
        (lambda ev: write(ev, evidence("dast", environment="dev")), "invalid", "key 'environment' is not 'prod'"),
    ],
)
def test_missing_malformed_and_inconsistent_evidence_fail_the_report_named(
    tmp_path: Path, spoil: Any, status: str, reason: str
) -> None:
    ev = write_all(tmp_path / "ev")
    spoil(ev)
    assert run(ev, tmp_path / "out") == 1
    dast = gates_by_id(tmp_path / "out")["dast"]
    assert (dast["status"], dast["reason"]) == (status, reason)
    markdown_text = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert f"{status.upper()}: " in markdown_text and "**Verdict: FAIL**" in markdown_text


def test_no_evidence_at_all_fails_with_every_gate_missing(tmp_path: Path) -> None:
    (tmp_path / "ev").mkdir()
    assert run(tmp_path / "ev", tmp_path / "out") == 1
    assert report_json(tmp_path / "out")["summary"]["gates_missing"] == len(GATES)


def test_other_files_in_the_evidence_directory_are_listed_not_read(tmp_path: Path) -> None:
    ev = write_all(tmp_path / "ev")
    (ev / "phi-scan-raw.json").write_text("{}", encoding="utf-8")
    assert run(ev, tmp_path / "out") == 0
    assert report_json(tmp_path / "out")["ignored_files"] == ["phi-scan-raw.json"]
    assert not (tmp_path / "out" / "evidence" / "phi-scan-raw.json").exists()


def test_every_link_in_the_markdown_resolves_next_to_the_report(tmp_path: Path) -> None:
    ev = write_all(tmp_path / "ev", skip=("dast",))
    run(ev, tmp_path / "out")
    text = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\((evidence/[^)]+)\)", text)
    assert len(links) == len(GATES) - 1
    assert all((tmp_path / "out" / link).is_file() for link in links)
    assert "| 45 CFR 164.312\\(a\\)(1)" not in text and "| 45 CFR 164.312(a)(1) | Access control | PASS |" in text
    html_text = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert html_text.count('href="evidence/') == len(GATES) - 1 and "Verdict: FAIL" in html_text


@pytest.mark.parametrize(
    "arguments",
    [
        ["--environment", "qa"],
        ["--build-id", "../etc"],
        ["--build-id", ""],
    ],
)
def test_bad_arguments_exit_2(tmp_path: Path, arguments: list[str]) -> None:
    base = {"--evidence": str(tmp_path), "--out": str(tmp_path / "o"), "--environment": "prod", "--build-id": "b-1"}
    base[arguments[0]] = arguments[1]
    with pytest.raises(SystemExit) as raised:
        main([item for pair in base.items() for item in pair])
    assert raised.value.code == 2


def test_a_missing_evidence_directory_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(tmp_path / "absent", tmp_path / "out") == 2
    assert "is not a directory" in capsys.readouterr().err and not (tmp_path / "out").exists()


def test_an_out_directory_with_content_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "stale.md").write_text("old", encoding="utf-8")
    assert run(write_all(tmp_path / "ev"), tmp_path / "out") == 2
    assert "is not a new or empty directory" in capsys.readouterr().err


def test_an_unwritable_out_directory_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ev = write_all(tmp_path / "ev")

    def refuse(self: Path, *_args: object, **_kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "mkdir", refuse)
    assert run(ev, tmp_path / "out") == 2
    assert capsys.readouterr().err.strip().endswith("out: Permission denied")


# --- evaluation rules, on synthetic gates --------------------------------------------------

OPTIONAL = Gate("optional-scan", "An optional <scan> | with markup", "optional.sh", ("164.312(b)",), ("prod",))


def test_a_gate_not_required_here_and_absent_does_not_count() -> None:
    result = gate_result(OPTIONAL, False, EvidenceSet())
    assert result.status == "not-required" and not result.blocks
    assert control_result("164.312(b)", [result]).status == "not-assessed"


def optional_evidence(status: str) -> Evidence:
    return Evidence("optional-scan", status, 3, 1, "x", "2026-11-24T15:00:00Z", "optional-scan.json")


def test_a_gate_that_ran_and_failed_blocks_even_when_not_required() -> None:
    found = EvidenceSet()
    found.valid["optional-scan"] = optional_evidence("fail")
    assert gate_result(OPTIONAL, False, found).blocks


def test_no_required_gate_at_all_is_not_a_pass() -> None:
    report = Report("dev", BUILD, "2026-11-24T15:30:00Z", (gate_result(OPTIONAL, False, EvidenceSet()),), (), ())
    assert report.verdict == FAIL


def test_evaluate_reads_required_gates_of_the_environment() -> None:
    report = evaluate(EvidenceSet(), "dev", BUILD, NOW)
    assert all(g.required for g in report.gates) and report.verdict == FAIL
    assert to_document(report)["summary"] == {
        "gates_required": len(GATES),
        "gates_pass": 0,
        "gates_fail": 0,
        "gates_invalid": 0,
        "gates_missing": len(GATES),
    }


def test_markdown_and_html_escape_everything() -> None:
    found = EvidenceSet()
    found.valid["optional-scan"] = optional_evidence("pass")
    result = gate_result(OPTIONAL, True, found)
    report = Report("prod", "b-<1>", "2026-11-24T15:30:00Z", (result,), (control_result("164.312(b)", [result]),), ())
    text, html_text = markdown(report), page(report)
    assert "An optional \\<scan\\> \\| with markup" in text and "b-\\<1\\>" in text
    assert "<scan>" not in html_text and "&lt;scan&gt; | with markup" in html_text and "b-&lt;1&gt;" in html_text


def test_md_escapes_table_breaking_characters() -> None:
    assert md("a|b\nc `d` *e* [f](g) <h>") == "a\\|b c \\`d\\` \\*e\\* \\[f\\](g) \\<h\\>"


@pytest.mark.filterwarnings("ignore:.*found in sys.modules after import")  # runpy, module already imported
def test_python_dash_m_entry_point(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ev = write_all(tmp_path / "ev")
    argv = ["x", "--evidence", str(ev), "--out", str(tmp_path / "o"), "--environment", "prod", "--build-id", BUILD]
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as raised:
        runpy.run_module("pipeline.report", run_name="__main__")
    assert raised.value.code == 0


def test_unreadable_evidence_is_named_but_not_linked(tmp_path: Path) -> None:
    ev = write_all(tmp_path / "ev")
    (ev / "trivy.json").write_text(" " * (MAX_EVIDENCE_BYTES + 1), encoding="utf-8")
    assert run(ev, tmp_path / "out") == 1
    trivy = gates_by_id(tmp_path / "out")["trivy"]
    assert (trivy["status"], trivy["evidence"]) == ("invalid", None) and trivy["reason"].startswith("larger than")
    assert not (tmp_path / "out" / "evidence" / "trivy.json").exists()


def test_the_copies_are_the_bytes_that_were_validated(tmp_path: Path) -> None:
    ev = write_all(tmp_path / "ev")
    run(ev, tmp_path / "out")
    for path in ev.iterdir():
        assert (tmp_path / "out" / "evidence" / path.name).read_bytes() == path.read_bytes()


def test_a_refused_build_names_the_gates_that_refused_its_deploys(tmp_path: Path) -> None:
    # A refused build: trivy failed, nothing was deployed, the final PHI scan ran.
    deploying = ("dataproc-integration", "bqml-model", "deploy-infra", "deploy-gke", "deploy-dataproc")
    skip = (*deploying, "pyspark-job", "deploy-vertex", "monitoring", "backup-restore", "dast")
    directory = write_all(tmp_path / "evidence", skip=skip)
    write(directory, evidence("trivy", status="fail", violations=["CVE-2026-0001 in openssl"]))
    assert run(directory, tmp_path / "out") == 1
    document = report_json(tmp_path / "out")
    assert document["verdict"] == FAIL
    assert document["deploys"] == {"allowed": False, "refused_by": ["trivy"]}
    text = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "**Deploys: REFUSED: pre-deploy gate(s) trivy did not pass, so no deploy step started.**" in text
    assert "Deploys: REFUSED: pre-deploy gate(s) trivy did not pass" in (tmp_path / "out" / "report.html").read_text(
        encoding="utf-8"
    )


def test_a_build_whose_gates_passed_says_its_deploys_were_allowed(tmp_path: Path) -> None:
    assert run(write_all(tmp_path / "evidence"), tmp_path / "out") == 0
    assert report_json(tmp_path / "out")["deploys"] == {"allowed": True, "refused_by": []}
