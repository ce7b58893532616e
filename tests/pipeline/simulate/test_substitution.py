"""Cloud Build's substitution rules (FACTS.md), as the simulator applies them before any step runs."""

from __future__ import annotations

import pytest

from pipeline.simulate.substitution import ALLOW_LOOSE, MAX_ARGUMENT, MUST_MATCH, SubstitutionError, Substitutions

BUILTINS = {"PROJECT_ID": "p-1", "BUILD_ID": "b-1"}


def subs(option: str = ALLOW_LOOSE, **user: str) -> Substitutions:
    return Substitutions(user, BUILTINS, option)


def test_both_forms_and_the_double_dollar() -> None:
    assert subs(_ENV="dev").expand("$_ENV ${_ENV}-x $$HOME $$(date) $${wheel##*/} $PROJECT_ID") == (
        "dev dev-x $HOME $(date) ${wheel##*/} p-1"
    )


def test_an_unavailable_built_in_is_empty_and_an_unknown_name_refuses_the_build() -> None:
    assert subs().expand("[$TAG_NAME]") == "[]"
    with pytest.raises(SubstitutionError, match='key in the template "HOME" is not a valid built-in substitution'):
        subs().expand("$HOME")


def test_allow_loose_empties_an_undefined_user_key_must_match_refuses_it() -> None:
    assert subs().expand("[$_MISSING]") == "[]"
    with pytest.raises(SubstitutionError, match="_MISSING"):
        subs(MUST_MATCH).expand("$_MISSING")


def test_must_match_refuses_a_defined_key_nothing_used() -> None:
    loose = subs(_UNUSED="x")
    loose.check_unused()
    strict = subs(MUST_MATCH, _USED="a", _UNUSED="x")
    strict.expand("$_USED")
    with pytest.raises(SubstitutionError, match="_UNUSED"):
        strict.check_unused()


def test_bash_default_syntax_and_lower_case_are_left_to_the_shell() -> None:
    assert subs(_X="v").expand("${_X:-d} $foo $1") == "${_X:-d} $foo $1"


def test_user_keys_must_match_the_documented_pattern() -> None:
    with pytest.raises(SubstitutionError, match="_lower"):
        subs(_lower="x")


def test_an_argument_longer_than_the_limit_after_substitution_is_refused() -> None:
    with pytest.raises(SubstitutionError, match="after substitution"):
        subs(_LONG="x" * MAX_ARGUMENT).expand("$_LONG!")


def test_automap_gives_every_built_in_and_user_key() -> None:
    environment = subs(_ENV="dev").as_environment()
    assert environment["_ENV"] == "dev" and environment["PROJECT_ID"] == "p-1" and environment["TAG_NAME"] == ""
