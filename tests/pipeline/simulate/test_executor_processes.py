"""Cloud Build's step semantics, run for real on small synthetic configs (bash on the Cloud SDK image).

Concurrency is shown with files, never with sleeps and clocks: two steps that each wait for the
other's file can only both succeed if they ran at the same time.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pipeline.simulate.substitution import SubstitutionError
from tests.pipeline.simulate.harness import config, run_yaml, step

# Wait (at most 20 s) for a file another step writes; fail if it never comes.
AWAIT = 'for _ in $$(seq 200); do [ -e "{path}" ] && exit 0; sleep 0.1; done; echo "no {path}"; exit 1'


def running(pid: int) -> bool:
    """Whether the process still runs (a killed child nobody reaped yet is a zombie: not running)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


def test_waitfor_orders_steps_and_absent_waitfor_waits_for_every_earlier_step(tmp_path: Path) -> None:
    outcome = run_yaml(
        tmp_path,
        config(
            step("a", "touch /workspace/a", waitFor=["-"]),
            step("b", "touch /workspace/b", waitFor=["-"]),
            step("c", "test -e /workspace/a && test -e /workspace/b && touch /workspace/c"),
            step("d", "test -e /workspace/c", waitFor=["c"]),
        ),
    )
    assert outcome.result.success
    assert [outcome.status(s) for s in "abcd"] == ["SUCCESS"] * 4


def test_steps_that_wait_for_nothing_run_side_by_side(tmp_path: Path) -> None:
    one = "touch /workspace/one; " + AWAIT.format(path="/workspace/two")
    two = "touch /workspace/two; " + AWAIT.format(path="/workspace/one")
    outcome = run_yaml(tmp_path, config(step("one", one, waitFor=["-"]), step("two", two, waitFor=["-"])))
    assert outcome.result.success, [outcome.output(s) for s in ("one", "two")]


def test_substitutions_built_ins_and_double_dollar(tmp_path: Path) -> None:
    text = config(
        step("say", 'echo "user=${_GREETING} short=$_GREETING build=$BUILD_ID shell=$$SHELL_VAR"', env=["SHELL_VAR=x"]),
        substitutions={"_GREETING": "hello"},
    )
    outcome = run_yaml(tmp_path, text, user={"_GREETING": "trigger-value"})
    assert "user=trigger-value short=trigger-value build=b-0001 shell=x" in outcome.output("say")


def test_unknown_built_in_refuses_the_build_before_any_step(tmp_path: Path) -> None:
    with pytest.raises(SubstitutionError, match='"NOT_A_BUILTIN" is not a valid built-in'):
        run_yaml(tmp_path, config(step("s", "echo $NOT_A_BUILTIN")))


def test_env_dir_and_workspace_paths(tmp_path: Path) -> None:
    text = config(
        step("mk", "mkdir -p /workspace/sub"),
        step(
            "in-dir",
            'pwd > "$$OUT"; echo "$$MESSAGE" >> "$$OUT"',
            dir="sub",
            env=["OUT=/workspace/where", "MESSAGE=hi"],
        ),
    )
    outcome = run_yaml(tmp_path, text)
    assert outcome.result.success
    lines = (outcome.run.workspace / "where").read_text(encoding="utf-8").splitlines()
    assert lines == [str(outcome.run.workspace / "sub"), "hi"]


def test_script_runs_with_sh_and_automapped_substitutions(tmp_path: Path) -> None:
    script = {"id": "script", "name": step("x", "")["name"], "script": 'echo "automap=$_GREETING project=$PROJECT_ID"'}
    text = config(script, substitutions={"_GREETING": "hi"}, options={"automapSubstitutions": True})
    outcome = run_yaml(tmp_path, text)
    assert "automap=hi project=nwh-analytics-dev" in outcome.output("script")


def test_a_timed_out_step_is_killed_with_its_children_and_stops_the_build(tmp_path: Path) -> None:
    pids = "/workspace/pids"
    long = f"sleep 60 & echo $$! > {pids}; sleep 60"
    outcome = run_yaml(tmp_path, config(step("slow", long, timeout="1s"), step("after", "true")))
    assert (outcome.status("slow"), outcome.status("after")) == ("TIMEOUT", "QUEUED")
    assert not outcome.result.success
    child = int((outcome.run.workspace / "pids").read_text(encoding="utf-8"))
    assert not running(child)


def test_allow_failure_lets_the_build_go_on_with_the_step_failed(tmp_path: Path) -> None:
    outcome = run_yaml(tmp_path, config(step("gate", "exit 1", allowFailure=True), step("next", "true")))
    assert (outcome.status("gate"), outcome.status("next")) == ("FAILURE", "SUCCESS")
    assert outcome.result.success


def test_allow_exit_codes_take_precedence_over_allow_failure(tmp_path: Path) -> None:
    allowed = run_yaml(tmp_path / "a", config(step("gate", "exit 3", allowExitCodes=[3]), step("next", "true")))
    assert allowed.result.success and allowed.status("gate") == "FAILURE"
    refused = run_yaml(
        tmp_path / "b", config(step("gate", "exit 4", allowExitCodes=[3], allowFailure=True), step("next", "true"))
    )
    assert not refused.result.success
    assert (refused.status("gate"), refused.status("next")) == ("FAILURE", "QUEUED")


def test_a_failed_step_cancels_the_running_ones_and_leaves_the_rest_queued(tmp_path: Path) -> None:
    began = time.monotonic()
    outcome = run_yaml(
        tmp_path,
        config(
            step("long", "sleep 60", waitFor=["-"]),
            step("fails", "sleep 0.2; exit 1", waitFor=["-"]),
            step("after-long", "true", waitFor=["long"]),
        ),
    )
    assert [outcome.status(s) for s in ("long", "fails", "after-long")] == ["CANCELLED", "FAILURE", "QUEUED"]
    assert time.monotonic() - began < 30
    assert outcome.result.reason == "step fails ended FAILURE (exit 1)"


def test_the_build_timeout_stops_running_steps(tmp_path: Path) -> None:
    outcome = run_yaml(tmp_path, config(step("slow", "sleep 60"), timeout="1s"))
    assert outcome.status("slow") == "CANCELLED"
    assert outcome.result.reason == "build timeout 1s passed"


def test_a_tool_the_image_lacks_is_not_found(tmp_path: Path) -> None:
    missing = {"id": "no-jq", "name": step("x", "")["name"], "entrypoint": "jq", "args": ["--version"]}
    outcome = run_yaml(tmp_path, config(missing))
    assert outcome.status("no-jq") == "FAILURE"
    assert 'exec: "jq": executable file not found in $PATH' in outcome.output("no-jq")


def test_an_image_outside_the_inventory_fails_its_step(tmp_path: Path) -> None:
    unknown = {"id": "alpine", "name": "docker.io/library/alpine:3.20", "entrypoint": "sh", "args": ["-c", "true"]}
    outcome = run_yaml(tmp_path, config(unknown))
    assert outcome.status("alpine") == "FAILURE"
    assert "not in the image inventory" in outcome.output("alpine")


def test_every_line_reaches_the_build_log_as_a_cloud_logging_entry(tmp_path: Path) -> None:
    outcome = run_yaml(tmp_path, config(step("talk", "echo out; echo err >&2")))
    entries = (outcome.run.world / "build-log.jsonl").read_text(encoding="utf-8")
    assert '"textPayload": "out"' in entries and '"textPayload": "err"' in entries
    assert '"build_step": "Step #0 - \\"talk\\""' in entries
