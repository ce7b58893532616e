"""scripts/lib/core.sh and gate.sh: the fail-closed behaviour every script inherits."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scripts.fakes import APPROVAL_QUERY, FakeTools

PROBE = str(Path(__file__).parent / "fixtures" / "lib-probe.sh")


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


def test_pass_writes_pass_evidence_with_the_count(tools: FakeTools) -> None:
    tools.on("gcloud", ["storage", "buckets", "list"], stdout=[{"name": "a"}, {"name": "b"}])
    result = tools.run(PROBE, "prod", "pass")
    assert result.returncode == 0, result.stderr
    evidence = tools.evidence_of("probe")
    assert evidence["status"] == "pass" and evidence["checked"] == 2 and evidence["violations"] == []
    assert evidence["environment"] == "prod" and evidence["build_id"] == "b-123"
    assert set(evidence) == {
        "gate",
        "status",
        "environment",
        "build_id",
        "checked",
        "violations",
        "tool",
        "finished_at",
    }


def test_violation_fails_and_is_listed(tools: FakeTools) -> None:
    result = tools.run(PROBE, "dev", "violation")
    assert result.returncode == 1
    assert result.reason == "lib-probe.sh: FAIL: probe: 1 violation(s) in 2 checked"
    assert tools.evidence_of("probe")["violations"] == ["bucket b1: no CMEK key"]


def test_nothing_checked_never_passes(tools: FakeTools) -> None:
    result = tools.run(PROBE, "dev", "nothing")
    assert result.returncode == 1
    assert "nothing was checked" in result.reason
    assert tools.evidence_of("probe")["status"] == "fail"


def test_empty_list_means_nothing_checked(tools: FakeTools) -> None:
    tools.on("gcloud", ["storage", "buckets", "list"], stdout=[])
    assert tools.run(PROBE, "dev", "pass").returncode == 1


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (
            {"exit": 1, "stderr": "ERROR: (gcloud) permission denied\nmore"},
            "failed (exit 1): ERROR: (gcloud) permission",
        ),
        ({"stdout": ""}, "gcloud printed nothing"),
        ({"stdout": "  \n"}, "gcloud printed nothing"),
        ({"stdout": "[{not json"}, "gcloud printed malformed JSON"),
    ],
)
def test_tool_failure_empty_and_malformed_output_fail_closed(
    tools: FakeTools, answer: dict[str, object], reason: str
) -> None:
    tools.on("gcloud", ["storage", "buckets", "list"], **answer)  # type: ignore[arg-type]
    result = tools.run(PROBE, "prod", "pass")
    assert result.returncode == 1
    assert reason in result.reason
    assert result.reason.startswith("lib-probe.sh: FAIL: bucket list: ")
    assert tools.evidence_of("probe")["status"] == "fail"


def test_object_where_a_list_is_expected_fails(tools: FakeTools) -> None:
    tools.on("gcloud", ["storage", "buckets", "list"], stdout={"name": "a"})
    result = tools.run(PROBE, "dev", "object")
    assert result.returncode == 1 and "expected a JSON array" in result.reason


def test_unfaked_call_is_refused_not_sent_to_the_real_tool(tools: FakeTools) -> None:
    result = tools.run(PROBE, "dev", "pass")
    assert result.returncode == 1
    assert "fake gcloud: unexpected call" in result.reason


@pytest.mark.parametrize("args", [(), ("prod",), ("", "pass"), ("qa", "pass"), ("prod", "bogus")])
def test_missing_or_malformed_arguments_exit_2_with_usage(tools: FakeTools, args: tuple[str, ...]) -> None:
    result = tools.run(PROBE, *args)
    assert result.returncode == 2
    assert result.reason == "usage: lib-probe.sh ENV MODE"


def test_malformed_argument_is_named(tools: FakeTools) -> None:
    result = tools.run(PROBE, "dev", "project", "Bad_Project")
    assert result.returncode == 2
    assert "PROJECT_ID='Bad_Project' is malformed" in result.stderr


def test_unexpected_command_failure_fails_the_gate(tools: FakeTools) -> None:
    result = tools.run(PROBE, "dev", "crash")
    assert result.returncode == 1
    assert "unexpected failure at line" in result.reason
    assert tools.evidence_of("probe")["status"] == "fail"


def test_missing_evidence_dir_fails(tools: FakeTools) -> None:
    result = tools.run(PROBE, "dev", "violation", env={"EVIDENCE_DIR": ""})
    assert result.returncode == 1 and "EVIDENCE_DIR is not set" in result.reason


def test_workdir_is_removed_at_exit(tools: FakeTools) -> None:
    assert tools.run(PROBE, "dev", "cleanup").returncode == 0
    assert not Path((tools.evidence / "workdir").read_text()).exists()


def test_prod_approval_passes_when_approved(tools: FakeTools) -> None:
    tools.approve_build("APPROVED")
    result = tools.run(PROBE, "prod", "approval", env={"BUILD_REGION": "us-central1"})
    assert result.returncode == 0, result.stderr
    assert tools.called("gcloud", "builds", "describe", "b-123", "--region", "us-central1")


@pytest.mark.parametrize("state", ["PENDING", "REJECTED"])
def test_prod_approval_refuses_other_states(tools: FakeTools, state: str) -> None:
    tools.approve_build(state)
    result = tools.run(PROBE, "prod", "approval")
    assert result.returncode == 1
    assert f"approval state is {state}, not APPROVED" in result.reason


def test_prod_approval_refuses_a_build_without_approval_block(tools: FakeTools) -> None:
    tools.approve_build("")  # gcloud's value() projection prints an empty line for an absent field
    result = tools.run(PROBE, "prod", "approval")
    assert result.returncode == 1 and "approval state is NONE" in result.reason


@pytest.mark.parametrize("printed", ["APPROVED\nAPPROVED\n", "approved\n", '{"approval": {"state": "APPROVED"}}\n'])
def test_prod_approval_passes_only_on_the_one_word_approved(tools: FakeTools, printed: str) -> None:
    tools.on("gcloud", [*APPROVAL_QUERY], stdout=printed)
    result = tools.run(PROBE, "prod", "approval")
    assert result.returncode == 1 and result.reason.endswith("not APPROVED")
    assert "{" not in result.reason  # output that is not a state is never echoed


def test_a_helper_without_jq_says_jq_is_missing(tools: FakeTools) -> None:
    # The Cloud SDK image has no jq: a helper that runs it names it instead of blaming gcloud's JSON.
    tools.on("gcloud", ["storage", "buckets", "list"], stdout=[{"name": "a"}])
    result = tools.run(PROBE, "dev", "pass", env={"PATH": tools.image_path("cloud-sdk")})
    assert result.returncode == 1
    assert result.reason == "lib-probe.sh: FAIL: required tool 'jq' is not installed"
    assert "malformed" not in result.stderr


def test_prod_approval_refuses_without_build_id(tools: FakeTools) -> None:
    result = tools.run(PROBE, "prod", "approval", env={"BUILD_ID": ""})
    assert result.returncode == 1 and "BUILD_ID is not set" in result.reason


@pytest.mark.parametrize("answer", [{"exit": 1}, {"stdout": ""}, {"stdout": "{"}])
def test_prod_approval_fails_closed_on_gcloud_trouble(tools: FakeTools, answer: dict[str, object]) -> None:
    tools.on("gcloud", ["builds", "describe"], **answer)  # type: ignore[arg-type]
    assert tools.run(PROBE, "prod", "approval").returncode == 1


def test_approval_is_not_asked_outside_prod(tools: FakeTools) -> None:
    assert tools.run(PROBE, "staging", "approval").returncode == 0
    assert tools.calls("gcloud") == []
