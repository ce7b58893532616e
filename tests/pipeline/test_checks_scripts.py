"""Script rules: gates and required scripts called, deploys only through approving scripts, the
contract environment, and referenced scripts present and executable."""

from __future__ import annotations

from pathlib import Path

from pipeline.checks.scripts import (
    contract_env,
    deploys_through_approving_scripts,
    gate_scripts_called,
    required_scripts_called,
    scripts_exist,
)
from pipeline.contract import REQUIRED_SCRIPTS
from pipeline.gates import GATES
from tests.pipeline.builds import build, calls, step


def test_every_gate_script_called_passes() -> None:
    assert gate_scripts_called(build(*(calls(g.id, g.script) for g in GATES))) == []


def test_a_gate_without_a_step_fails() -> None:
    config = build(*(calls(g.id, g.script) for g in GATES if g.id != "prowler"))
    assert gate_scripts_called(config) == ["[scripts] gate prowler: no step runs scripts/run-prowler-hipaa.sh"]


def test_a_script_named_only_in_a_comment_like_word_does_not_count() -> None:
    config = build(*(calls(g.id, g.script) for g in GATES if g.id != "trivy"), step("t", "echo run-trivy-scan.sh"))
    assert gate_scripts_called(config) == ["[scripts] gate trivy: no step runs scripts/run-trivy-scan.sh"]


def test_every_required_script_called_passes() -> None:
    assert required_scripts_called(build(*(calls(s, s) for s in REQUIRED_SCRIPTS))) == []


def test_a_missing_required_script_fails() -> None:
    config = build(*(calls(s, s) for s in REQUIRED_SCRIPTS if s != "generate-compliance-report.sh"))
    assert required_scripts_called(config) == [
        "[scripts] required script scripts/generate-compliance-report.sh is not called by any step"
    ]


def test_deploys_through_deploying_scripts_pass() -> None:
    config = build(calls("deploy-gke", "deploy-gke-hipaa.sh"), step("push", "docker push x && gcloud storage cp a b"))
    assert deploys_through_approving_scripts(config) == []


def test_an_inline_kubectl_apply_fails() -> None:
    findings = deploys_through_approving_scripts(build(step("apply", "kubectl apply -f workloads/k8s")))
    assert findings == ["[deploy] step apply deploys inline ('kubectl apply'); use a deploying script"]


def test_an_inline_pulumi_up_fails_even_next_to_a_script() -> None:
    config = build(step("deploy-infra", "scripts/deploy-infra.sh dev && pulumi up --yes"))
    assert deploys_through_approving_scripts(config)[0].startswith("[deploy] step deploy-infra deploys inline")


def test_an_inline_gcloud_deploy_fails() -> None:
    config = build(step("vx", "gcloud ai endpoints deploy-model 123 --model=m"))
    assert "deploy-model" in deploys_through_approving_scripts(config)[0]


def test_a_deploy_step_running_a_non_deploying_script_fails() -> None:
    findings = deploys_through_approving_scripts(build(calls("deploy-api", "validate-encryption.sh")))
    assert findings[0].startswith("[deploy] step deploy-api runs no deploying script")


def test_script_steps_with_the_contract_env_pass() -> None:
    assert contract_env(build(calls("a", "x.sh"), step("b", env=[]))) == []


def test_a_script_step_without_the_contract_env_fails() -> None:
    config = build(calls("a", "x.sh", env=["BUILD_ID=$BUILD_ID"]))
    assert contract_env(config) == [
        "[env] step a lacks the contract environment: BUILD_REGION=$LOCATION, PROJECT_ID=$PROJECT_ID,"
        " EVIDENCE_DIR=/workspace/evidence, OUTPUT_DIR=/workspace/outputs, CLOUDSDK_CORE_DISABLE_PROMPTS=1"
    ]


def _script(root: Path, name: str, mode: int) -> None:
    (root / "scripts").mkdir(exist_ok=True)
    path = root / "scripts" / name
    path.write_text("#!/usr/bin/env bash\n", encoding="utf-8")
    path.chmod(mode)


def test_present_executable_scripts_pass(tmp_path: Path) -> None:
    _script(tmp_path, "a.sh", 0o755)
    assert scripts_exist(tmp_path)(build(calls("a", "a.sh"))) == []


def test_a_missing_script_fails(tmp_path: Path) -> None:
    assert scripts_exist(tmp_path)(build(calls("a", "a.sh"))) == ["[scripts] scripts/a.sh does not exist"]


def test_a_script_that_is_not_executable_fails(tmp_path: Path) -> None:
    _script(tmp_path, "a.sh", 0o644)
    assert scripts_exist(tmp_path)(build(calls("a", "a.sh"))) == ["[scripts] scripts/a.sh is not executable"]
