"""Tool provenance: a step needs nothing its image and the installs it waits for do not provide."""

from __future__ import annotations

import re
import shutil
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
    assert tools["gcloud"] == "scripts/run-phi-detection.sh, via scripts/run-phi-log-scan.sh"


# require_prod_approval as it was before it read the state with gcloud's projection: its jq was
# declared nowhere, so the declarations alone could not see that verify-release needs it.
_APPROVAL_WITH_JQ = """require_prod_approval() {
  is_prod || return 0
  local build state
  capture_json build "build approval" gcloud builds describe "$BUILD_ID" --format=json
  state=$(jq -r '.approval.state // "NONE"' <<<"$build")
  [[ "$state" == APPROVED ]] || die "prod deploy refused: approval state is ${state}, not APPROVED"
}
"""


def _scripts_with_approval(tmp_path: Path, approval: str) -> Path:
    """The scripts as they were before the fix: this approval check, and no helper declaring jq."""
    shutil.copytree(ROOT / "scripts", tmp_path / "scripts")
    for library in (tmp_path / "scripts" / "lib").glob("*.sh"):
        text = library.read_text(encoding="utf-8")
        library.write_text(re.sub(r"^  require_tool (gcloud )?jq\n", "", text, flags=re.M), encoding="utf-8")
    gate = tmp_path / "scripts" / "lib" / "gate.sh"
    text = gate.read_text(encoding="utf-8")
    start = text.index("require_prod_approval() {")
    gate.write_text(text[:start] + approval + text[text.index("\n}\n", start) + 3 :], encoding="utf-8")
    return tmp_path


def test_a_library_helpers_undeclared_tool_counts_for_the_steps_that_call_it(tmp_path: Path) -> None:
    committed = yaml.safe_load((ROOT / "cloudbuild.yaml").read_text(encoding="utf-8"))
    findings = tool_provenance(_scripts_with_approval(tmp_path, _APPROVAL_WITH_JQ))(committed)
    assert findings == [
        "[provenance] step verify-release needs 'jq' (scripts/lib/gate.sh require_prod_approval, via"
        f" scripts/verify-release.sh), which neither its image {SDK} nor a step it waits for provides"
    ]


def test_a_helper_no_step_calls_adds_nothing(tmp_path: Path) -> None:
    # The same jq in a helper verify-release does not call: a library's tools are not every sourcer's.
    unused = _APPROVAL_WITH_JQ.replace("require_prod_approval()", "unused_helper()") + (
        "require_prod_approval() {\n  is_prod || return 0\n}\n"
    )
    committed = yaml.safe_load((ROOT / "cloudbuild.yaml").read_text(encoding="utf-8"))
    assert tool_provenance(_scripts_with_approval(tmp_path, unused))(committed) == []
