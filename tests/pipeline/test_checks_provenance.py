"""Tool provenance: a step needs nothing its image and the installs it waits for do not provide."""

from __future__ import annotations

from pathlib import Path

import yaml

from pipeline.checks.provenance import needed, tool_provenance
from pipeline.images import image
from pipeline.render import ROOT
from tests.pipeline.builds import build, step

RULE = tool_provenance(ROOT)
SDK = image("cloud-sdk")
PATHS = 'PATH="/workspace/bin:/workspace/.venv/bin:$$PATH"'


def script(step_id: str, call: str, wait_for: list[str] | None = None, **extra: object) -> dict[str, object]:
    return step(step_id, f"{PATHS} exec scripts/{call}", wait_for, **extra)


def toolchain() -> dict[str, object]:
    return step("toolchain", "exec scripts/install-toolchain.sh", ["-"], name=image("docker-builder"))


def test_the_committed_pipeline_passes() -> None:
    committed = yaml.safe_load((ROOT / "cloudbuild.yaml").read_text(encoding="utf-8"))
    assert RULE(committed) == []


def test_a_script_tool_the_image_lacks_fails_naming_step_and_tool() -> None:
    # The Cloud SDK image has no jq: without the toolchain before it, encryption cannot run.
    config = build(script("encryption", 'validate-encryption.sh "${_ENVIRONMENT}"'))
    assert RULE(config) == [
        "[provenance] step encryption needs 'jq' (scripts/validate-encryption.sh), which neither its image"
        f" {SDK} nor a step it waits for provides"
    ]


def test_a_tool_installed_by_a_step_it_waits_for_passes() -> None:
    config = build(toolchain(), script("encryption", 'validate-encryption.sh "${_ENVIRONMENT}"', ["toolchain"]))
    assert RULE(config) == []


def test_an_installed_tool_off_the_steps_path_fails() -> None:
    call = 'exec scripts/validate-encryption.sh "${_ENVIRONMENT}"'
    config = build(toolchain(), step("encryption", call, ["toolchain"]))
    assert [f.split(" (")[0] for f in RULE(config)] == ["[provenance] step encryption needs 'jq'"]


def test_the_three_cases_of_the_issue_fail() -> None:
    config = build(
        toolchain(),
        script("python-quality", 'run-python-quality.sh "${_ENVIRONMENT}"', ["toolchain"]),
        script("semgrep", 'run-semgrep-scan.sh "${_ENVIRONMENT}"', ["toolchain"], name=image("checkov")),
    )
    missing = {(f.split()[2], f.split("'")[1]) for f in RULE(config)}
    assert {("python-quality", t) for t in ("pylint", "mypy", "bandit", "safety")} <= missing
    assert {("semgrep", "semgrep"), ("semgrep", "gcloud")} <= missing


def test_the_unit_tests_need_the_tool_virtualenvs_by_path() -> None:
    config = build(toolchain(), script("unit-tests", 'run-unit-tests.sh "${_ENVIRONMENT}" "85"', ["toolchain"]))
    missing = sorted(f.split("'")[1] for f in RULE(config))
    assert missing == ["/workspace/.tools/semgrep/bin/semgrep", "/workspace/.venv-tools/bin/checkov"]


def test_an_entrypoint_the_image_lacks_fails() -> None:
    config = build(step("a", "true", ["-"], name=image("checkov"), entrypoint="zsh"))
    assert RULE(config) == [
        f"[provenance] step a needs 'zsh' (its entrypoint), which neither its image {image('checkov')} nor a step"
        " it waits for provides"
    ]


def test_inline_shell_commands_are_checked_and_builtins_are_not() -> None:
    config = build(step("venv", "set -e; export X=$$(mktemp)\nmake .venv/.installed", ["-"]))
    assert [f.split("'")[1] for f in RULE(config)] == ["make"]


def test_a_relative_path_counts_only_when_an_earlier_step_installed_it() -> None:
    wheel = step("wheel", ".venv/bin/pip wheel workloads/spark", ["-"])
    assert [f.split("'")[1] for f in RULE(build(wheel))] == [".venv/bin/pip"]


def test_a_require_tool_word_that_cannot_be_resolved_fails(tmp_path: Path) -> None:
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "x.sh").write_text('#!/usr/bin/env bash\nrequire_tool "$TOOL" jq\n', encoding="utf-8")
    config = build(step("x", "exec scripts/x.sh", ["-"]))
    assert tool_provenance(tmp_path)(config)[-1] == (
        "[provenance] step x: cannot tell which tool require_tool $TOOL (scripts/x.sh) names"
    )


def test_needed_follows_the_script_a_wrapper_runs() -> None:
    call = 'when-refused.sh "${_ENVIRONMENT}" "scripts/run-phi-log-scan.sh" "${_ENVIRONMENT}" "x"'
    tools, unresolved = needed(script("refused-scan", call), ROOT)
    assert {"bash", "python3", "gcloud", "jq"} <= set(tools) and not unresolved
    assert tools["gcloud"] == "scripts/run-phi-log-scan.sh"
