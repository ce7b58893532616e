"""The allow-list's wildcard: `*` matches within one name part, never across `@` or `:`.

The same cases hold the shell side (scripts/validate-access-controls.sh) in
tests/scripts/test_allowlist_wildcard.py: both readers of the allow-list agree.
"""

from __future__ import annotations

import pytest

from infra.plan.allowlist import pattern_matches

AGENT = "serviceAccount:service-*@container-engine-robot.iam.gserviceaccount.com"
APIS_AGENT = "serviceAccount:*@cloudservices.gserviceaccount.com"
# (pattern, member, whether the pattern admits the member)
CASES: list[tuple[str, str, bool]] = [
    (AGENT, "serviceAccount:service-123456789012@container-engine-robot.iam.gserviceaccount.com", True),
    (AGENT, "serviceAccount:service-1@evil.example@container-engine-robot.iam.gserviceaccount.com", False),
    (AGENT, "serviceAccount:service-1:evil@container-engine-robot.iam.gserviceaccount.com", False),
    (APIS_AGENT, "serviceAccount:123456789012@cloudservices.gserviceaccount.com", True),
    (APIS_AGENT, "serviceAccount:intruder@evil.example:x@cloudservices.gserviceaccount.com", False),
    (APIS_AGENT, "serviceAccount:a:b@cloudservices.gserviceaccount.com", False),
]


@pytest.mark.parametrize(("pattern", "member", "matches"), CASES)
def test_the_wildcard_never_spans_at_or_colon(pattern: str, member: str, matches: bool) -> None:
    assert pattern_matches(pattern, member) is matches
