"""What the generated steps, the scripts and the checks agree on (docs/contracts.md).

Kept apart from the stage modules so the checks judge a pipeline by the contract, not by how the
generator happens to build it.
"""

from __future__ import annotations

from infra.delivery.source_ref import SOURCE_BRANCH_ENV, SOURCE_TAG_ENV
from pipeline.gates import GATES

WORKSPACE = "/workspace"
EVIDENCE_DIR = f"{WORKSPACE}/evidence"
OUTPUT_DIR = f"{WORKSPACE}/outputs"
# Static tool binaries (jq, trivy, cosign, pulumi) copied out of pinned images by the toolchain step.
TOOL_BIN = f"{WORKSPACE}/bin"
VENV = f"{WORKSPACE}/.venv"

# The environment every script step receives (never secrets; those come through secretEnv).
STEP_ENV: tuple[str, ...] = (
    "BUILD_ID=$BUILD_ID",
    "BUILD_REGION=$LOCATION",
    "PROJECT_ID=$PROJECT_ID",
    f"EVIDENCE_DIR={EVIDENCE_DIR}",
    f"OUTPUT_DIR={OUTPUT_DIR}",
    "CLOUDSDK_CORE_DISABLE_PROMPTS=1",
)

# The ref the build was triggered from, for the Pulumi program (infra/delivery/source_ref.py): the
# preview and `pulumi up` record it on the drift trigger, which then checks out and previews that ref.
SOURCE_REF_ENV: tuple[str, ...] = (f"{SOURCE_BRANCH_ENV}=$BRANCH_NAME", f"{SOURCE_TAG_ENV}=$TAG_NAME")

# The ten scripts the requirement names; a pipeline that does not call each of them fails.
REQUIRED_SCRIPTS: tuple[str, ...] = (
    "deploy-gke-hipaa.sh",
    "deploy-dataproc-hipaa.sh",
    "run-pyspark-job.sh",
    "validate-encryption.sh",
    "validate-access-controls.sh",
    "validate-audit-logs.sh",
    "test-backup-restore.sh",
    "run-phi-detection.sh",
    "generate-compliance-report.sh",
    "configure-monitoring.sh",
)

RELEASE_SCRIPT = "verify-release.sh"
POOL_SCRIPT = "require-private-pool.sh"
# The first guards stop the build on purpose; this wrapper writes the refused build's record first.
GUARD_SCRIPT = "guard-with-record.sh"
# The deploy verdict (every deploy waits for a step that runs it over every pre-deploy gate and may not
# fail), and the wrapper that writes a refused build's record before that step stops the build.
VERDICT_SCRIPT = "require-gates-passed.sh"
REFUSED_SCRIPT = "when-refused.sh"
# generate-compliance-report.sh and notify-security.sh exit with this code when they did their job and
# the verdict they recorded is FAIL: the report uploaded, the notification published. Any other
# non-zero exit means the record itself failed.
RECORDED_FAIL_EXIT = 3
REPORT_SCRIPT = "generate-compliance-report.sh"
NOTIFY_SCRIPT = "notify-security.sh"
INFRA_SCRIPT = "deploy-infra.sh"
# The drift build (drift.cloudbuild.yaml): read-only previews of the stack, never a deploy.
DRIFT_CONFIG_NAME = "drift.cloudbuild.yaml"
DRIFT_SCRIPT = "check-drift.sh"

# Scripts that change an environment; in prod each calls require_prod_approval before anything else.
DEPLOYING_SCRIPTS: frozenset[str] = frozenset(
    {
        "deploy-infra.sh",
        "deploy-gke-hipaa.sh",
        "deploy-dataproc-hipaa.sh",
        "deploy-vertex-model.sh",
        "run-pyspark-job.sh",
        "run-dataproc-integration.sh",
        # Creates (replaces) a BigQuery ML model and registers it in Vertex AI.
        "validate-bqml-model.sh",
    }
)

# Gates that also change the environment: sign-image.sh attests the image (Binary Authorization then
# admits it to GKE), configure-monitoring.sh creates alert policies, metrics and the channel, and
# test-backup-restore.sh creates and deletes scratch tables. They stay gates in the graph (image
# signing must pass before the deploys), but in prod each calls require_prod_approval first, like a
# deploying script.
CHANGING_GATE_SCRIPTS: frozenset[str] = frozenset(
    {"sign-image.sh", "configure-monitoring.sh", "test-backup-restore.sh"}
)

# Every script that refuses to run in prod unless the build was approved (require_prod_approval).
APPROVING_SCRIPTS: frozenset[str] = DEPLOYING_SCRIPTS | CHANGING_GATE_SCRIPTS

# Gates that can only look at what was deployed, so they run after the deploys, not before them.
# phi-log-scan scans the log of every other step, the deploys' included, so it runs after all of them.
POST_DEPLOY_GATES: frozenset[str] = frozenset({"monitoring", "backup-restore", "dast", "phi-log-scan"})

# Every gate that must pass before anything is deployed: all gates that neither deploy nor inspect
# the deployment.
PRE_DEPLOY_GATES: tuple[str, ...] = tuple(
    g.id for g in GATES if g.script not in DEPLOYING_SCRIPTS and g.id not in POST_DEPLOY_GATES
)

# Inline shell is glue, not logic: at most five lines, at most eight commands (split on `;`, `&&`,
# `||` and newlines, so packing commands onto a line does not get round the line limit), and no
# line over 240 characters unless the whole text is one command (a script call with its arguments).
MAX_INLINE_SHELL_LINES = 5
MAX_INLINE_SHELL_COMMANDS = 8
MAX_INLINE_SHELL_LINE_CHARS = 240
MAX_STEPS = 100
MAX_TIMEOUT_SECONDS = 24 * 3600
# The build's own timeout: above the critical path (checked), well under Cloud Build's 24 h limit.
BUILD_TIMEOUT_SECONDS = 6 * 3600
