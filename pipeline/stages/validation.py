"""Release and environment validation: the right ref, the right pool, a compliant environment."""

from __future__ import annotations

from pipeline.contract import RELEASE_SCRIPT
from pipeline.model import Stage, Step
from pipeline.steps import script_step, shell_step
from pipeline.substitutions import ENV, WORKER_POOL

VERIFY_RELEASE = "verify-release"
POOL_GUARD = "pool-guard"
ENV_VALIDATION = "env-validation"


def release_stage() -> Stage:
    verify = verify_release()
    return Stage("release", (verify, pool_guard(after=VERIFY_RELEASE)))


def verify_release() -> Step:
    """First: refuse a build from a ref the environment does not deploy (dev: main, staging: rc tags,
    prod: release tags), before anything is pulled, built or touched."""
    return script_step(VERIFY_RELEASE, RELEASE_SCRIPT, (ENV, "$BRANCH_NAME", "$TAG_NAME"), wait_for=("-",), timeout=120)


def pool_guard(after: str) -> Step:
    """A build submitted by hand with --worker-pool (or any other pool) must not run our steps."""
    return shell_step(
        POOL_GUARD,
        (
            "set -Eeuo pipefail",
            'pool=$$(gcloud builds describe "$BUILD_ID" --region="$LOCATION" --format=\'value(options.pool.name)\')',
            f'[[ "$$pool" == "{WORKER_POOL}" ]] || {{ echo "pool-guard: FAIL: build runs on'
            " '$${pool:-no pool}', not the private pool\" >&2; exit 1; }",
        ),
        wait_for=(after,),
        timeout=120,
    )


def environment_stage(toolchain: str) -> Stage:
    env = script_step(
        ENV_VALIDATION,
        "validate-env-hipaa.sh",
        (ENV, "$PROJECT_ID", "${_VPC_SC_PERIMETER}", "${_KMS_KEYRING}", "${_SIEM_PROJECT_ID}"),
        wait_for=(toolchain,),
        timeout=900,
        # A gate like the others: a non-compliant environment refuses every deploy through the
        # verdict, and the build still goes on to its refused record (report and notification).
        allow_failure=True,
    )
    return Stage("environment validation", (env,))
