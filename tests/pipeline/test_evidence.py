"""pipeline/evidence.py: evidence that does not hold up is a failed gate, with a reason that quotes nothing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from pipeline.evidence import MAX_EVIDENCE_BYTES, EvidenceError, read_evidence, validate
from tests.pipeline.evidence_files import BUILD, evidence, write


def check(**changes: Any) -> None:
    validate({**evidence("encryption"), **changes}, "encryption", "prod", BUILD, "encryption.json")


def test_a_contract_shaped_file_is_valid() -> None:
    found = validate(evidence("encryption", checked=42), "encryption", "prod", BUILD, "encryption.json")
    assert (found.status, found.checked, found.violations, found.file) == ("pass", 42, 0, "encryption.json")


def test_a_failed_gate_is_valid_evidence_with_its_violation_count() -> None:
    found = validate(evidence("trivy", status="fail", violations=["a", "b"]), "trivy", "prod", BUILD, "trivy.json")
    assert (found.status, found.violations) == ("fail", 2)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"status": "passed"}, "key 'status' is not pass or fail"),
        ({"gate": "trivy"}, "key 'gate' is not 'encryption'"),
        ({"environment": "dev"}, "key 'environment' is not 'prod'"),
        ({"build_id": "b-999"}, "key 'build_id' is not 'b-123'"),
        ({"checked": "4"}, "key 'checked' is not a non-negative integer"),
        ({"checked": True}, "key 'checked' is not a non-negative integer"),
        ({"checked": -1}, "key 'checked' is not a non-negative integer"),
        ({"violations": "none"}, "key 'violations' is not a list of strings"),
        ({"violations": [{"x": 1}]}, "key 'violations' is not a list of strings"),
        ({"tool": ""}, "key 'tool' is not a tool name"),
        ({"tool": "<script>"}, "key 'tool' is not a tool name"),
        ({"finished_at": "yesterday"}, "key 'finished_at' is not a UTC timestamp"),
        ({"finished_at": "2026-13-40T25:00:00Z"}, "key 'finished_at' is not a UTC timestamp"),
        ({"finished_at": 1732500000}, "key 'finished_at' is not a UTC timestamp"),
        ({"checked": 0}, "inconsistent: status pass with nothing checked"),
        ({"violations": ["bucket b: no CMEK"]}, "inconsistent: status pass with 1 violation(s)"),
    ],
)
def test_malformed_or_inconsistent_evidence_is_refused(changes: dict[str, Any], reason: str) -> None:
    with pytest.raises(EvidenceError, match="^" + re.escape(reason)):
        check(**changes)


def inventory(**changes: Any) -> dict[str, Any]:
    counts = {"file": "security/inventory/prod.json", "expected": 27, "found": 27, "missing": 0, "unmanaged": 0}
    return {**counts, "mismatched": 0, "properties": 74, "unmanaged_tolerated": [], **changes}


def test_the_inventory_counts_of_a_live_gate_are_read() -> None:
    found = validate(evidence("encryption", inventory=inventory()), "encryption", "prod", BUILD, "encryption.json")
    assert found.inventory is not None and (found.inventory.expected, found.inventory.properties) == (27, 74)
    assert validate(evidence("encryption"), "encryption", "prod", BUILD, "encryption.json").inventory is None


def test_dev_may_pass_over_an_unmanaged_resource_it_reported() -> None:
    tolerated = inventory(file="security/inventory/dev.json", unmanaged=1, unmanaged_tolerated=["bucket x: unmanaged"])
    found = validate(evidence("encryption", "dev", inventory=tolerated), "encryption", "dev", BUILD, "e.json")
    assert found.inventory is not None and found.inventory.unmanaged == 1


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"inventory": []}, "key 'inventory' is not an object"),
        ({"inventory": inventory(found=-1)}, "key 'inventory.found' is not a non-negative integer"),
        ({"inventory": inventory(properties=True)}, "key 'inventory.properties' is not a non-negative integer"),
        ({"inventory": inventory(file="/etc/passwd")}, "key 'inventory.file' is not an inventory"),
        ({"inventory": inventory(unmanaged_tolerated="x")}, "key 'inventory.unmanaged_tolerated' is not a list"),
        ({"inventory": inventory(found=26)}, "inconsistent: inventory counts do not add up"),
        ({"inventory": inventory(found=26, missing=1)}, "inconsistent: status pass with planned resources missing"),
        ({"inventory": inventory(mismatched=1)}, "inconsistent: status pass with planned resources missing or diff"),
        ({"inventory": inventory(unmanaged=1)}, "inconsistent: status pass with unmanaged resources outside dev"),
    ],
)
def test_inventory_counts_that_do_not_hold_up_are_refused(changes: dict[str, Any], reason: str) -> None:
    with pytest.raises(EvidenceError, match="^" + re.escape(reason)):
        check(**changes)


def test_missing_keys_are_named() -> None:
    document = evidence("encryption")
    del document["checked"], document["tool"]
    with pytest.raises(EvidenceError, match="missing key\\(s\\) checked, tool"):
        validate(document, "encryption", "prod", BUILD, "encryption.json")


def test_a_json_array_is_not_evidence() -> None:
    with pytest.raises(EvidenceError, match="not a JSON object"):
        validate([], "encryption", "prod", BUILD, "encryption.json")


def test_reasons_never_quote_a_value_from_the_file() -> None:
    with pytest.raises(EvidenceError) as raised:
        check(environment="mrn 00123456")
    assert "00123456" not in str(raised.value)


def test_reading_a_directory(tmp_path: Path) -> None:
    write(tmp_path, evidence("encryption"))
    write(tmp_path, evidence("trivy", checked=0))
    (tmp_path / "semgrep.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "dast.json").write_bytes(b"\xff\xfe\x00")
    (tmp_path / "probe.json").write_text("{}", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    (tmp_path / "prowler.json").mkdir()
    found = read_evidence(tmp_path, "prod", BUILD)
    assert set(found.valid) == {"encryption"}
    assert {g: p.reason for g, p in found.invalid.items()} == {
        "trivy": "inconsistent: status pass with nothing checked",
        "semgrep": "not UTF-8 JSON",
        "dast": "not UTF-8 JSON",
    }
    assert found.ignored == ["notes.txt", "probe.json", "prowler.json"]
    assert sorted(found.raw) == ["dast.json", "encryption.json", "semgrep.json", "trivy.json"]
    assert found.raw["semgrep.json"] == b"{not json"


def test_oversized_evidence_is_refused(tmp_path: Path) -> None:
    (tmp_path / "trivy.json").write_text(" " * (MAX_EVIDENCE_BYTES + 1), encoding="utf-8")
    assert read_evidence(tmp_path, "prod", BUILD).invalid["trivy"].reason.startswith("larger than")


def test_unreadable_evidence_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, evidence("trivy"))

    def refuse(_self: Path) -> bytes:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    found = read_evidence(tmp_path, "prod", BUILD)
    assert found.invalid["trivy"].reason == "cannot be read (Permission denied)" and found.raw == {}
