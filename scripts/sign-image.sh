#!/usr/bin/env bash
# Gate image-signing: the pushed image, pinned by digest, is signed with Cosign and the Cloud KMS
# key, the signature verifies, and a Binary Authorization attestation by ATTESTOR exists for it,
# so GKE's Binary Authorization policy admits this image and nothing unsigned.
#
# Cosign 2.x with Cloud KMS (key version 1 of SIGNING_KEY):
#   cosign sign --key gcpkms://<key>/cryptoKeyVersions/1 --tlog-upload=false --yes IMAGE
#   cosign verify --key gcpkms://<key>/cryptoKeyVersions/1 --insecure-ignore-tlog=true IMAGE
# The private pool has no route to the public Rekor log (and image digests of a PHI platform do not
# belong in a public log), so nothing is uploaded and verification skips the tlog; the signature
# itself is still verified against the KMS public key. cosign verify prints the verified payloads
# as a JSON array: each must name this image's digest. Then
#   gcloud beta container binauthz attestations sign-and-create --artifact-url IMAGE --attestor ATTESTOR
#       --keyversion <key>/cryptoKeyVersions/1
#   gcloud container binauthz attestations list --attestor ATTESTOR --artifact-url IMAGE --format=json
# and the list must hold an attestation for exactly this image signed by that key version.
# sign-and-create exists on the beta (and alpha) track only: the GA gcloud answers "Invalid choice".
# The step image pins cloud-sdk 540.0.0, whose google-cloud-cli package ships the beta track
# (configure-monitoring.sh uses it too); one call that builds the payload, signs it with the KMS key
# version (whatever its algorithm) and creates the attestation, instead of re-doing that here with
# `kms asymmetric-sign` and `attestations create --signature-file`.
# checked = signatures verified + attestations found. In prod, nothing is signed or attested unless
# the build was approved (require_prod_approval).
set -Eeuo pipefail
SCRIPT_NAME=sign-image.sh
USAGE="sign-image.sh ENV PROJECT_ID IMAGE_REF_WITH_DIGEST SIGNING_KEY ATTESTOR"
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"

readonly RE_ATTESTOR='^projects/([a-z][a-z0-9-]{4,28}[a-z0-9])/attestors/[A-Za-z0-9_-]{1,63}$'

require_args 5 "$@"
require_environment "$1"
require_match PROJECT_ID "$2" "$RE_PROJECT"
require_match IMAGE_REF_WITH_DIGEST "$3" "$RE_IMAGE_DIGEST"
require_match SIGNING_KEY "$4" "$RE_CRYPTO_KEY"
require_match ATTESTOR "$5" "$RE_ATTESTOR"
PROJECT=$2
IMAGE=$3
ATTESTOR=$5
[[ "$ATTESTOR" =~ $RE_ATTESTOR && "${BASH_REMATCH[1]}" == "$PROJECT" ]] || usage_error "ATTESTOR='${ATTESTOR}' is not in project ${PROJECT}"
KEY_VERSION="${4}/cryptoKeyVersions/1"
KMS_URI="gcpkms://${KEY_VERSION}"
DIGEST=${IMAGE##*@}
REPOSITORY=${IMAGE%@*}

gate_begin image-signing "cosign/gcloud/jq"
require_tool cosign gcloud jq
# The attestation is what lets Binary Authorization admit the image to prod GKE: approved builds only.
require_prod_approval
work=""
make_workdir work

run_quiet "cosign sign" cosign sign --key "$KMS_URI" --tlog-upload=false --yes "$IMAGE"
verified=""
capture_json_array verified "cosign verify" cosign verify --key "$KMS_URI" --insecure-ignore-tlog=true "$IMAGE"
printf '%s' "$verified" >"$work/verified.json"
signatures=$(jq --arg digest "$DIGEST" --arg repository "$REPOSITORY" '[.[]
  | select(.critical.image["docker-manifest-digest"] == $digest
      and .critical.identity["docker-reference"] == $repository)] | length' "$work/verified.json")
# An image whose signature does not verify is never attested.
((signatures > 0)) || die "cosign: no signature by ${KEY_VERSION} verified for ${IMAGE}"
checked "$signatures"

run_quiet "binauthz attestation" gcloud beta container binauthz attestations sign-and-create \
  --artifact-url "$IMAGE" --attestor "$ATTESTOR" --keyversion "$KEY_VERSION" --project "$PROJECT"
attestations=""
capture_json_array attestations "binauthz attestation list" gcloud container binauthz attestations list \
  --attestor "$ATTESTOR" --artifact-url "$IMAGE" --project "$PROJECT" --format=json
printf '%s' "$attestations" >"$work/attestations.json"
found=$(jq --arg uri "https://${IMAGE}" --arg key "//cloudkms.googleapis.com/v1/${KEY_VERSION}" '[.[]
  | select(.resourceUri == $uri and any(.attestation.signatures[]?; .publicKeyId == $key))] | length' \
  "$work/attestations.json")
((found > 0)) || die "binauthz: no attestation by ${ATTESTOR} signed with ${KEY_VERSION} for ${IMAGE}"
checked "$found"
log "image-signing: ${signatures} signatures verified, ${found} attestations found for ${DIGEST}"

gate_finish
