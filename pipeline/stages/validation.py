"""Release and environment validation: the right ref, the right pool, a compliant environment."""

from __future__ import annotations

from pipeline.contract import GUARD_SCRIPT, POOL_SCRIPT, RELEASE_SCRIPT
from pipeline.model import Stage, Step
from pipeline.steps import script_step
from pipeline.substitutions import ENV, WORKER_POOL

VERIFY_RELEASE = "verify-release"
POOL_GUARD = "pool-guard"
ENV_VALIDATION = "env-validation"


def release_stage() -> Stage:
    verify = verify_release(record=True)
    return Stage("release", (verify, pool_guard(after=VERIFY_RELEASE, record=True)))


def _record(step_id: str, record: bool) -> tuple[str, ...]:
    """The wrapper that writes a refused build's record when the guard refuses (the pipeline's own
    build); the drift build has no compliance report, its record is the drift alert."""
    if not record:
        return ()
    return (GUARD_SCRIPT, ENV, step_id, "${_COMPLIANCE_BUCKET}", "${_SECURITY_PROJECT_ID}")


def verify_release(record: bool) -> Step:
    """First: refuse a build from a ref the environment does not deploy (dev: main, staging: rc tags,
    prod: release tags), before anything is pulled, built or touched."""
    return script_step(
        VERIFY_RELEASE,
        RELEASE_SCRIPT,
        (ENV, "$BRANCH_NAME", "$TAG_NAME"),
        wait_for=("-",),
        timeout=120,
        wrapper=_record(VERIFY_RELEASE, record),
    )


def pool_guard(after: str, record: bool) -> Step:
    """A build submitted by hand with --worker-pool (or any other pool) must not run our steps."""
    return script_step(
        POOL_GUARD, POOL_SCRIPT, (ENV, WORKER_POOL), wait_for=(after,), timeout=120, wrapper=_record(POOL_GUARD, record)
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
