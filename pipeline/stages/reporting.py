"""The compliance report and the security team's notification, last.

The report step has no waitFor, so by Cloud Build's rule it waits for every earlier step.
"""

from __future__ import annotations

from pipeline.contract import NOTIFY_SCRIPT, REPORT_SCRIPT
from pipeline.model import Stage
from pipeline.steps import script_step
from pipeline.substitutions import ENV, REPORT_URI

COMPLIANCE_REPORT = "compliance-report"
NOTIFY_SECURITY = "notify-security"


def stage() -> Stage:
    report = script_step(COMPLIANCE_REPORT, REPORT_SCRIPT, (ENV, "${_COMPLIANCE_BUCKET}"), wait_for=(), timeout=600)
    notify = script_step(
        NOTIFY_SECURITY,
        NOTIFY_SCRIPT,
        (ENV, "${_SECURITY_PROJECT_ID}", REPORT_URI),
        wait_for=(COMPLIANCE_REPORT,),
        timeout=300,
        extra_env=("COMMIT_SHA=$COMMIT_SHA",),  # the message names the commit that was built
    )
    return Stage("report and notify", (report, notify))
