"""Security scans: Trivy on the built image, Semgrep on the source, Prowler's HIPAA framework.

Each scanner's blocking flags (Trivy `--exit-code 1 --severity HIGH,CRITICAL`, Semgrep `--error`)
live in its script; the check refuses any step that calls a scanner directly without them.
"""

from __future__ import annotations

from pipeline.model import Stage
from pipeline.steps import API_IMAGE_REF, script_step
from pipeline.substitutions import ENV

TRIVY = "trivy"


def stage(toolchain: str, image_built: str) -> Stage:
    trivy = script_step(
        TRIVY, "run-trivy-scan.sh", (ENV, API_IMAGE_REF), wait_for=(toolchain, image_built), timeout=900
    )
    semgrep = script_step(
        "semgrep", "run-semgrep-scan.sh", (ENV, "."), wait_for=(toolchain,), timeout=900, image_key="semgrep"
    )
    prowler = script_step(
        "prowler",
        "run-prowler-hipaa.sh",
        (ENV, "$PROJECT_ID"),
        wait_for=(toolchain,),
        timeout=2400,
        image_key="prowler",
    )
    return Stage("security scans", (trivy, semgrep, prowler))
