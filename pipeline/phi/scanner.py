"""Which files a PHI scan reads, how it reads them, and what it finds: file, line, type, score.

Text is decided by content, not by name: a NUL byte in the first block marks a binary (skipped and
counted), except after a UTF-16 byte-order mark. Undecodable bytes in a UTF-8 file are replaced,
so a log with a stray Latin-1 byte is still scanned. A line of any length is read and analysed in
bounded windows (pipeline/phi/windows.py), all of it. A path that does not exist, a file that
cannot be read and a scan that reads no file at all are errors, never a clean result. A match that
a reviewed exemption names exactly (file, entity type, value: pipeline/phi/exemptions.py) is counted,
not reported; any other match on the same line still is.
"""

from __future__ import annotations

import codecs
import io
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.phi.engine import Detection, Detector, strongest
from pipeline.phi.exemptions import Exemptions
from pipeline.phi.windows import windows

# Enough to tell text from binary, as git and grep do.
SNIFF_BYTES = 8192
_UTF16_MARKS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class ScanError(Exception):
    """The scan could not do its job (bad path, unreadable file, nothing to scan)."""


@dataclass(frozen=True)
class Finding:
    """Where PHI was found (line and column from 1): the best match of a type on a line. Never its text."""

    path: str
    line: int
    column: int
    entity_type: str
    score: float


@dataclass
class ScanResult:
    mode: str
    files_scanned: int = 0
    files_skipped: int = 0
    findings: list[Finding] = field(default_factory=list)
    exempted: int = 0


def files_under(paths: Sequence[Path]) -> Iterator[Path]:
    """Every regular file given or below a given directory, in a stable order."""
    for path in paths:
        if path.is_dir():
            yield from _walk(path)
        elif path.is_file():
            yield path
        elif path.exists() or path.is_symlink():
            raise ScanError(f"{path}: not a regular file or directory")
        else:
            raise ScanError(f"{path}: no such file or directory")


def _walk(directory: Path) -> Iterator[Path]:
    def refuse(error: OSError) -> None:
        raise ScanError(f"{error.filename}: cannot list directory ({error.strerror})")

    for root, dirs, names in os.walk(directory, onerror=refuse):
        dirs.sort()
        for name in sorted(names):
            yield Path(root) / name


def open_text(path: Path) -> io.TextIOWrapper | None:
    """An open text stream over a file, or None for a binary one (or a special file found in a directory)."""
    if not path.is_file():
        return None
    try:
        handle = path.open("rb")  # closed by the caller, through the text stream
    except OSError as error:
        raise ScanError(f"{path}: cannot read ({error.strerror})") from error
    try:
        head = handle.read(SNIFF_BYTES)
        handle.seek(0)
    except OSError as error:
        handle.close()
        raise ScanError(f"{path}: cannot read ({error.strerror})") from error
    if head.startswith(_UTF16_MARKS):
        return io.TextIOWrapper(handle, encoding="utf-16", errors="replace")
    if b"\x00" in head:
        handle.close()
        return None
    return io.TextIOWrapper(handle, encoding="utf-8", errors="replace")


def _scan_file(
    path: Path, stream: io.TextIOWrapper, detector: Detector, exemptions: Exemptions | None, result: ScanResult
) -> Iterator[Finding]:
    line = 0  # the line being read, and its strongest match per type so far
    best: list[Detection] = []
    with stream:
        try:
            for window in windows(stream):
                if window.line != line:
                    yield from _findings(path, line, best)
                    line, best = window.line, []
                try:
                    found = detector.matches(window.text)
                except Exception as error:  # an analyzer error message may quote the line: name its type only
                    raise ScanError(f"{path}:{window.line}: analysis failed ({type(error).__name__})") from None
                # Offsets become columns of the line; a match is counted by the one window that owns it.
                owned = [d for d in found if window.owns(d.start)]
                if exemptions is not None:
                    text = window.text
                    kept = [d for d in owned if not exemptions.allows(path, d.entity_type, text[d.start : d.end])]
                    result.exempted += len(owned) - len(kept)
                    owned = kept
                shifted = (
                    Detection(d.entity_type, d.score, window.column + d.start, window.column + d.end) for d in owned
                )
                best = strongest([*best, *shifted])
            yield from _findings(path, line, best)
        except OSError as error:
            raise ScanError(f"{path}: cannot read ({error.strerror})") from error


def _findings(path: Path, line: int, detections: list[Detection]) -> Iterator[Finding]:
    for detection in detections:
        yield Finding(str(path), line, detection.start + 1, detection.entity_type, detection.score)


def scan(paths: Sequence[Path], detector: Detector, exemptions: Exemptions | None = None) -> ScanResult:
    if not paths:
        raise ScanError("no path to scan")
    result = ScanResult(mode=detector.mode)
    for path in files_under(paths):
        stream = open_text(path)
        if stream is None:
            result.files_skipped += 1
            continue
        result.files_scanned += 1
        result.findings.extend(_scan_file(path, stream, detector, exemptions, result))
    if result.files_scanned == 0:
        raise ScanError(f"no text file to scan ({result.files_skipped} binary or special file(s) skipped)")
    return result
