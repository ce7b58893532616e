"""verify-release.sh: each environment builds only from its own ref, prod only once approved."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from infra.rules.delivery import RELEASE_REFS
from tests.scripts.fakes import SCRIPTS, FakeTools

SCRIPT = SCRIPTS / "verify-release.sh"
USAGE = "usage: verify-release.sh ENV BRANCH_NAME TAG_NAME"
# (environment, branch, tag) a build of that environment legitimately has.
RIGHT_REFS = {"dev": ("main", ""), "staging": ("", "v1.4.0-rc.2"), "prod": ("", "v1.4.0")}


def script_patterns() -> dict[str, str]:
    found = re.findall(r"^readonly REF_(DEV|STAGING|PROD)='([^']*)'$", SCRIPT.read_text(encoding="utf-8"), re.M)
    return {env.lower(): pattern for env, pattern in found}


def test_patterns_equal_the_release_refs_the_triggers_use() -> None:
    assert script_patterns() == {env: pattern for env, (_, pattern) in RELEASE_REFS.items()}


def test_ref_kinds_equal_the_release_refs() -> None:
    # dev checks BRANCH_NAME, staging and prod check TAG_NAME: the same kinds the triggers filter on.
    assert {env: kind for env, (kind, _) in RELEASE_REFS.items()} == {"dev": "branch", "staging": "tag", "prod": "tag"}


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


@pytest.mark.parametrize("env", ["dev", "staging"])
def test_right_ref_is_accepted(tools: FakeTools, env: str) -> None:
    result = tools.run("verify-release.sh", env, *RIGHT_REFS[env])
    assert result.returncode == 0, result.stderr
    assert tools.calls() == []
    assert not tools.evidence.exists()


def test_prod_release_tag_is_accepted_once_approved(tools: FakeTools) -> None:
    tools.approve_build("APPROVED")
    result = tools.run("verify-release.sh", "prod", "", "v1.4.0", env={"BUILD_REGION": "us-central1"})
    assert result.returncode == 0, result.stderr
    assert tools.called("gcloud", "builds", "describe", "b-123", "--region", "us-central1")


@pytest.mark.parametrize(("state", "code"), [("APPROVED", 0), ("PENDING", 1), ("", 1)])
def test_prod_runs_with_only_its_image_tools(tools: FakeTools, state: str, code: int) -> None:
    # verify-release runs first, on the Cloud SDK image, before the toolchain step installs jq.
    tools.approve_build(state)
    env = {"PATH": tools.image_path("cloud-sdk"), "BUILD_REGION": "us-central1"}
    result = tools.run("verify-release.sh", "prod", "", "v1.4.0", env=env)
    assert result.returncode == code, result.stderr
    assert code == 0 or result.reason.endswith(f"approval state is {state or 'NONE'}, not APPROVED")


@pytest.mark.parametrize("state", ["PENDING", "REJECTED"])
def test_prod_release_tag_is_refused_without_approval(tools: FakeTools, state: str) -> None:
    tools.approve_build(state)
    result = tools.run("verify-release.sh", "prod", "", "v1.4.0")
    assert result.returncode == 1
    assert result.reason.endswith(f"approval state is {state}, not APPROVED")


def test_prod_approval_lookup_failure_refuses(tools: FakeTools) -> None:
    tools.on("gcloud", ["builds", "describe"], exit=1, stderr="ERROR: (gcloud.builds.describe) NOT_FOUND\n")
    result = tools.run("verify-release.sh", "prod", "", "v1.4.0")
    assert result.returncode == 1 and "build approval: gcloud failed (exit 1)" in result.reason


@pytest.mark.parametrize(
    ("env", "branch", "tag", "reason"),
    [
        ("dev", "feature/x", "", "dev builds only from branch main, not from branch 'feature/x'"),
        ("dev", "", "v1.4.0", "dev builds only from branch main, not from tag 'v1.4.0'"),
        ("dev", "mainline", "", "not from branch 'mainline'"),
        ("staging", "main", "", "not from branch 'main'"),
        ("staging", "", "v1.4.0", "not from tag 'v1.4.0'"),
        ("staging", "", "v1.4.0-rc.2-hotfix", "not from tag 'v1.4.0-rc.2-hotfix'"),
        ("staging", "", "", "not from tag ''"),
        ("prod", "main", "", "prod builds only from release tags (v1.2.3), not from branch 'main'"),
        ("prod", "", "v1.4.0-rc.2", "not from tag 'v1.4.0-rc.2'"),
        ("prod", "", "v1.4", "not from tag 'v1.4'"),
        ("prod", "", "release-1.4.0", "not from tag 'release-1.4.0'"),
    ],
)
def test_wrong_ref_is_refused_with_one_line(tools: FakeTools, env: str, branch: str, tag: str, reason: str) -> None:
    tools.approve_build("APPROVED")
    result = tools.run("verify-release.sh", env, branch, tag)
    assert result.returncode == 1
    assert result.reason.endswith(reason)
    assert len(result.stderr.strip().splitlines()) == 1
    assert tools.calls() == []  # no approval is asked for a ref that is wrong anyway


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_other_environments_refs_are_refused(tools: FakeTools, env: str) -> None:
    tools.approve_build("APPROVED")
    for other, (branch, tag) in RIGHT_REFS.items():
        if other != env:
            assert tools.run("verify-release.sh", env, branch, tag).returncode == 1


@pytest.mark.parametrize("args", [(), ("dev",), ("dev", "main"), ("dev", "main", "", "extra"), ("qa", "main", "")])
def test_wrong_argument_count_or_environment_exits_2(tools: FakeTools, args: tuple[str, ...]) -> None:
    result = tools.run("verify-release.sh", *args)
    assert result.returncode == 2
    assert result.reason == USAGE
