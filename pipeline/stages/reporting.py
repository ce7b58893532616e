"""The final PHI scan of the build log, then the compliance report and the security team's
notification, last.

The phi-detection gate scans the log before any deploy; the deploy and post-deploy steps log after
it. So the final scan (gate phi-log-scan, the same scan) reads the whole log and all evidence once
every other step has finished, and only then do the report and the notification leave the build.
The scan and the report have no waitFor, so by Cloud Build's rule each waits for every earlier step.
"""

from __future__ import annotations

from pipeline.contract import NOTIFY_SCRIPT, REPORT_SCRIPT
from pipeline.model import Stage
from pipeline.steps import script_step
from pipeline.substitutions import ENV, REPORT_URI

PHI_LOG_SCAN = "phi-log-scan"
COMPLIANCE_REPORT = "compliance-report"
NOTIFY_SECURITY = "notify-security"


def final_scan_stage() -> Stage:
    # The same scan as phi-detection (run-phi-log-scan.sh runs run-phi-detection.sh as this gate); it
    # waits until the log shows every passed gate's PASS line (Cloud Logging ingests late), so its
    # timeout allows for that wait.
    # It runs in the PHI scanner's image, as phi-detection does (built before phi-detection).
    scan = script_step(
        PHI_LOG_SCAN,
        "run-phi-log-scan.sh",
        (ENV, "$$OUTPUT_DIR", "$$EVIDENCE_DIR"),
        wait_for=(),
        timeout=240,
        image_key="phi-scanner",
    )
    return Stage("final PHI scan", (scan,))


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
