#!/usr/bin/env bash
# Gate phi-log-scan: the PHI scan of run-phi-detection.sh again, as its own gate, after every other
# step and just before the compliance report and the notification leave the build. phi-detection
# scans the log before any deploy; this scan reads the whole build log (the deploy and post-deploy
# steps' output included) and all evidence, and first waits until Cloud Logging shows the PASS line
# of every gate whose evidence passed (see run-phi-detection.sh).
set -Eeuo pipefail
SCRIPT_NAME=run-phi-log-scan.sh
USAGE="run-phi-log-scan.sh ENV PATH...   (files or directories to scan along with the whole build log)"
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"

require_args 2 "$@"
require_environment "$1"
# exec: the scan's exit code, evidence and one-line reason are this gate's.
PHI_GATE_ID=phi-log-scan exec "$(dirname "${BASH_SOURCE[0]}")/run-phi-detection.sh" "$@"
