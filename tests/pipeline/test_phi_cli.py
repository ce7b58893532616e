"""`python -m pipeline.phi scan`: exit codes, the JSON contract, the mode, and no PHI in any output."""

from __future__ import annotations

import json
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
import spacy

from pipeline.phi import cli
from pipeline.phi.engine import detector
from pipeline.phi.nlp import MODEL_ENV, PATTERN_ONLY, SPACY_MODEL, NlpSetupError, installed_model
from tests.pipeline.phi_corpus import corpus

SYNTHETIC_NAME = "Quintessa Zephyrine"  # a made-up name the tiny test model labels as a person


@pytest.fixture(autouse=True)
def no_pinned_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MODEL_ENV, raising=False)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # relative paths in the output, so the test's own path cannot match
    return tmp_path


def test_clean_files_exit_0_with_json(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("build.log").write_text("step 1 ok\n12 passed in 3.2s\n", encoding="utf-8")
    assert cli.main(["scan", "build.log", "--json", "phi.json"]) == cli.CLEAN
    document = json.loads(Path("phi.json").read_text(encoding="utf-8"))
    assert document == {
        "mode": PATTERN_ONLY,
        "files_scanned": 1,
        "files_skipped": 0,
        "exempted": 0,
        "findings": [],
    }
    assert capsys.readouterr().out.strip() == (
        "phi: PASS: no PHI found in 1 file(s) scanned, 0 binary skipped, mode pattern-only"
    )


def test_phi_exits_1_and_lists_file_line_column_type_score(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("out").mkdir()
    Path("out/test.log").write_text("ok\nok\ndob: 02/14/1980\n", encoding="utf-8")
    assert cli.main(["scan", "out", "--json", "phi.json"]) == cli.FOUND
    document = json.loads(Path("phi.json").read_text(encoding="utf-8"))
    assert document["findings"] == [
        {"path": "out/test.log", "line": 3, "column": 6, "entity_type": "DATE_OF_BIRTH", "score": 0.55}
    ]
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "out/test.log:3:6: DATE_OF_BIRTH (score 0.55)",
        "phi: FAIL: 1 finding(s) in 1 file(s) scanned, 0 binary skipped, mode pattern-only",
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["scan", "absent.log"], "phi: ERROR: absent.log: no such file or directory"),
        (["scan", "empty"], "phi: ERROR: no text file to scan (0 binary or special file(s) skipped)"),
    ],
)
def test_errors_exit_2_with_one_line(
    workdir: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    Path("empty").mkdir()
    assert cli.main(argv) == cli.ERROR
    captured = capsys.readouterr()
    assert captured.err.strip() == message and captured.out == ""
    assert not Path("phi.json").exists()


@pytest.mark.parametrize("argv", [[], ["scan"], ["scan", "--json"], ["lint", "x"]])
def test_usage_errors_exit_2(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        cli.main(argv)
    assert raised.value.code == 2


def test_an_unwritable_json_path_is_an_error(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("a.log").write_text("ok\n", encoding="utf-8")
    assert cli.main(["scan", "a.log", "--json", "missing-dir/phi.json"]) == cli.ERROR
    assert "cannot write missing-dir/phi.json" in capsys.readouterr().err


def test_no_output_ever_contains_the_matched_text(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = corpus()
    Path("logs").mkdir()
    Path("logs/build.log").write_text("\n".join(line.text for line in lines) + "\n", encoding="utf-8")
    assert cli.main(["scan", "logs", "--json", "phi.json"]) == cli.FOUND
    captured = capsys.readouterr()
    everything = captured.out + captured.err + Path("phi.json").read_text(encoding="utf-8")
    secrets = [line.secret for line in lines if line.secret]
    assert len(secrets) > 100
    for secret in secrets:
        compact = "".join(ch for ch in secret if ch.isalnum())
        # not even partially: no six consecutive characters of any identifier, with or without separators
        for text in {secret, compact}:
            windows = {text[i : i + 6] for i in range(len(text) - 5)}
            assert not [w for w in windows if w in everything], "matched text leaked into the output"
    assert len(json.loads(Path("phi.json").read_text(encoding="utf-8"))["findings"]) == len(secrets)


def test_the_module_runs_as_a_program(workdir: Path) -> None:
    Path("a.log").write_text("mrn 00123456\n", encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, "-m", "pipeline.phi", "scan", "a.log"],
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(Path(__file__).resolve().parents[2]), "PATH": "/usr/bin:/bin"},
    )
    assert completed.returncode == cli.FOUND, completed.stderr
    assert "00123456" not in completed.stdout + completed.stderr
    assert completed.stdout.endswith("mode pattern-only\n")


# --- the spaCy model mode, with a tiny model built here (nothing is downloaded) -------------


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PERSON", "pattern": SYNTHETIC_NAME}])  # type: ignore[attr-defined]
    path = tmp_path_factory.mktemp("model") / "tiny_en"
    nlp.to_disk(path)
    return path


def test_no_model_installed_means_pattern_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spacy.util, "is_package", lambda _name: False)
    assert installed_model({}) is None


def test_the_best_installed_model_is_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spacy.util, "is_package", lambda name: name in {"en_core_web_sm", "en_core_web_md"})
    assert installed_model({}) == "en_core_web_md"


def test_a_pinned_model_runs_in_spacy_model_mode_and_finds_names(tiny_model: Path) -> None:
    assert installed_model({MODEL_ENV: str(tiny_model)}) == str(tiny_model)
    gate = detector(str(tiny_model))
    assert gate.mode == SPACY_MODEL
    found = {d.entity_type for d in gate.detect(f"{SYNTHETIC_NAME} mrn 00123456")}
    assert found == {"PERSON", "MEDICAL_RECORD_NUMBER"}


def test_the_mode_is_reported(workdir: Path, tiny_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MODEL_ENV, str(tiny_model))
    Path("a.log").write_text(f"reviewed by {SYNTHETIC_NAME}\n", encoding="utf-8")
    assert cli.main(["scan", "a.log", "--json", "phi.json"]) == cli.FOUND
    document = json.loads(Path("phi.json").read_text(encoding="utf-8"))
    assert document["mode"] == SPACY_MODEL and document["findings"][0]["entity_type"] == "PERSON"


def test_pattern_only_leaves_the_model_out_whatever_is_pinned(
    workdir: Path, tiny_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The gate's scan of committed code: a model reads identifiers in code as people's names.
    monkeypatch.setenv(MODEL_ENV, str(tiny_model))
    Path("a.py").write_text(f"reviewer = '{SYNTHETIC_NAME}'\nmrn = 'mrn 00123456'\n", encoding="utf-8")
    assert cli.main(["scan", "--pattern-only", "a.py", "--json", "phi.json"]) == cli.FOUND
    document = json.loads(Path("phi.json").read_text(encoding="utf-8"))
    assert document["mode"] == PATTERN_ONLY
    assert [f["entity_type"] for f in document["findings"]] == ["MEDICAL_RECORD_NUMBER"]


def test_a_pinned_model_that_is_not_installed_is_an_error_not_a_download(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MODEL_ENV, "en_core_web_nonexistent")
    Path("a.log").write_text("ok\n", encoding="utf-8")
    assert cli.main(["scan", "a.log"]) == cli.ERROR
    assert "is neither an installed spaCy package nor a model directory" in capsys.readouterr().err


def test_a_broken_model_directory_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "broken").mkdir()
    with pytest.raises(NlpSetupError, match="cannot be loaded"):
        detector(str(tmp_path / "broken"))


def test_a_model_name_that_is_not_installed_is_never_downloaded() -> None:
    with pytest.raises(NlpSetupError, match="is not installed \\(models are never downloaded\\)"):
        detector("en_core_web_nonexistent")


def test_python_dash_m_entry_point(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Path("a.log").write_text("ok\n", encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["pipeline.phi", "scan", "a.log"])
    with pytest.raises(SystemExit) as raised:
        runpy.run_module("pipeline.phi", run_name="__main__")
    assert raised.value.code == cli.CLEAN
