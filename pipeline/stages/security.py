"""Security scans: Trivy on the built image, Semgrep on the source, Prowler's HIPAA framework.

Each scanner's blocking flags (Trivy `--exit-code 1 --severity HIGH,CRITICAL`, Semgrep `--error`)
live in its script; the check refuses any step that calls a scanner directly without them.
"""

from __future__ import annotations

from pipeline.installs import PROWLER_BIN, SEMGREP_BIN
from pipeline.model import Stage
from pipeline.steps import API_IMAGE_REF, script_step
from pipeline.substitutions import ENV

TRIVY = "trivy"


def stage(toolchain: str, image_built: str, tool_venvs: str, prowler_venv: str) -> Stage:
    trivy = script_step(
        TRIVY,
        "run-trivy-scan.sh",
        (ENV, API_IMAGE_REF),
        wait_for=(toolchain, image_built),
        timeout=900,
        allow_failure=True,
    )
    # Semgrep and Prowler run from pinned virtualenvs on the Cloud SDK image: the Semgrep image has no
    # gcloud (the script copies the mirrored rules bundle with it), the Prowler image (Alpine) no bash.
    semgrep = script_step(
        "semgrep",
        "run-semgrep-scan.sh",
        (ENV, "."),
        wait_for=(toolchain, tool_venvs),
        timeout=900,
        extra_path=(SEMGREP_BIN,),
        allow_failure=True,
    )
    prowler = script_step(
        "prowler",
        "run-prowler-hipaa.sh",
        (ENV, "$PROJECT_ID"),
        wait_for=(toolchain, prowler_venv),
        timeout=2400,
        extra_path=(PROWLER_BIN,),
        allow_failure=True,
    )
    return Stage("security scans", (trivy, semgrep, prowler))
