"""scripts/lib/facts.sh: generated from the Python program, current, and equal to it name for name."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from infra import naming
from infra.config import ENVIRONMENTS
from infra.plan import shell_facts
from infra.plan.mockrun import PROJECT_ROOT
from infra.rules.baseline import REQUIRED_RESTRICTED_SERVICES
from infra.rules.baseline_org import CMEK_REQUIRED_SERVICES, REQUIRED_CONSTRAINTS
from infra.security.kms import KEY_USERS
from tests.infra.recording import config_for

SCRIPTS = PROJECT_ROOT / "scripts"


def _bash(body: str) -> list[str]:
    script = f'set -Eeuo pipefail\nsource "{shell_facts.FACTS_PATH}"\n{body}'
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True)
    return result.stdout.splitlines()


def test_the_committed_file_is_current() -> None:
    assert shell_facts.FACTS_PATH.read_text(encoding="utf-8") == shell_facts.render(), (
        "scripts/lib/facts.sh is stale: run python -m infra shell-facts"
    )


def test_every_name_function_agrees_with_python(stack: str) -> None:
    config = config_for(stack)
    values = {
        "ENVIRONMENT": config.environment,
        "PROJECT_ID": config.project_id,
        "SECURITY_PROJECT_ID": config.security_project_id,
        "REGION": config.region,
        "PURPOSE": "dataproc",
    }
    calls, expected = [], []
    for name, (_, namer) in shell_facts.NAMES.items():
        usage = re.search(rf"^# {name} ?([A-Z_ ]*):", shell_facts.render(), re.MULTILINE)
        assert usage, name
        args = " ".join(f'"{values[token]}"' for token in usage.group(1).split())
        calls.append(f"{name} {args}; echo")
        python = namer(config).replace("@PURPOSE@", values["PURPOSE"])
        expected.append(python)
    assert _bash("\n".join(calls)) == expected
    assert f"projects/{config.project_id}" in expected[list(shell_facts.NAMES).index("hipaa_keyring_path")]
    assert naming.keyring_path(config) in expected


def test_lists_equal_their_python_source() -> None:
    lines = _bash(
        'printf "%s\\n" "${HIPAA_ENVIRONMENTS[*]}" "$REQUIRED_RESTRICTED_SERVICES" "$CMEK_KEY_NAMES" '
        '"$DATAPROC_IMAGE_VERSION" "$SECURITY_TOPIC_ID"'
    )
    assert lines[0].split() == list(ENVIRONMENTS)
    assert json.loads(lines[1]) == list(REQUIRED_RESTRICTED_SERVICES)
    assert json.loads(lines[2]) == [naming.cmek_key_name(purpose) for purpose in KEY_USERS]
    assert lines[3:] == ["2.2-debian12", naming.SECURITY_TOPIC_ID]


def test_the_live_checks_judge_by_the_rules_baseline() -> None:
    """The deployed project is held to the lists the plan's rules hold it to, not the components' own."""
    lines = _bash(
        'printf "%s\\n" "${ORG_ENFORCED_CONSTRAINTS[*]}" "${ORG_DENY_ALL_CONSTRAINTS[*]}" "$CMEK_ONLY_SERVICES"'
    )
    by_kind = {kind: [c.name for c in REQUIRED_CONSTRAINTS if c.kind == kind] for kind in ("enforce", "deny_all")}
    assert [lines[0].split(), lines[1].split()] == [by_kind["enforce"], by_kind["deny_all"]]
    assert json.loads(lines[2]) == list(CMEK_REQUIRED_SERVICES)


def test_a_name_function_refuses_the_wrong_number_of_arguments() -> None:
    result = subprocess.run(
        ["bash", "-c", f'source "{shell_facts.FACTS_PATH}"; hipaa_keyring_path prod only-two'],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "expected ENVIRONMENT PROJECT_ID REGION" in result.stderr


# What a hand copy of a generated fact looks like in a script.
HAND_COPIES = {
    "a platform name spelled out": re.compile(r"hipaa[-_]\$\{?ENVIRONMENT\b"),
    "a CMEK key name spelled out": re.compile(r"\b[a-z]+-cmek\b"),
    "the security topic spelled out": re.compile(r"topics/hipaa-deployments"),
    "a list of restricted services": re.compile(r"\[\"[a-z]+\.googleapis\.com\",\s*\"[a-z]+\.googleapis\.com\""),
    "the environments spelled out": re.compile(r"\bdev \| staging \| prod\b"),
}


@pytest.mark.parametrize("path", sorted((*SCRIPTS.glob("*.sh"), *SCRIPTS.glob("lib/*.sh"))), ids=lambda p: p.name)
def test_no_script_holds_a_hand_copy_of_a_fact(path: Path) -> None:
    if path == shell_facts.FACTS_PATH:
        return
    code = "\n".join(
        line for line in path.read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith("#")
    )
    found = [what for what, pattern in HAND_COPIES.items() if pattern.search(code)]
    assert not found, f"{path.name}: {', '.join(found)}: take it from scripts/lib/facts.sh"


def test_check_exits_1_on_a_stale_file(tmp_path: Path) -> None:
    stale = tmp_path / "facts.sh"
    stale.write_text("# old\n", encoding="utf-8")
    assert shell_facts.command(check_only=True, path=stale) == 1
    assert shell_facts.command(check_only=False, path=stale) == 0
    assert shell_facts.command(check_only=True, path=stale) == 0
