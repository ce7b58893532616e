#!/usr/bin/env bash
# Shared helpers for every script in scripts/: sourced, never run.
# shellcheck shell=bash

# die REASON [CODE]: one line on stderr, then exit non-zero (default 1).
die() {
  printf '%s: FAIL: %s\n' "${SCRIPT_NAME:-${0##*/}}" "$1" >&2
  exit "${2:-1}"
}

# log MESSAGE: progress on stderr, never data values that a scan could flag.
log() {
  printf '%s: %s\n' "${SCRIPT_NAME:-${0##*/}}" "$1" >&2
}
