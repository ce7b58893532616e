"""Compliance validation of the environment, then the PHI scan of everything the build produced.

The PHI gate runs last before any deploy: it scans the outputs and every gate's evidence, which is
what the report and the notification later publish.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.model import Stage
from pipeline.steps import script_step
from pipeline.substitutions import ENV, REGION

PHI_DETECTION = "phi-detection"
# Who may hold which role, per environment; validate-access-controls.sh compares bindings to it.
ALLOWLIST_FILE = "security/iam-allowlist/${_ENVIRONMENT}.json"


_VALIDATIONS: tuple[tuple[str, str, tuple[str, ...], int], ...] = (
    ("encryption", "validate-encryption.sh", (ENV, "$PROJECT_ID", "${_KMS_KEYRING}", REGION), 900),
    ("access-controls", "validate-access-controls.sh", (ENV, "$PROJECT_ID", ALLOWLIST_FILE), 900),
    ("audit-logs", "validate-audit-logs.sh", (ENV, "$PROJECT_ID", "${_SIEM_PROJECT_ID}"), 900),
    (
        "vpcsc-egress",
        "validate-vpcsc-egress.sh",
        (ENV, "$PROJECT_ID", "${_VPC_SC_PERIMETER}", "${_SIEM_PROJECT_ID}", "${_SECURITY_PROJECT_ID}"),
        600,
    ),
    ("bigquery-governance", "validate-bigquery-governance.sh", (ENV, "$PROJECT_ID", "${_BIGQUERY_DATASET}"), 900),
)
CHECKS: tuple[str, ...] = tuple(gate_id for gate_id, *_ in _VALIDATIONS)


def stage(toolchain: str, phi_after: Sequence[str]) -> Stage:
    steps = [
        script_step(gate_id, script, args, wait_for=(toolchain,), timeout=timeout, allow_failure=True)
        for gate_id, script, args, timeout in _VALIDATIONS
    ]
    phi = script_step(
        PHI_DETECTION,
        "run-phi-detection.sh",
        (ENV, "$$OUTPUT_DIR", "$$EVIDENCE_DIR"),
        wait_for=(*phi_after, *CHECKS),
        timeout=900,
        allow_failure=True,
        image_key="phi-scanner",
        # The data files committed with the source too: a committed file holding PHI must not build.
        extra_env=("PHI_SOURCE_DATA=/workspace",),
    )
    return Stage("compliance validation", (*steps, phi))
