"""The allow-list's wildcard: `*` matches within one name part, never across `@` or `:`.

The same cases hold the shell side (scripts/validate-access-controls.sh) in
tests/scripts/test_allowlist_wildcard.py: both readers of the allow-list agree.
"""

from __future__ import annotations

import pytest

from infra.plan.allowlist import pattern_matches
from tests.infra.plan.allowlist_wildcard_cases import CASES


@pytest.mark.parametrize(("pattern", "member", "matches"), CASES)
def test_the_wildcard_never_spans_at_or_colon(pattern: str, member: str, matches: bool) -> None:
    assert pattern_matches(pattern, member) is matches
