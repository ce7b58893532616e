"""The build's record: the final PHI scan of the build log, the compliance report and the security
team's notification, written for every build whose gates ran, refused or deployed.

The gates run with `allowFailure`, so a failed gate lets the build go on to its record. Cloud Build
stops a build at its first failing step that is not allowed to fail, and starts no step after it, so
a refused build must write its record before the step that refuses the deploys:

    pre-deploy gates (allowFailure) -> refused-phi-log-scan -> refused-report -> refused-notify
        -> gates-passed (require-gates-passed.sh over every pre-deploy gate; may not fail) -> deploys
        -> post-deploy gates (allowFailure) -> phi-log-scan -> compliance-report -> notify-security

The refused-* steps run their script through when-refused.sh: only when the verdict refuses; when the
gates passed they do nothing and the same scripts run after the deploys instead. The report and the
notification exit RECORDED_FAIL_EXIT once they recorded a FAIL (allowed by allowExitCodes where the
build must go on: every refused-* step, and the final report so the notification still leaves); any
other failure of theirs stops the build. The final notification may not fail: a FAIL it published
makes the build FAILURE.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.contract import NOTIFY_SCRIPT, RECORDED_FAIL_EXIT, REFUSED_SCRIPT, REPORT_SCRIPT, VERDICT_SCRIPT
from pipeline.model import Stage, Step
from pipeline.steps import script_step
from pipeline.substitutions import ENV, REPORT_URI

PHI_LOG_SCAN = "phi-log-scan"
COMPLIANCE_REPORT = "compliance-report"
NOTIFY_SECURITY = "notify-security"
REFUSED_PREFIX = "refused-"
GATES_PASSED = "gates-passed"
_SCAN_ARGS = (ENV, "$$OUTPUT_DIR", "$$EVIDENCE_DIR")
_REPORT_ARGS = (ENV, "${_COMPLIANCE_BUCKET}")
_NOTIFY_ARGS = (ENV, "${_SECURITY_PROJECT_ID}", REPORT_URI)
_COMMIT_ENV = ("COMMIT_SHA=$COMMIT_SHA",)  # the message names the commit that was built
# The scan waits until the log shows every passed gate's PASS line (Cloud Logging ingests late), so
# its timeout allows for that wait.
_TIMEOUTS = {PHI_LOG_SCAN: 240, COMPLIANCE_REPORT: 600, NOTIFY_SECURITY: 300}


def _record(prefix: str, after: Sequence[str], refused: bool) -> tuple[Step, Step, Step]:
    wrapper = (REFUSED_SCRIPT, ENV) if refused else ()
    scan, report, notify = (
        (f"{prefix}{PHI_LOG_SCAN}", f"{prefix}report", f"{prefix}notify")
        if refused
        else (
            PHI_LOG_SCAN,
            COMPLIANCE_REPORT,
            NOTIFY_SECURITY,
        )
    )
    return (
        script_step(
            scan,
            "run-phi-log-scan.sh",
            _SCAN_ARGS,
            wait_for=after,
            timeout=_TIMEOUTS[PHI_LOG_SCAN],
            wrapper=wrapper,
            allow_failure=True,
            # The same scanner as phi-detection, in its image (built before phi-detection).
            image_key="phi-scanner",
        ),
        script_step(
            report,
            REPORT_SCRIPT,
            _REPORT_ARGS,
            wait_for=(scan,),
            timeout=_TIMEOUTS[COMPLIANCE_REPORT],
            wrapper=wrapper,
            allow_exit_codes=(RECORDED_FAIL_EXIT,),
        ),
        script_step(
            notify,
            NOTIFY_SCRIPT,
            _NOTIFY_ARGS,
            wait_for=(report,),
            timeout=_TIMEOUTS[NOTIFY_SECURITY],
            extra_env=_COMMIT_ENV,
            wrapper=wrapper,
            allow_exit_codes=(RECORDED_FAIL_EXIT,) if refused else (),
        ),
    )


def verdict_stage(gates: Sequence[str]) -> Stage:
    """The refused build's record, then the verdict every deploy waits for."""
    scan, report, notify = _record(REFUSED_PREFIX, after=gates, refused=True)
    verdict = script_step(GATES_PASSED, VERDICT_SCRIPT, (ENV, *gates), wait_for=(notify.id,), timeout=60)
    return Stage("deploy verdict", (scan, report, notify, verdict))


def stage() -> Stage:
    """The record of a build whose gates passed: after every other step (no waitFor: all earlier steps)."""
    return Stage("report and notify", _record("", after=(), refused=False))
