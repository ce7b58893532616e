"""The generated pipeline against the contract: each gate's script with the documented arguments,
substitutions passed, deploys gated, images pinned, and the critical-path goal met."""

from __future__ import annotations

import shlex

import pytest

from pipeline.checks.text import command
from pipeline.contract import DEPLOYING_SCRIPTS, PRE_DEPLOY_GATES, STEP_ENV
from pipeline.dag import ancestors, critical_path, dependencies
from pipeline.definition import OPTIONS, pipeline
from pipeline.gates import GATES
from pipeline.images import IMAGES
from pipeline.installs import VENV_TARGETS
from pipeline.substitutions import SUBSTITUTIONS

STEPS = {step.id: step.to_dict() for step in pipeline().steps}
# The digest reference the build step wrote, read at run time (shlex drops the inner quotes bash keeps).
IMAGE_ARG = "$$(cat $$OUTPUT_DIR/api-image)"

# The arguments each script receives, as docs/contracts.md lists them.
CONTRACT_ARGS = {
    "verify-release": ("verify-release.sh", ["${_ENVIRONMENT}", "$BRANCH_NAME", "$TAG_NAME"]),
    "pool-guard": (
        "require-private-pool.sh",
        [
            "${_ENVIRONMENT}",
            "projects/$PROJECT_ID/locations/${_DATAPROC_REGION}/workerPools/hipaa-${_ENVIRONMENT}-build-pool",
        ],
    ),
    "env-validation": (
        "validate-env-hipaa.sh",
        ["${_ENVIRONMENT}", "$PROJECT_ID", "${_VPC_SC_PERIMETER}", "${_KMS_KEYRING}", "${_SIEM_PROJECT_ID}"],
    ),
    "iac-validation": ("run-iac-validation.sh", ["${_ENVIRONMENT}", "gs://${_SECURITY_PROJECT_ID}-pulumi-state"]),
    "checkov": ("run-checkov.sh", ["${_ENVIRONMENT}", "workloads/k8s", "workloads/api"]),
    "unit-tests": ("run-unit-tests.sh", ["${_ENVIRONMENT}", "85"]),
    "data-quality": ("run-data-quality.sh", ["${_ENVIRONMENT}", "$PROJECT_ID", "${_BIGQUERY_DATASET}"]),
    "image-signing": (
        "sign-image.sh",
        [
            "${_ENVIRONMENT}",
            "$PROJECT_ID",
            IMAGE_ARG,
            "${_KMS_KEYRING}/cryptoKeys/image-signing",
            "projects/$PROJECT_ID/attestors/hipaa-${_ENVIRONMENT}-pipeline",
        ],
    ),
    "trivy": ("run-trivy-scan.sh", ["${_ENVIRONMENT}", IMAGE_ARG]),
    "prowler": ("run-prowler-hipaa.sh", ["${_ENVIRONMENT}", "$PROJECT_ID"]),
    "encryption": (
        "validate-encryption.sh",
        ["${_ENVIRONMENT}", "$PROJECT_ID", "${_KMS_KEYRING}", "${_DATAPROC_REGION}"],
    ),
    "audit-logs": ("validate-audit-logs.sh", ["${_ENVIRONMENT}", "$PROJECT_ID", "${_SIEM_PROJECT_ID}"]),
    "vpcsc-egress": (
        "validate-vpcsc-egress.sh",
        ["${_ENVIRONMENT}", "$PROJECT_ID", "${_VPC_SC_PERIMETER}", "${_SIEM_PROJECT_ID}", "${_SECURITY_PROJECT_ID}"],
    ),
    "deploy-infra": ("deploy-infra.sh", ["${_ENVIRONMENT}", "gs://${_SECURITY_PROJECT_ID}-pulumi-state"]),
    "deploy-gke": (
        "deploy-gke-hipaa.sh",
        [
            "${_ENVIRONMENT}",
            "$PROJECT_ID",
            "${_GKE_CLUSTER}",
            "${_DATAPROC_REGION}",
            "workloads/k8s",
            IMAGE_ARG,
        ],
    ),
    "deploy-dataproc": (
        "deploy-dataproc-hipaa.sh",
        [
            "${_ENVIRONMENT}",
            "$PROJECT_ID",
            "${_DATAPROC_REGION}",
            "hipaa-${_ENVIRONMENT}-dataproc",
            "${_KMS_KEYRING}",
            "hipaa-${_ENVIRONMENT}-private",
        ],
    ),
    "monitoring": ("configure-monitoring.sh", ["${_ENVIRONMENT}", "$PROJECT_ID", "${_SECURITY_PROJECT_ID}"]),
    "compliance-report": ("generate-compliance-report.sh", ["${_ENVIRONMENT}", "${_COMPLIANCE_BUCKET}"]),
    "notify-security": (
        "notify-security.sh",
        ["${_ENVIRONMENT}", "${_SECURITY_PROJECT_ID}", "gs://${_COMPLIANCE_BUCKET}/reports/$BUILD_ID/"],
    ),
}


def _invocation(step_id: str) -> tuple[str, list[str]]:
    """The script and its arguments as bash will see them (quotes removed, `$$` left as written); a
    wrapper's own words (the guard `require-gates-passed.sh ENV GATE... --`, `when-refused.sh ENV`,
    `guard-with-record.sh ENV GATE BUCKET PROJECT`) are left out."""
    line = STEPS[step_id]["args"][1]
    words = shlex.split(line.split(" exec ", 1)[1], posix=True)
    if words[0] == "scripts/require-gates-passed.sh" and "--" in words:
        words = words[words.index("--") + 1 :]
    elif words[0] == "scripts/when-refused.sh":
        words = words[2:]
    elif words[0] == "scripts/guard-with-record.sh":
        words = words[5:]
    return words[0].removeprefix("scripts/"), words[1:]


@pytest.mark.parametrize("step_id", sorted(CONTRACT_ARGS))
def test_scripts_get_the_contract_arguments(step_id: str) -> None:
    assert _invocation(step_id) == CONTRACT_ARGS[step_id]


def test_every_gate_is_a_step_of_its_own_id_running_its_script() -> None:
    for gate in GATES:
        assert _invocation(gate.id)[0] == gate.script


def test_every_script_step_passes_the_environment_first_and_carries_the_contract_env() -> None:
    for step_id, step in STEPS.items():
        if " exec scripts/" in command(step):
            assert _invocation(step_id)[1][0] == "${_ENVIRONMENT}", step_id
            assert list(STEP_ENV) == step["env"][: len(STEP_ENV)], step_id


def test_every_substitution_reaches_a_step() -> None:
    text = "\n".join(command(step) + "\n".join(step.get("env", [])) for step in STEPS.values())
    assert [key for key in SUBSTITUTIONS if f"${{{key}}}" not in text] == []


def test_every_deploy_waits_for_every_pre_deploy_gate() -> None:
    deps = dependencies(list(STEPS.values()))
    deploys = []
    for step_id, step in STEPS.items():
        if " exec scripts/" in command(step) and _invocation(step_id)[0] in DEPLOYING_SCRIPTS:
            deploys.append(step_id)
            assert set(PRE_DEPLOY_GATES) <= ancestors(deps, step_id), step_id
    assert sorted(deploys) == [
        "bqml-model",
        "dataproc-integration",
        "deploy-dataproc",
        "deploy-gke",
        "deploy-infra",
        "deploy-vertex",
        "pyspark-job",
    ]


def test_the_image_is_signed_only_after_trivy_passed_it() -> None:
    deps = dependencies(list(STEPS.values()))
    assert "trivy" in ancestors(deps, "image-signing")
    # Trivy may fail without stopping the build, so the signature runs behind Trivy's verdict.
    words = shlex.split(STEPS["image-signing"]["args"][1].split(" exec ", 1)[1])
    assert words[: words.index("--") + 2] == [
        "scripts/require-gates-passed.sh",
        "${_ENVIRONMENT}",
        "trivy",
        "--",
        "scripts/sign-image.sh",
    ]


def test_independent_gates_run_concurrently() -> None:
    deps = dependencies(list(STEPS.values()))
    gates = ["env-validation", "python-quality", "checkov", "semgrep", "prowler", "encryption", "unit-tests"]
    for a in gates:
        for b in gates:
            assert a == b or a not in ancestors(deps, b), (a, b)


def test_the_critical_path_is_at_most_forty_percent_of_all_step_time() -> None:
    stats = critical_path(list(STEPS.values()))
    assert stats.ratio <= 0.40
    assert stats.chain[0] == "verify-release" and stats.chain[-1] == "notify-security"


def test_every_image_in_the_table_is_pinned_and_every_step_image_is_in_it() -> None:
    refs = {image.ref for image in IMAGES.values()}
    assert all(":latest" not in ref and ":" in ref.rsplit("/", 1)[-1] for ref in refs)
    assert {step["name"] for step in STEPS.values()} <= refs


def test_the_toolchain_pulls_exactly_the_extracted_tool_images() -> None:
    text = command(STEPS["toolchain"])
    assert 'exec scripts/install-toolchain.sh "${_ENVIRONMENT}" "/workspace/bin" ' in text
    for image in IMAGES.values():
        triple = f'"{image.ref}" "{image.extract}" "{image.smoke_test}"'
        assert (triple in text) == (image.extract is not None)


def test_every_virtualenv_comes_from_the_registry_pypi_mirror_through_the_makefile_targets() -> None:
    mirror = "https://${_DATAPROC_REGION}-python.pkg.dev/$PROJECT_ID/hipaa-${_ENVIRONMENT}-pypi-mirror/simple/"
    for step_id, targets in VENV_TARGETS.items():
        assert _invocation(step_id) == ("build-virtualenvs.sh", ["${_ENVIRONMENT}", mirror, *targets]), step_id


def test_the_build_runs_in_the_private_pool_with_cloud_logging_only() -> None:
    assert OPTIONS == {
        "pool": {
            "name": "projects/$PROJECT_ID/locations/${_DATAPROC_REGION}/workerPools/hipaa-${_ENVIRONMENT}-build-pool"
        },
        "logging": "CLOUD_LOGGING_ONLY",
        "substitutionOption": "MUST_MATCH",
    }


def test_the_substitutions_are_the_ten_of_the_requirement() -> None:
    assert sorted(SUBSTITUTIONS) == sorted(
        [
            "_ARTIFACT_REGISTRY",
            "_ENVIRONMENT",
            "_GKE_CLUSTER",
            "_DATAPROC_REGION",
            "_BIGQUERY_DATASET",
            "_KMS_KEYRING",
            "_VPC_SC_PERIMETER",
            "_COMPLIANCE_BUCKET",
            "_SECURITY_PROJECT_ID",
            "_SIEM_PROJECT_ID",
        ]
    )
    assert SUBSTITUTIONS["_ENVIRONMENT"] == "dev"


@pytest.mark.parametrize("step_id", ["verify-release", "pool-guard"])
def test_the_first_guards_write_the_refused_builds_record(step_id: str) -> None:
    """They stop the build on purpose, so no refused-* step runs after them: the wrapper records."""
    words = shlex.split(STEPS[step_id]["args"][1].split(" exec ", 1)[1], posix=True)
    assert words[:5] == [
        "scripts/guard-with-record.sh",
        "${_ENVIRONMENT}",
        step_id,
        "${_COMPLIANCE_BUCKET}",
        "${_SECURITY_PROJECT_ID}",
    ]
    assert not STEPS[step_id].get("allowFailure")
