#!/usr/bin/env bash
# Refuses a build from the wrong ref, before anything else runs (no gate, no evidence):
#   dev      builds only from branch main (no tag);
#   staging  builds only from release-candidate tags v1.2.3-rc.1;
#   prod     builds only from release tags v1.2.3, and only once the build has been approved
#            (require_prod_approval: gcloud builds describe --format='value(approval.state)' prints
#            APPROVED; no jq, which this first step's Cloud SDK image does not have).
# The patterns equal RELEASE_REFS in infra/rules/delivery.py, which the triggers are built from;
# tests/scripts/test_verify_release.py reads both and compares them. Cloud Build passes an empty
# string for a built-in it does not have (TAG_NAME on a branch push, BRANCH_NAME on a tag), so
# empty values are legitimate here: the number of arguments is checked, not their emptiness.
# Exit 0: the ref is right for ENV; 1: refused, with one line saying why; 2: usage.
set -Eeuo pipefail
SCRIPT_NAME=verify-release.sh
USAGE="verify-release.sh ENV BRANCH_NAME TAG_NAME"
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"

readonly REF_DEV='^main$'
readonly REF_STAGING='^v[0-9]+\.[0-9]+\.[0-9]+-rc\.[0-9]+$'
readonly REF_PROD='^v[0-9]+\.[0-9]+\.[0-9]+$'

(($# == 3)) || usage_error "expected 3 arguments (BRANCH_NAME or TAG_NAME may be empty), got $#"
require_environment "$1"
BRANCH=$2
TAG=$3

case "$ENVIRONMENT" in
  dev)
    [[ -z "$TAG" ]] || die "dev builds only from branch main, not from tag '${TAG}'"
    [[ "$BRANCH" =~ $REF_DEV ]] || die "dev builds only from branch main, not from branch '${BRANCH}'"
    ref="branch ${BRANCH}"
    ;;
  staging)
    [[ -z "$BRANCH" ]] || die "staging builds only from release-candidate tags (v1.2.3-rc.1), not from branch '${BRANCH}'"
    [[ "$TAG" =~ $REF_STAGING ]] || die "staging builds only from release-candidate tags (v1.2.3-rc.1), not from tag '${TAG}'"
    ref="tag ${TAG}"
    ;;
  prod)
    [[ -z "$BRANCH" ]] || die "prod builds only from release tags (v1.2.3), not from branch '${BRANCH}'"
    [[ "$TAG" =~ $REF_PROD ]] || die "prod builds only from release tags (v1.2.3), not from tag '${TAG}'"
    require_prod_approval
    ref="tag ${TAG}"
    ;;
esac
log "${ENVIRONMENT} may build from ${ref}"
