"""The fake cloud one simulated build talks to, built from the stack's offline plan.

State lives in <run>/world/state.json (one JSON document, read and written under a file lock, as
steps run in parallel); Cloud Storage objects under <run>/world/gcs/. The fake CLIs (gcloud, bq,
gsutil, kubectl, docker, trivy, cosign, pulumi, prowler, ZAP) are one entry point, main.py, that
dispatches on the command line through a table of handlers (cli.py). A command line no handler
models exits 1 with `fake world: unmodelled command: ...` and is recorded, never answered with a
silent success. This package imports only the standard library: each fake call starts a fresh
interpreter.
"""
