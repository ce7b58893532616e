"""Policy rules: scanner flags, inline shell length, timeouts, pinned images, step limit, perimeter
options and secrets."""

from __future__ import annotations

from pipeline.checks.policy import (
    allowed_failures,
    build_timeout,
    images_pinned,
    inline_shell,
    perimeter_options,
    scanner_flags,
    secrets,
    step_count,
    step_timeouts,
)
from tests.pipeline.builds import build, calls, step

POOL = {"name": "projects/$PROJECT_ID/locations/${_DATAPROC_REGION}/workerPools/hipaa-${_ENVIRONMENT}-build-pool"}


def test_a_scanner_behind_its_script_passes() -> None:
    config = build(calls("trivy", "run-trivy-scan.sh"), calls("semgrep", "run-semgrep-scan.sh"))
    assert scanner_flags(config) == []


def test_a_direct_trivy_call_with_blocking_flags_passes() -> None:
    config = build(step("t", "trivy image --exit-code 1 --severity HIGH,CRITICAL --ignore-unfixed img"))
    assert scanner_flags(config) == []


def test_a_direct_trivy_call_without_exit_code_fails() -> None:
    assert scanner_flags(build(step("t", "trivy image --severity HIGH,CRITICAL img"))) == [
        "[scanner] step t runs trivy without --exit-code 1"
    ]


def test_a_direct_trivy_call_with_a_narrow_severity_fails() -> None:
    assert scanner_flags(build(step("t", "/usr/bin/trivy image --exit-code=1 --severity=CRITICAL img"))) == [
        "[scanner] step t runs trivy without --severity HIGH,CRITICAL"
    ]


def test_trivy_as_the_image_entrypoint_is_a_direct_call() -> None:
    config = build({"id": "t", "name": "aquasec/trivy:0.58.1", "args": ["image", "img"], "timeout": "60s"})
    assert len(scanner_flags(config)) == 2


def test_trivy_as_an_explicit_entrypoint_is_a_direct_call() -> None:
    config = build({"id": "t", "name": "x:1", "entrypoint": "/usr/local/bin/trivy", "args": ["image", "img"]})
    assert len(scanner_flags(config)) == 2


def test_a_version_query_or_a_copied_binary_is_not_a_scan() -> None:
    assert scanner_flags(build(step("t", "cp /x/trivy /workspace/bin/trivy; trivy --version"))) == []


def test_a_direct_semgrep_call_without_error_fails() -> None:
    assert scanner_flags(build(step("s", "semgrep scan --config p/security-audit ."))) == [
        "[scanner] step s runs semgrep without --error"
    ]


def test_a_direct_semgrep_call_with_error_passes() -> None:
    assert scanner_flags(build(step("s", "semgrep scan --error --config rules/ ."))) == []


def test_five_lines_of_inline_shell_pass() -> None:
    assert inline_shell(build(step("a", "a\nb\n\nc\nd\ne"))) == []


def test_six_lines_of_inline_shell_fail() -> None:
    assert inline_shell(build(step("a", "a\nb\nc\nd\ne\nf"))) == [
        "[inline-shell] step a has 6 lines of inline shell (at most 5; move the logic into a script)"
    ]


def test_a_long_script_field_fails() -> None:
    config = build({"id": "a", "name": "x:1", "script": "\n".join("abcdef"), "timeout": "60s"})
    assert inline_shell(config)[0].startswith("[inline-shell] step a has 6 lines")


def test_eight_commands_of_inline_shell_pass() -> None:
    assert inline_shell(build(step("a", "a; b && c\nd || e\nf; g\nh"))) == []


def test_commands_packed_onto_few_lines_fail() -> None:
    # Five lines, but ten commands: packing with `;`, `&&` and `||` does not get round the limit.
    text = "set -e; mkdir -p x\na && b\nc || d\ne; f\ng; h"
    assert inline_shell(build(step("a", text))) == [
        "[inline-shell] step a has 10 commands of inline shell (at most 8; move the logic into a script)"
    ]


def test_one_long_line_of_several_commands_fails() -> None:
    line = "a; " + "b" * 240
    assert inline_shell(build(step("a", line))) == [
        "[inline-shell] step a has a 243-character line of inline shell"
        " (at most 240 unless the step is one command; move the logic into a script)"
    ]


def test_one_long_command_passes() -> None:
    # A script step: one command, however many arguments it passes.
    call = 'PATH="/workspace/bin:$$PATH" exec scripts/x.sh ' + " ".join(f'"arg{n}"' for n in range(60))
    assert len(call) > 240
    assert inline_shell(build(step("a", call))) == []


def test_the_packed_steps_of_the_audit_would_fail() -> None:
    # The old toolchain step: five lines holding fifteen commands.
    take = 'take "img:1" /bin/x; take "img:2" /bin/y'
    text = "\n".join(
        [
            "set -Eeuo pipefail; mkdir -p /workspace/bin",
            'take() { local c; c=$$(docker create "$$1" none); docker cp "$$c:$$2" /b/; docker rm "$$c"; }',
            take,
            take,
            "x --version && y --version && x version && y version",
        ]
    )
    findings = inline_shell(build(step("toolchain", text)))
    assert findings == [
        "[inline-shell] step toolchain has 15 commands of inline shell (at most 8; move the logic into a script)"
    ]


def test_args_without_a_shell_are_not_inline_shell() -> None:
    assert inline_shell(build({"id": "a", "name": "x:1", "args": ["1\n2\n3\n4\n5\n6"]})) == []


def test_step_timeouts_within_the_build_pass() -> None:
    assert step_timeouts(build(step("a", timeout="3600s"))) == []


def test_a_step_without_timeout_fails() -> None:
    untimed = step("a")
    del untimed["timeout"]
    assert step_timeouts(build(untimed)) == ["[timeout] step a has no timeout"]


def test_a_malformed_timeout_fails() -> None:
    assert step_timeouts(build(step("a", timeout="10m"))) == [
        "[timeout] step a timeout '10m' is not a duration like '600s'"
    ]


def test_a_step_timeout_above_the_build_timeout_fails() -> None:
    assert step_timeouts(build(step("a", timeout="3601s"))) == [
        "[timeout] step a timeout 3601s exceeds the build's 3600s or 24 h"
    ]


def test_a_valid_build_timeout_passes() -> None:
    assert build_timeout(build(step("a"), step("b"))) == []


def test_a_missing_build_timeout_fails() -> None:
    config = build(step("a"))
    del config["timeout"]
    assert build_timeout(config) == ["[timeout] the build has no timeout like '21600s'"]


def test_a_build_timeout_over_a_day_fails() -> None:
    assert build_timeout(build(step("a"), timeout="86401s")) == [
        "[timeout] the build timeout 86401s exceeds Cloud Build's 24 h"
    ]


def test_a_critical_path_longer_than_the_build_fails() -> None:
    config = build(step("a", timeout="2000s"), step("b", timeout="2000s"))
    assert build_timeout(config) == ["[timeout] the critical path (4000s) cannot finish within the build timeout"]


def test_an_uncomputable_critical_path_is_left_to_other_rules() -> None:
    untimed = step("a")
    del untimed["timeout"]
    assert build_timeout(build(untimed)) == []


def test_pinned_images_from_allowed_sources_pass() -> None:
    config = build(
        step("a"),
        step("b", name="${_ARTIFACT_REGISTRY}/hipaa-${_ENVIRONMENT}-dockerhub-mirror/aquasec/trivy:0.58.1"),
        step("c", name="gcr.io/cloud-builders/docker@sha256:" + "a" * 64),
    )
    assert images_pinned(config) == []


def test_a_latest_tag_fails() -> None:
    assert images_pinned(build(step("a", name="gcr.io/google.com/cloudsdktool/cloud-sdk:latest"))) == [
        "[image] step a image gcr.io/google.com/cloudsdktool/cloud-sdk:latest is not pinned to a version"
    ]


def test_an_untagged_image_fails() -> None:
    assert "is not pinned" in images_pinned(build(step("a", name="gcr.io/cloud-builders/gcloud")))[0]


def test_a_registry_port_is_not_a_tag() -> None:
    findings = images_pinned(build(step("a", name="localhost:5000/tool")))
    assert any("is not pinned" in f for f in findings)


def test_a_public_image_fails() -> None:
    assert images_pinned(build(step("a", name="aquasec/trivy:0.58.1"))) == [
        "[image] step a image aquasec/trivy:0.58.1 is neither Google's nor from the mirrors"
    ]


def test_a_step_without_image_fails() -> None:
    assert images_pinned(build(step("a", name=""))) == ["[image] step a has no image"]


def test_a_hundred_steps_pass_and_more_fail() -> None:
    assert step_count(build(*(step(f"s{i}") for i in range(100)))) == []
    assert step_count(build(*(step(f"s{i}") for i in range(101)))) == [
        "[steps] 101 steps; Cloud Build refuses more than 100"
    ]


def test_perimeter_options_pass() -> None:
    options = {"pool": POOL, "logging": "CLOUD_LOGGING_ONLY", "substitutionOption": "MUST_MATCH"}
    assert perimeter_options(build(options=options)) == []


def test_missing_perimeter_options_fail() -> None:
    assert perimeter_options(build(options={"logging": "LEGACY"})) == [
        "[options] options.logging must be CLOUD_LOGGING_ONLY (no default logs bucket in a perimeter)",
        "[options] options.pool.name must name the private pool projects/P/locations/L/workerPools/ID",
        "[options] options.substitutionOption must be set deliberately",
    ]


SECRET = {"versionName": "projects/$PROJECT_ID/secrets/safety-api-key/versions/3", "env": "SAFETY_API_KEY"}


def test_a_declared_pinned_used_secret_passes() -> None:
    config = build(step("a", secretEnv=["SAFETY_API_KEY"]), availableSecrets={"secretManager": [SECRET]})
    assert secrets(config) == []


def test_no_secrets_at_all_pass() -> None:
    assert secrets(build(step("a"))) == []


def test_an_undeclared_secret_fails() -> None:
    assert secrets(build(step("a", secretEnv=["TOKEN"]))) == [
        "[secrets] step a lists secret TOKEN, not in availableSecrets"
    ]


def test_an_unused_secret_fails() -> None:
    assert secrets(build(step("a"), availableSecrets={"secretManager": [SECRET]})) == [
        "[secrets] secret SAFETY_API_KEY is declared but no step uses it"
    ]


def test_a_latest_secret_version_fails() -> None:
    latest = {**SECRET, "versionName": "projects/p/secrets/s/versions/latest"}
    config = build(step("a", secretEnv=["SAFETY_API_KEY"]), availableSecrets={"secretManager": [latest]})
    assert secrets(config) == [
        "[secrets] secret SAFETY_API_KEY is not pinned to a numbered version (projects/p/secrets/s/versions/latest)"
    ]


def test_a_secret_also_set_in_plain_env_fails() -> None:
    leaky = step("a", secretEnv=["SAFETY_API_KEY"])
    leaky["env"] = ["SAFETY_API_KEY=abc"]
    config = build(leaky, availableSecrets={"secretManager": [SECRET]})
    assert secrets(config) == ["[secrets] step a also sets secret SAFETY_API_KEY in plain env"]


def test_trivy_after_exec_and_an_env_prefix_is_a_direct_call() -> None:
    assert len(scanner_flags(build(step("t", 'PATH="/x:$$PATH" exec trivy image img')))) == 2


def test_gates_and_the_refused_record_may_be_allowed_to_fail() -> None:
    config = build(
        calls("trivy", "run-trivy-scan.sh", allowFailure=True),
        step(
            "refused-scan",
            'exec scripts/when-refused.sh "${_ENVIRONMENT}" "scripts/run-phi-log-scan.sh"',
            allowFailure=True,
        ),
        calls("compliance-report", "generate-compliance-report.sh", allowExitCodes=[3]),
        step("refused-notify", 'exec scripts/when-refused.sh "x" "scripts/notify-security.sh"', allowExitCodes=[3]),
    )
    assert allowed_failures(config) == []


def test_deploys_the_verdict_the_final_notification_and_helpers_may_not_fail() -> None:
    config = build(
        calls("deploy-infra", "deploy-infra.sh", allowFailure=True),
        step("gates-passed", 'exec scripts/require-gates-passed.sh "x" "trivy"', allowFailure=True),
        calls("notify-security", "notify-security.sh", allowExitCodes=[3]),
        calls("toolchain", "install-toolchain.sh", allowFailure=True),
        calls("trivy", "run-semgrep-scan.sh", allowFailure=True),  # a gate's id, another gate's script
        calls("compliance-report", "generate-compliance-report.sh", allowExitCodes=[1]),
    )
    assert [f.split(": ", 1)[1] for f in allowed_failures(config)] == [
        "it deploys: a failed deploy must stop the build",
        "it is a deploy verdict: its failure is what keeps the deploys from starting",
        "only the compliance report and a refused build's notification record a FAIL with that code",
        "only a gate (its evidence records the failure) or a refused build's record may fail",
        "only a gate (its evidence records the failure) or a refused build's record may fail",
        "allowExitCodes may only be [3] (a FAIL verdict recorded), without allowFailure",
    ]
