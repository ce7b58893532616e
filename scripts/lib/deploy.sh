#!/usr/bin/env bash
# Deploy-time helpers: sourced after core.sh by the scripts that change an environment
# (deploy-*.sh, run-iac-validation.sh, run-pyspark-job.sh, test-backup-restore.sh, the Dataproc
# scripts). Names come from facts.sh, generated from infra/naming.py.
# shellcheck shell=bash
[[ -z "${_HIPAA_DEPLOY_SH:-}" ]] || return 0
readonly _HIPAA_DEPLOY_SH=1

# env_keyring PROJECT_ID REGION: the environment's keyring (facts.sh, from infra/naming.py keyring_path).
env_keyring() {
  hipaa_keyring_path "${ENVIRONMENT:?ENVIRONMENT is not set}" "$1" "$2"
}

# require_deployer: sets DEPLOYER_ACCOUNT to the service account `pulumi preview` and `pulumi up`
# impersonate, as infra/naming.py deployer_account_email names it (through facts.sh), in the build's
# project, PROJECT_ID. The build account holds serviceAccountTokenCreator on it alone.
require_deployer() {
  [[ "${PROJECT_ID:-}" =~ $RE_PROJECT ]] ||
    die "PROJECT_ID='${PROJECT_ID:-}' is not a project id: cannot name the deployer account to impersonate"
  # shellcheck disable=SC2034  # read by the scripts that call this
  DEPLOYER_ACCOUNT=$(hipaa_deployer_account_email "${ENVIRONMENT:?ENVIRONMENT is not set}" "$PROJECT_ID")
}

# run_suffix: a short lowercase id from BUILD_ID, so names of scratch resources trace back to the build.
run_suffix() {
  local id=${BUILD_ID:-local}
  id=${id,,}
  id=${id//[^a-z0-9]/}
  [[ -n "$id" ]] || id=local
  printf '%s' "${id:0:8}"
}
