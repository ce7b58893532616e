#!/usr/bin/env bash
# Builds the Makefile's virtualenvs in the build, from the environment's Artifact Registry PyPI mirror
# (the private pool has no route to PyPI): exactly the pinned sets `make test` uses locally.
#   gcloud auth print-access-token            the mirror's short-lived token, into a private netrc
#                                             file (NETRC) removed on exit, never on a command line
#   python3 -m venv --without-pip DIR         when DIR/bin/python is missing: the Cloud SDK image's
#   python3 -m pip --python DIR/bin/python install pip==PIP_VERSION
#                                             Debian python3 has no ensurepip (python3-venv is not
#                                             installed), so the venv gets pip from the system pip
#   make TARGET PYTHON=python3                the Makefile's own rule (then finds DIR/bin/python)
# TARGET is one of the Makefile's `<dir>/.installed` targets. Exit 0: every target built; 1: a step
# failed (named); 2: usage.
set -Eeuo pipefail
SCRIPT_NAME="build-virtualenvs.sh"
USAGE="build-virtualenvs.sh ENV PIP_INDEX_URL TARGET..."
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"

readonly RE_INDEX_URL='^https://([a-z0-9.-]+)/[^[:space:]]*$'
readonly RE_TARGET='^\.(venv|venv-tools|tools/[a-z0-9-]+)/\.installed$'
# The pip the Makefile upgrades every virtualenv to; the bootstrap installs it directly.
readonly PIP_VERSION=25.3

require_args 3 "$@"
require_environment "$1"
[[ "$2" =~ $RE_INDEX_URL ]] || usage_error "PIP_INDEX_URL='$2' is malformed (https://host/...)"
PIP_HOST=${BASH_REMATCH[1]}
export PIP_INDEX_URL=$2
targets=("${@:3}")
for target in "${targets[@]}"; do
  require_match TARGET "$target" "$RE_TARGET"
done

require_tool python3 gcloud make
cd "$REPO_ROOT"
# The system interpreter, resolved once: the step's PATH starts with .venv/bin, so once the loop has
# made .venv a later bare python3 would be the new, pip-less virtualenv's own.
bootstrap_python=$(command -v python3)
work=""
make_workdir work
token=""
capture_text token "mirror token" gcloud auth print-access-token
[[ -n "${token//[[:space:]]/}" ]] || die "mirror token: gcloud printed no access token"
(umask 077 && printf 'machine %s login oauth2accesstoken password %s\n' "$PIP_HOST" "$token" >"${work}/netrc")
unset token
export NETRC="${work}/netrc"

for target in "${targets[@]}"; do
  dir=${target%/.installed}
  if [[ ! -x "${dir}/bin/python" ]]; then
    run_quiet "virtualenv ${dir}" "$bootstrap_python" -m venv --without-pip "$dir"
    run_quiet "pip for ${dir}" "$bootstrap_python" -m pip --python "${dir}/bin/python" install --quiet \
      --disable-pip-version-check "pip==${PIP_VERSION}"
  fi
  rc=0
  make --no-print-directory "$target" PYTHON=python3 >&2 || rc=$?
  ((rc == 0)) || die "make ${target} failed (exit ${rc})"
  [[ -f "$target" ]] || die "make ${target} left no ${target}"
  log "built ${dir}"
done
