"""pipeline/phi/scanner.py: which files are read, how, and what a scan that cannot run does."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest

from pipeline.phi.engine import detector
from pipeline.phi.scanner import Finding, ScanError, files_under, scan


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "logs" / "nested").mkdir(parents=True)
    (tmp_path / "logs" / "build.log").write_text("step 1 ok\nstep 2 mrn=00123456\n", encoding="utf-8")
    (tmp_path / "logs" / "nested" / "test.out").write_text("12 passed\n", encoding="utf-8")
    (tmp_path / "logs" / "layer.tar").write_bytes(b"\x00\x01mrn=00123456\x00" * 10)
    return tmp_path


def test_directories_are_walked_recursively_in_a_stable_order(tree: Path) -> None:
    names = [p.relative_to(tree).as_posix() for p in files_under([tree / "logs"])]
    assert names == ["logs/build.log", "logs/layer.tar", "logs/nested/test.out"]


def test_finds_the_line_and_counts_files_and_binaries(tree: Path) -> None:
    result = scan([tree / "logs"], detector(None))
    assert (result.files_scanned, result.files_skipped) == (2, 1)
    assert result.findings == [Finding(str(tree / "logs" / "build.log"), 2, 12, "MEDICAL_RECORD_NUMBER", 0.55)]


def test_a_clean_file_has_no_findings(tree: Path) -> None:
    result = scan([tree / "logs" / "nested" / "test.out"], detector(None))
    assert result.findings == [] and result.files_scanned == 1


def test_utf16_text_is_read_not_skipped(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text("ok\nmrn 00123456\n", encoding="utf-16")
    result = scan([path], detector(None))
    assert result.files_scanned == 1 and [f.line for f in result.findings] == [2]


def test_invalid_utf8_bytes_do_not_hide_the_rest_of_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.log"
    path.write_bytes("caf\xe9 mrn 00123456\n".encode("latin-1"))
    assert [f.entity_type for f in scan([path], detector(None)).findings] == ["MEDICAL_RECORD_NUMBER"]


def test_an_empty_file_is_scanned(tmp_path: Path) -> None:
    path = tmp_path / "empty.log"
    path.write_text("", encoding="utf-8")
    assert scan([path], detector(None)).files_scanned == 1


def test_a_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ScanError, match="no such file or directory"):
        scan([tmp_path / "absent.log"], detector(None))


def test_no_path_is_an_error() -> None:
    with pytest.raises(ScanError, match="no path to scan"):
        scan([], detector(None))


def test_only_binaries_is_an_error_not_a_pass(tree: Path) -> None:
    with pytest.raises(ScanError, match=r"no text file to scan \(1 binary"):
        scan([tree / "logs" / "layer.tar"], detector(None))


def test_an_empty_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ScanError, match="no text file to scan"):
        scan([tmp_path], detector(None))


def test_a_special_file_given_by_name_is_an_error(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(ScanError, match="not a regular file"):
        scan([fifo], detector(None))


def test_a_special_file_inside_a_directory_is_skipped(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "a.log").write_text("ok\n", encoding="utf-8")
    result = scan([tmp_path], detector(None))
    assert (result.files_scanned, result.files_skipped) == (1, 1)


def test_an_unreadable_file_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.log"
    path.write_text("x\n", encoding="utf-8")

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(ScanError, match=r"secret.log: cannot read \(Permission denied\)"):
        scan([path], detector(None))


def test_a_read_error_midway_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "flaky.log"
    path.write_text("x\n", encoding="utf-8")

    class Broken:
        def __enter__(self) -> Broken:
            return self

        def __exit__(self, *_: object) -> None:
            return None

        def readline(self, _size: int) -> str:
            raise OSError(5, "Input/output error")

    monkeypatch.setattr("pipeline.phi.scanner.open_text", lambda _path: Broken())
    with pytest.raises(ScanError, match="cannot read \\(Input/output error\\)"):
        scan([path], detector(None))


def test_an_unlistable_directory_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing_walk(top: object, onerror: object = None, **_: object) -> list[object]:
        assert callable(onerror)
        onerror(PermissionError(13, "Permission denied", str(top)))
        return []

    monkeypatch.setattr(os, "walk", failing_walk)
    with pytest.raises(ScanError, match="cannot list directory"):
        scan([tmp_path], detector(None))


def test_an_analyzer_failure_names_the_line_but_not_its_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.log"
    path.write_text("ok\nmrn 00123456\n", encoding="utf-8")
    gate = detector(None)

    def explode(line: str) -> list[object]:
        raise ValueError(f"Did not find word '{line}'")

    monkeypatch.setattr(gate, "matches", explode)
    with pytest.raises(ScanError) as raised:
        scan([path], gate)
    assert str(raised.value).endswith("a.log:1: analysis failed (ValueError)")
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_a_file_that_fails_on_first_read_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "flaky.log"
    path.write_text("x\n", encoding="utf-8")
    opened: list[io.BufferedReader] = []
    real_open = Path.open

    def failing_open(self: Path, *args: Any, **kwargs: Any) -> io.BufferedReader:
        handle: io.BufferedReader = real_open(self, *args, **kwargs)
        opened.append(handle)

        def broken_read(*_: object) -> bytes:
            raise OSError(5, "Input/output error")

        monkeypatch.setattr(handle, "read", broken_read)
        return handle

    monkeypatch.setattr(Path, "open", failing_open)
    with pytest.raises(ScanError, match=r"flaky\.log: cannot read"):
        scan([path], detector(None))
    assert opened and opened[0].closed
