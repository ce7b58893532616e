"""Reviewed exemptions of the PHI scan: one exact synthetic value, in one file, of one type; nothing broader."""

from __future__ import annotations

import hashlib
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from pipeline.phi import cli
from pipeline.phi.exemptions import ExemptionError, load
from tests.pipeline.phi_corpus import seeded, ssn

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "security" / "phi-exemptions.json"
_RNG = seeded(9090)
EXEMPT_SSN, OTHER_SSN = ssn(_RNG), ssn(_RNG)  # synthetic, shaped to pass the SSN recognizer's checks


def sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def entry(path: str = "app/examples.py", entity_type: str = "US_SSN", value: str = EXEMPT_SSN) -> dict[str, str]:
    return {"path": path, "entity_type": entity_type, "sha256": sha(value), "reason": "a made-up SSN in an example"}


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app").mkdir()
    (tmp_path / "exemptions.json").write_text(json.dumps({"exemptions": [entry()]}), encoding="utf-8")
    return tmp_path


def scan(*paths: str) -> tuple[int, dict[str, Any]]:
    code = cli.main(["scan", "--json", "phi.json", "--exemptions", "exemptions.json", "--root", ".", *paths])
    return code, json.loads(Path("phi.json").read_text(encoding="utf-8"))


def test_the_exempted_value_in_its_file_is_counted_not_found(tree: Path) -> None:
    (tree / "app" / "examples.py").write_text(f"SSN = '{EXEMPT_SSN}'\n", encoding="utf-8")
    code, document = scan("app")
    assert (code, document["exempted"], document["findings"]) == (cli.CLEAN, 1, [])


def test_another_value_on_the_same_line_is_still_found(tree: Path) -> None:
    (tree / "app" / "examples.py").write_text(f"SSNS = ['{EXEMPT_SSN}', '{OTHER_SSN}']\n", encoding="utf-8")
    code, document = scan("app")
    assert code == cli.FOUND and document["exempted"] == 1
    assert [(f["line"], f["column"], f["entity_type"]) for f in document["findings"]] == [(1, 25, "US_SSN")]


@pytest.mark.parametrize(
    "where",
    ["app/other.py", "examples.py"],
    ids=["another-file", "same-name-elsewhere"],
)
def test_the_exempted_value_in_another_file_is_found(tree: Path, where: str) -> None:
    (tree / where).write_text(f"SSN = '{EXEMPT_SSN}'\n", encoding="utf-8")
    code, document = scan(where)
    assert code == cli.FOUND and document["exempted"] == 0


def test_an_exemption_is_for_its_entity_type_only(tree: Path) -> None:
    (tree / "exemptions.json").write_text(
        json.dumps({"exemptions": [entry(entity_type="PHONE_NUMBER")]}), encoding="utf-8"
    )
    (tree / "app" / "examples.py").write_text(f"SSN = '{EXEMPT_SSN}'\n", encoding="utf-8")
    assert scan("app")[0] == cli.FOUND


def test_an_unused_exemption_is_named_on_stderr(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tree / "app" / "clean.py").write_text("x = 1\n", encoding="utf-8")
    assert scan("app")[0] == cli.CLEAN
    assert "phi: note: exemption for US_SSN in app/examples.py matched nothing" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("[]", 'must be an object with one key, "exemptions", holding a list'),
        ('{"exemptions": {}}', 'must be an object with one key, "exemptions", holding a list'),
        ('{"exemptions": [], "paths": ["app"]}', 'must be an object with one key, "exemptions"'),
        ('{"exemptions": ["app/examples.py"]}', "exemption 1 is not an object"),
        ('{"exemptions": [{"path": "app/examples.py"}]}', "exemption 1 lacks entity_type, sha256, reason"),
        (json.dumps({"exemptions": [{**entry(), "line": 3}]}), "exemption 1 has unknown key(s) line"),
        (json.dumps({"exemptions": [{**entry(), "sha256": "ABC"}]}), "sha256 must be 64 lower-case hex digits"),
        (json.dumps({"exemptions": [{**entry(), "entity_type": ""}]}), "entity_type must be non-empty text"),
        (json.dumps({"exemptions": [{**entry(), "reason": "ok"}]}), "reason must say why the value is synthetic"),
        (json.dumps({"exemptions": [entry(path="/etc/x.py")]}), "must be relative to the repository root"),
        (json.dumps({"exemptions": [entry(path="../x.py")]}), "must be relative to the repository root"),
        (json.dumps({"exemptions": [entry(), entry()]}), "an exemption is listed twice"),
        ("{not json", "not JSON"),
    ],
)
def test_a_malformed_exemptions_file_is_an_error_naming_the_entry(
    tree: Path, capsys: pytest.CaptureFixture[str], document: str, message: str
) -> None:
    (tree / "exemptions.json").write_text(document, encoding="utf-8")
    (tree / "app" / "clean.py").write_text("x = 1\n", encoding="utf-8")
    assert cli.main(["scan", "--exemptions", "exemptions.json", "--root", ".", "app"]) == cli.ERROR
    assert message in capsys.readouterr().err


def test_a_missing_exemptions_file_or_root_is_an_error(tree: Path) -> None:
    with pytest.raises(ExemptionError, match="cannot read"):
        load(tree / "absent.json", tree)
    with pytest.raises(ExemptionError, match="is not a directory"):
        load(tree / "exemptions.json", tree / "absent")


def test_exemptions_and_root_go_together(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["scan", "--exemptions", "exemptions.json", "app"])
    assert exit_.value.code == 2 and "--exemptions and --root go together" in capsys.readouterr().err


def test_digest_prints_the_sha256_of_the_value_on_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{EXEMPT_SSN}\n"))
    assert cli.main(["digest"]) == cli.CLEAN
    assert capsys.readouterr().out.strip() == sha(EXEMPT_SSN)
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n"))
    assert cli.main(["digest"]) == cli.ERROR
    assert "no value on stdin" in capsys.readouterr().err


def test_no_output_carries_a_digest_of_what_was_matched(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tree / "app" / "examples.py").write_text(f"A = '{EXEMPT_SSN}'\nB = '{OTHER_SSN}'\n", encoding="utf-8")
    scan("app")
    written = capsys.readouterr().out + Path("phi.json").read_text(encoding="utf-8")
    assert all(leak not in written for leak in (EXEMPT_SSN, OTHER_SSN, sha(EXEMPT_SSN), sha(OTHER_SSN)))


def test_every_committed_exemption_still_matches_and_its_files_are_otherwise_clean(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The committed list stays exact: an exemption whose value left its file is removed, not kept.
    monkeypatch.chdir(ROOT)
    files = sorted({item["path"] for item in json.loads(COMMITTED.read_text(encoding="utf-8"))["exemptions"]})
    exemptions = load(COMMITTED, ROOT)
    from pipeline.phi.engine import detector
    from pipeline.phi.scanner import scan as scan_files

    result = scan_files([Path(f) for f in files], detector(None), exemptions)
    assert result.findings == [] and exemptions.unused() == []
