"""validate-access-controls.sh reads the allow-list's `*` as the Python side does: never across `@` or `:`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.infra.plan.allowlist_wildcard_cases import AGENT, CASES
from tests.scripts.access_controls_fixtures import GATE, compliant, grant, run
from tests.scripts.fakes import FakeTools
from tests.scripts.gcloud_fixtures import PROJECT, passed, violated

ROLES = {AGENT: "roles/container.serviceAgent"}


def expected_violation(role: str, member: str) -> str:
    if role == "roles/editor":
        return f"project {PROJECT}: primitive role roles/editor held by {member} (only break-glass groups may)"
    return f"project {PROJECT}: binding {role} to {member} is not in the allow-list"


@pytest.mark.parametrize(("pattern", "member", "matches"), CASES)
def test_the_wildcard_never_spans_at_or_colon(tmp_path: Path, pattern: str, member: str, matches: bool) -> None:
    role = ROLES.get(pattern, "roles/editor")  # the other pattern is the Google APIs agent's Editor exception
    scenario = compliant()
    grant(scenario, role, member)
    result = run(FakeTools(tmp_path), scenario)
    if matches:
        passed(result, GATE)
    else:
        assert violated(result, GATE, expected_violation(role, member)) == [expected_violation(role, member)]
