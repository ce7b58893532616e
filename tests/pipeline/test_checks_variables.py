"""Substitution rules: declared or built in, shell variables escaped, none unused, safe defaults."""

from __future__ import annotations

from pipeline.checks.variables import declared_used, references, required_declared, safe_defaults, scan
from pipeline.substitutions import SUBSTITUTIONS
from tests.pipeline.builds import build, step


def test_scan_reads_both_forms_and_skips_escapes() -> None:
    assert list(scan("$PROJECT_ID/${_A}-$$HOME $${x}")) == [("PROJECT_ID", None), ("_A", None)]


def test_declared_built_in_and_escaped_references_pass() -> None:
    config = build(step("a", 'echo "$PROJECT_ID ${_ENVIRONMENT} $$HOME $$(date) $${x:-y}"'))
    assert references(config) == []


def test_an_undeclared_user_substitution_fails() -> None:
    assert references(build(step("a", "echo ${_MISSING}"))) == [
        "[substitution] step a: $_MISSING is used but not declared in substitutions"
    ]


def test_an_unescaped_shell_variable_fails() -> None:
    findings = references(build(step("a", "echo $HOME")))
    assert findings == [
        "[substitution] step a: $HOME is neither a declared substitution nor a built-in"
        " (a shell variable must be written $$HOME)"
    ]


def test_bash_style_operations_on_a_substitution_fail() -> None:
    assert "not a plain substitution" in references(build(step("a", "echo ${_ENVIRONMENT:-dev}")))[0]


def test_an_unterminated_brace_fails() -> None:
    assert "not a plain substitution" in references(build(step("a", "echo ${_ENVIRONMENT")))[0]


def test_a_bare_dollar_before_a_command_substitution_fails() -> None:
    assert "bare '$'" in references(build(step("a", "x=$(date)")))[0]


def test_a_trailing_dollar_fails() -> None:
    assert "end of text" in references(build(step("a", "echo $")))[0]


def test_references_outside_steps_are_checked_too() -> None:
    config = build(step("a"), options={"pool": {"name": "projects/$PROJECT_ID/x/${_NOPE}"}})
    assert references(config) == ["[substitution] options: $_NOPE is used but not declared in substitutions"]


def test_a_used_declared_substitution_passes() -> None:
    assert declared_used(build(step("a", "echo ${_ENVIRONMENT}"))) == []


def test_a_declared_but_unused_substitution_fails() -> None:
    assert declared_used(build(step("a"))) == ["[substitution] _ENVIRONMENT is declared but no step uses it"]


def test_use_outside_a_step_does_not_count() -> None:
    config = build(step("a"), options={"pool": {"name": "x/${_ENVIRONMENT}"}})
    assert declared_used(config) == ["[substitution] _ENVIRONMENT is declared but no step uses it"]


def test_a_malformed_key_fails() -> None:
    config = build(step("a", "echo ${_lower}"), substitutions={"_lower": "x"})
    assert declared_used(config) == ["[substitution] key '_lower' does not match ^_[A-Z0-9_]+$"]


def test_all_ten_substitutions_must_be_declared() -> None:
    assert required_declared(build(substitutions=dict(SUBSTITUTIONS))) == []
    partial = {k: v for k, v in SUBSTITUTIONS.items() if k != "_SIEM_PROJECT_ID"}
    assert required_declared(build(substitutions=partial)) == [
        "[substitution] required substitution _SIEM_PROJECT_ID is not declared"
    ]


def test_the_shipped_defaults_are_safe() -> None:
    assert safe_defaults(build(substitutions=dict(SUBSTITUTIONS))) == []


def test_a_prod_default_environment_fails() -> None:
    assert safe_defaults(build(substitutions={"_ENVIRONMENT": "prod"})) == [
        "[substitution] default of _ENVIRONMENT is 'prod', must be 'dev'"
    ]


def test_a_real_looking_default_fails() -> None:
    findings = safe_defaults(build(substitutions={"_GKE_CLUSTER": "hipaa-prod-gke"}))
    assert findings == [
        "[substitution] default of _GKE_CLUSTER ('hipaa-prod-gke') could reach a real resource; use an UNSET value"
    ]
