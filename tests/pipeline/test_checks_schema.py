"""The Build-message rule uses google-cloud-build's own types: unknown fields and wrong types fail."""

from __future__ import annotations

from pipeline.checks.schema import build_message
from tests.pipeline.builds import build, step


def test_a_valid_build_passes() -> None:
    assert build_message(build(step("a"), options={"logging": "CLOUD_LOGGING_ONLY"})) == []


def test_an_unknown_step_field_is_rejected() -> None:
    findings = build_message(build(step("a", bogus="x")))
    assert len(findings) == 1
    assert findings[0].startswith("[schema]") and "bogus" in findings[0]


def test_an_unknown_top_level_field_is_rejected() -> None:
    assert "stepz" in build_message({"stepz": []})[0]


def test_a_wrong_type_is_rejected() -> None:
    findings = build_message(build(step("a"), timeout=600))
    assert len(findings) == 1 and "timeout" in findings[0]


def test_a_wrong_enum_value_is_rejected() -> None:
    assert "logging" in build_message(build(step("a"), options={"logging": "GCS_EVERYWHERE"}))[0]


def test_a_string_where_a_list_belongs_is_rejected() -> None:
    assert "args" in build_message(build(step("a", args="-c true")))[0]
