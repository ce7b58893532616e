"""The Pulumi counterparts of the requirement's Terraform validation, and Checkov where it applies.

run-iac-validation.sh lints and format-checks the Pulumi program, runs `pulumi preview` with the
HIPAA policy pack and `python -m infra check` over the preview. Checkov looks at what Pulumi does
not describe: the Kubernetes manifests and the API's Dockerfile.
"""

from __future__ import annotations

from pipeline.model import Stage
from pipeline.steps import script_step
from pipeline.substitutions import BACKEND_URL, ENV


def stage(toolchain: str, venv: str) -> Stage:
    iac = script_step(
        "iac-validation",
        "run-iac-validation.sh",
        (ENV, BACKEND_URL),
        wait_for=(toolchain, venv),
        timeout=1800,
        allow_failure=True,
    )
    checkov = script_step(
        "checkov",
        "run-checkov.sh",
        (ENV, "workloads/k8s", "workloads/api"),
        wait_for=(toolchain,),
        timeout=600,
        image_key="checkov",
        allow_failure=True,
    )
    return Stage("infrastructure as code", (iac, checkov))
