"""The drift build (drift.cloudbuild.yaml): generated, current, read-only, and held to its rules."""

from __future__ import annotations

from pathlib import Path

import yaml

from pipeline.check import check_drift
from pipeline.checks import drift_rules, run_drift
from pipeline.checks.drift import deploys_nothing, runs_the_drift_check, substitutions_declared
from pipeline.contract import DRIFT_CONFIG_NAME, DRIFT_SCRIPT, SOURCE_REF_ENV
from pipeline.drift_definition import DRIFT_CHECK, DRIFT_SUBSTITUTION_KEYS, drift_pipeline
from pipeline.render import ROOT, rendered_drift
from pipeline.requirements import script_closure
from tests.pipeline.builds import build, calls, step

DRIFT_SUBSTITUTIONS = {key: "x" for key in DRIFT_SUBSTITUTION_KEYS}


def test_the_committed_drift_build_is_current_and_breaks_no_rule() -> None:
    assert check_drift() == []


def test_a_hand_edit_of_the_drift_build_is_found(tmp_path: Path) -> None:
    (tmp_path / DRIFT_CONFIG_NAME).write_text(rendered_drift().replace("1800s", "1900s"), encoding="utf-8")
    (tmp_path / "scripts").symlink_to(ROOT / "scripts")
    findings = check_drift(tmp_path)
    assert findings[0].startswith(f"[committed] {DRIFT_CONFIG_NAME} differs from the generator's output")


def test_a_missing_drift_build_is_found(tmp_path: Path) -> None:
    assert check_drift(tmp_path) == [f"[committed] {DRIFT_CONFIG_NAME} is missing; run `python -m pipeline render`"]


def test_the_drift_build_checks_the_release_then_runs_only_the_drift_check() -> None:
    model = drift_pipeline()
    ids = [s.id for stage in model.stages for s in stage.steps]
    assert ids[:2] == ["verify-release", "pool-guard"]
    assert ids[-1] == DRIFT_CHECK
    check = model.stages[-1].steps[-1]
    # The program sees the ref it runs from, so its preview does not show the drift trigger moving.
    assert set(SOURCE_REF_ENV) <= set(check.to_dict()["env"])
    assert set(model.substitutions) == set(DRIFT_SUBSTITUTION_KEYS)
    assert model.options == drift_pipeline().options and "pool" in model.options


def test_the_drift_rules_leave_out_the_deploy_pipelines_gate_rules() -> None:
    names = {getattr(rule, "__name__", "") for rule in drift_rules(ROOT)}
    assert {"gate_scripts_called", "required_scripts_called", "deploys_behind_gates", "report_last"}.isdisjoint(names)
    assert {"runs_the_drift_check", "release_first", "inline_shell"} <= names


def test_exactly_one_step_runs_the_drift_check_and_it_may_not_fail_quietly() -> None:
    one = build(calls("d", DRIFT_SCRIPT))
    assert runs_the_drift_check(one) == []
    assert runs_the_drift_check(build(step("x"))) == [
        f"[drift] expected exactly one step running scripts/{DRIFT_SCRIPT}, found 0"
    ]
    two = build(calls("d", DRIFT_SCRIPT), calls("e", DRIFT_SCRIPT))
    assert "found 2" in runs_the_drift_check(two)[0]
    quiet = build(calls("d", DRIFT_SCRIPT, allowFailure=True))
    assert "may fail without failing the build" in runs_the_drift_check(quiet)[0]


def test_substitutions_are_the_drift_builds_and_the_pipelines() -> None:
    assert substitutions_declared(build(substitutions=DRIFT_SUBSTITUTIONS)) == []
    missing = dict(DRIFT_SUBSTITUTIONS)
    del missing["_SECURITY_PROJECT_ID"]
    assert substitutions_declared(build(substitutions=missing)) == [
        "[drift] required substitution _SECURITY_PROJECT_ID is not declared"
    ]
    unknown = substitutions_declared(build(substitutions={**DRIFT_SUBSTITUTIONS, "_NOPE": "1"}))
    assert unknown == ["[drift] substitution _NOPE is not one of the pipeline's (pipeline/substitutions.py)"]


def test_the_drift_check_and_what_it_sources_deploy_nothing() -> None:
    assert deploys_nothing(ROOT)(build(calls("d", DRIFT_SCRIPT))) == []
    assert {"check-drift.sh", "lib/core.sh", "lib/deploy.sh", "lib/scanners.sh"} <= set(
        script_closure(ROOT, DRIFT_SCRIPT)
    )


def test_a_deploying_script_in_the_drift_build_is_refused() -> None:
    findings = deploys_nothing(ROOT)(build(calls("d", "deploy-infra.sh")))
    assert findings[0] == "[drift] step d runs scripts/deploy-infra.sh, which changes the environment"
    assert any("runs `pulumi up`" in finding for finding in findings)


def test_a_state_changing_pulumi_command_anywhere_in_the_closure_is_refused(tmp_path: Path) -> None:
    scripts = tmp_path / "scripts"
    (scripts / "lib").mkdir(parents=True)
    (scripts / "check.sh").write_text(
        "#!/usr/bin/env bash\n# pulumi up is named in a comment only\nsource lib/x.sh\n"
        "pulumi refresh --stack dev \\\n  --preview-only\n",
        encoding="utf-8",
    )
    (scripts / "lib" / "x.sh").write_text("pulumi refresh --yes\npulumi stack rm dev\n", encoding="utf-8")
    findings = deploys_nothing(tmp_path)(build(calls("d", "check.sh")))
    assert findings == [
        "[drift] step d: scripts/lib/x.sh runs `pulumi refresh`",
        "[drift] step d: scripts/lib/x.sh runs `pulumi stack rm`",
    ]


def test_the_committed_drift_build_passes_every_drift_rule() -> None:
    committed = yaml.safe_load((ROOT / DRIFT_CONFIG_NAME).read_text(encoding="utf-8"))
    assert run_drift(committed, ROOT) == []
