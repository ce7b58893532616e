"""Rendering: deterministic, headed as generated, the committed file current and clean."""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml

from pipeline.check import check
from pipeline.checks import run
from pipeline.checks.text import scripts_called, steps
from pipeline.render import CONFIG_NAME, ROOT, content_hash, rendered, write


def test_rendering_is_byte_identical_twice() -> None:
    assert rendered().encode() == rendered().encode()


def test_content_hash_is_the_sha256_of_the_text() -> None:
    assert content_hash() == hashlib.sha256(rendered().encode("utf-8")).hexdigest()


def test_the_header_says_generated_and_how_to_regenerate() -> None:
    head = rendered().splitlines()[:5]
    assert head[0] == "# GENERATED FILE: do not edit by hand."
    assert any("python -m pipeline render" in line for line in head)


def test_inline_shell_renders_as_a_literal_block() -> None:
    # The Spark wheel step's inline shell: a block, not one long escaped string.
    assert "  - |-\n    set -Eeuo pipefail; " in rendered()


def test_stages_are_marked_in_the_file() -> None:
    text = rendered()
    assert "# Stage: release\n- id: verify-release\n" in text
    assert "# Stage: deploy verdict\n- id: refused-phi-log-scan\n" in text
    assert "# Stage: report and notify\n- id: phi-log-scan\n" in text


def test_write_puts_the_rendered_text_at_the_root(tmp_path: Path) -> None:
    path = write(tmp_path)
    assert path == tmp_path / CONFIG_NAME
    assert path.read_text(encoding="utf-8") == rendered()


def test_the_committed_file_passes_check() -> None:
    # On a branch without the scripts, this reports exactly the missing scripts and nothing else.
    assert check(ROOT) == []


def _root_with_scripts(tmp_path: Path) -> Path:
    """A repository root holding the rendered file and an executable stub of every script it calls."""
    write(tmp_path)
    (tmp_path / "scripts").mkdir()
    for script in {s for step in steps(yaml.safe_load(rendered())) for s in scripts_called(step)}:
        stub = tmp_path / "scripts" / script
        stub.write_text("#!/usr/bin/env bash\nexit 1\n", encoding="utf-8")
        stub.chmod(0o755)
    return tmp_path


def test_the_generated_pipeline_breaks_no_rule_once_its_scripts_exist(tmp_path: Path) -> None:
    root = _root_with_scripts(tmp_path)
    assert check(root) == []
    assert run(yaml.safe_load(rendered()), root) == []


def test_a_hand_edit_of_the_committed_file_fails_check(tmp_path: Path) -> None:
    root = _root_with_scripts(tmp_path)
    path = root / CONFIG_NAME
    path.write_text(path.read_text(encoding="utf-8").replace("timeout: 900s", "timeout: 901s", 1), encoding="utf-8")
    findings = check(root)
    assert len(findings) == 1
    assert findings[0].startswith(f"[committed] {CONFIG_NAME} differs from the generator's output from line ")


def test_a_hand_edit_that_breaks_a_rule_reports_both(tmp_path: Path) -> None:
    root = _root_with_scripts(tmp_path)
    path = root / CONFIG_NAME
    path.write_text(path.read_text(encoding="utf-8").replace("  timeout: 120s\n", "", 1), encoding="utf-8")
    findings = check(root)
    assert findings[0].startswith("[committed]")
    assert "[timeout] step verify-release has no timeout" in findings


def test_an_appended_line_is_a_difference(tmp_path: Path) -> None:
    root = _root_with_scripts(tmp_path)
    with (root / CONFIG_NAME).open("a", encoding="utf-8") as handle:
        handle.write("# extra\n")
    assert check(root)[0].startswith(f"[committed] {CONFIG_NAME} differs from the generator's output from line")


def test_a_missing_file_fails(tmp_path: Path) -> None:
    assert check(tmp_path) == [f"[committed] {CONFIG_NAME} is missing; run `python -m pipeline render`"]


def test_a_file_that_is_not_yaml_fails(tmp_path: Path) -> None:
    (tmp_path / CONFIG_NAME).write_text("steps: [\n", encoding="utf-8")
    findings = check(tmp_path)
    assert findings[0].startswith("[committed]")
    assert findings[1].startswith(f"[yaml] {CONFIG_NAME} is not valid YAML")


def test_a_file_that_is_not_a_mapping_fails(tmp_path: Path) -> None:
    (tmp_path / CONFIG_NAME).write_text("- a\n", encoding="utf-8")
    assert check(tmp_path)[1] == f"[yaml] {CONFIG_NAME} is not a mapping"


def test_crlf_line_endings_are_a_difference(tmp_path: Path) -> None:
    # Text-mode reading translates CRLF to LF; check compares bytes so this hand edit is caught.
    root = _root_with_scripts(tmp_path)
    path = root / CONFIG_NAME
    path.write_bytes(rendered().encode("utf-8").replace(b"\n", b"\r\n"))
    findings = check(root)
    assert findings == [
        f"[committed] {CONFIG_NAME} differs from the generator's output from line 1"
        " (edited by hand or stale); run `python -m pipeline render`"
    ]


def test_a_single_crlf_line_is_a_difference_at_that_line(tmp_path: Path) -> None:
    root = _root_with_scripts(tmp_path)
    path = root / CONFIG_NAME
    lines = rendered().encode("utf-8").split(b"\n")
    lines[9] += b"\r"
    path.write_bytes(b"\n".join(lines))
    assert check(root)[0].startswith(f"[committed] {CONFIG_NAME} differs from the generator's output from line 10 ")


def test_a_file_that_is_not_utf8_fails(tmp_path: Path) -> None:
    (tmp_path / CONFIG_NAME).write_bytes(b"steps: []\n\xff\n")
    findings = check(tmp_path)
    assert findings[0].startswith("[committed]")
    assert findings[1].startswith(f"[yaml] {CONFIG_NAME} is not UTF-8")
