"""pipeline/notify.py: the Pub/Sub message body, and a clear exit 2 for every bad argument."""

from __future__ import annotations

import datetime
import json
import runpy
import sys
from pathlib import Path

import pytest

from pipeline.notify import main

NOW = datetime.datetime(2026, 11, 24, 15, 45, 7, tzinfo=datetime.UTC)
COMMIT = "0123456789abcdef0123456789abcdef01234567"
ARGS = {
    "--environment": "prod",
    "--build-id": "b-123",
    "--commit": COMMIT,
    "--verdict": "pass",
    "--report-uri": "gs://nwh-analytics-prd-reports/reports/b-123",
}


def argv(out: Path, **changes: str) -> list[str]:
    values = {**ARGS, **{f"--{k.replace('_', '-')}": v for k, v in changes.items()}, "--out": str(out)}
    return [item for pair in values.items() for item in pair]


def test_writes_the_message_body(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "message.json"
    assert main(argv(out), now=NOW) == 0
    assert json.loads(out.read_text(encoding="utf-8")) == {
        "build_id": "b-123",
        "environment": "prod",
        "commit": COMMIT,
        "verdict": "pass",
        "report_uri": "gs://nwh-analytics-prd-reports/reports/b-123",
        "sent_at": "2026-11-24T15:45:07Z",
    }
    assert capsys.readouterr().out == "notify: message for build b-123 (prod, pass) written\n"


def test_a_trailing_slash_on_the_report_uri_is_dropped(tmp_path: Path) -> None:
    out = tmp_path / "m.json"
    assert main(argv(out, report_uri="gs://nwh-analytics-prd-reports/reports/b-123/", verdict="fail"), now=NOW) == 0
    message = json.loads(out.read_text(encoding="utf-8"))
    assert message["report_uri"].endswith("/reports/b-123") and message["verdict"] == "fail"


BAD_ARGUMENTS = [
    ("environment", "qa"),
    ("build_id", "b 123"),
    ("build_id", ""),
    ("commit", "abc123"),
    ("commit", COMMIT.upper()),
    ("commit", "mrn 00123456"),
    ("verdict", "PASS"),
    ("verdict", "unknown"),
    ("report_uri", "https://storage.googleapis.com/b/reports/b-123"),
    ("report_uri", "gs://nwh-analytics-prd-reports/other/b-123"),
    ("report_uri", "gs://nwh-analytics-prd-reports/reports/b-999"),
]


# Ids name the argument only: the values include a synthetic MRN, and junit.xml (which the
# pipeline's PHI gate scans) carries test ids.
@pytest.mark.parametrize(
    ("argument", "value"),
    BAD_ARGUMENTS,
    ids=[f"{argument}-{number}" for number, (argument, _) in enumerate(BAD_ARGUMENTS)],
)
def test_a_bad_argument_exits_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argument: str, value: str
) -> None:
    out = tmp_path / "m.json"
    with pytest.raises(SystemExit) as raised:
        main(argv(out, **{argument: value}), now=NOW)
    assert raised.value.code == 2
    assert f"argument --{argument.replace('_', '-')}" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("missing", list(ARGS))
def test_a_missing_argument_exits_2_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture[str], missing: str) -> None:
    values = [item for pair in ARGS.items() if pair[0] != missing for item in pair] + ["--out", str(tmp_path / "m")]
    with pytest.raises(SystemExit) as raised:
        main(values, now=NOW)
    assert raised.value.code == 2 and missing in capsys.readouterr().err


def test_an_unwritable_out_file_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv(tmp_path / "absent-dir" / "m.json"), now=NOW) == 2
    assert "cannot write --out" in capsys.readouterr().err


def test_the_clock_defaults_to_now_in_utc(tmp_path: Path) -> None:
    out = tmp_path / "m.json"
    assert main(argv(out)) == 0
    sent_at = json.loads(out.read_text(encoding="utf-8"))["sent_at"]
    age = datetime.datetime.now(datetime.UTC) - datetime.datetime.strptime(sent_at, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.UTC
    )
    assert datetime.timedelta(0) <= age < datetime.timedelta(minutes=1)


@pytest.mark.filterwarnings("ignore:.*found in sys.modules after import")  # runpy, module already imported
def test_python_dash_m_entry_point(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["x", *argv(tmp_path / "m.json")])
    with pytest.raises(SystemExit) as raised:
        runpy.run_module("pipeline.notify", run_name="__main__")
    assert raised.value.code == 0
