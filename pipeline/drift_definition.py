"""The drift build (drift.cloudbuild.yaml): once a day, does each environment still match its stack?

Run by the stack's drift trigger (infra/delivery/drift.py) on the same private pool, as the same build
account, impersonating the same deployer as the deploy pipeline, from the ref the last deploy built.
It deploys nothing: `scripts/check-drift.sh` runs `pulumi refresh --preview-only` and `pulumi
preview`, both with `--expect-no-changes`, and fails the build naming each drifted resource's URN;
the drift alert (infra/security/security_alerts.py) pages the security team on that failure. So it
needs no approval, and `python -m pipeline check` holds it to that (pipeline/checks/drift.py).

Steps: the release check and the pool guard of the deploy pipeline; the jq and Pulumi binaries, GNU
make and the project's virtualenv (the program runs in it); then the check. The options are the deploy
pipeline's (pipeline/definition.py says why each is set).
"""

from __future__ import annotations

from pipeline.contract import DRIFT_SCRIPT, SOURCE_REF_ENV, TOOL_BIN
from pipeline.definition import OPTIONS
from pipeline.images import IMAGES
from pipeline.installs import DRIFT_TOOL_IMAGES, DRIFT_TOOLCHAIN, PYTHON_VENV
from pipeline.model import Pipeline, Stage
from pipeline.stages.prepare import make_tool, virtualenv_step
from pipeline.stages.validation import POOL_GUARD, VERIFY_RELEASE, pool_guard, verify_release
from pipeline.steps import script_step
from pipeline.substitutions import BACKEND_URL, ENV, SUBSTITUTIONS

DRIFT_CHECK = "drift-check"
# What the drift build uses of the pipeline's substitutions: the environment, the mirrors the tool
# images and packages come from, the pool's region and the security project that holds the state.
DRIFT_SUBSTITUTION_KEYS = ("_ENVIRONMENT", "_ARTIFACT_REGISTRY", "_DATAPROC_REGION", "_SECURITY_PROJECT_ID")
DRIFT_SUBSTITUTIONS: dict[str, str] = {key: SUBSTITUTIONS[key] for key in DRIFT_SUBSTITUTION_KEYS}
# Refresh and preview read every resource of the stack: far below an hour, the build's limit.
DRIFT_CHECK_TIMEOUT = 1800
DRIFT_BUILD_TIMEOUT = 3600


def drift_toolchain_args() -> tuple[str, ...]:
    """ENV, BIN_DIR, then IMAGE PATH_IN_IMAGE SMOKE_COMMAND for jq and the Pulumi CLI only."""
    images = [IMAGES[key] for key in DRIFT_TOOL_IMAGES]
    return (ENV, TOOL_BIN, *(word for img in images for word in (img.ref, str(img.extract), str(img.smoke_test))))


def stages() -> tuple[Stage, ...]:
    toolchain = script_step(
        DRIFT_TOOLCHAIN,
        "install-toolchain.sh",
        drift_toolchain_args(),
        wait_for=(POOL_GUARD,),
        timeout=600,
        image_key="docker-builder",
    )
    check = script_step(
        DRIFT_CHECK,
        DRIFT_SCRIPT,
        (ENV, BACKEND_URL),
        wait_for=(DRIFT_TOOLCHAIN, PYTHON_VENV),
        timeout=DRIFT_CHECK_TIMEOUT,
        # The program must see the ref it runs from, or its preview would show the trigger moving.
        extra_env=SOURCE_REF_ENV,
    )
    return (
        Stage("release", (verify_release(record=False), pool_guard(after=VERIFY_RELEASE, record=False))),
        Stage("prepare", (toolchain, make_tool(after=POOL_GUARD), virtualenv_step(PYTHON_VENV))),
        Stage("drift", (check,)),
    )


def drift_pipeline() -> Pipeline:
    return Pipeline(
        stages=stages(),
        substitutions=dict(DRIFT_SUBSTITUTIONS),
        options=OPTIONS,
        timeout_seconds=DRIFT_BUILD_TIMEOUT,
    )
