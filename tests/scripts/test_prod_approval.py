"""Every script that changes an environment asks for the build's approval in prod before it does."""

from __future__ import annotations

import re

import pytest

from pipeline.contract import APPROVING_SCRIPTS, CHANGING_GATE_SCRIPTS, DEPLOYING_SCRIPTS, RELEASE_SCRIPT
from pipeline.gates import GATES
from tests.scripts.fakes import SCRIPTS

_CALL = re.compile(r"^\s*require_prod_approval\s*$", re.MULTILINE)
_SCRIPTS = sorted(path.name for path in SCRIPTS.glob("*.sh"))


@pytest.mark.parametrize("script", sorted(APPROVING_SCRIPTS))
def test_each_approving_script_calls_require_prod_approval(script: str) -> None:
    assert _CALL.search((SCRIPTS / script).read_text(encoding="utf-8")), script


def test_every_script_that_asks_for_approval_is_listed_in_the_contract() -> None:
    asking = {name for name in _SCRIPTS if _CALL.search((SCRIPTS / name).read_text(encoding="utf-8"))}
    # verify-release.sh also checks the approval (the first step refuses an unapproved prod build),
    # but changes nothing.
    assert asking - {RELEASE_SCRIPT} == set(APPROVING_SCRIPTS)


def test_the_changing_gates_are_gates_and_not_deploys() -> None:
    assert {gate.script for gate in GATES} >= CHANGING_GATE_SCRIPTS
    assert not CHANGING_GATE_SCRIPTS & DEPLOYING_SCRIPTS
