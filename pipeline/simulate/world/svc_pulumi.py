"""pulumi (login, preview, up, version) and prowler, answered from the world and the workspace.

`pulumi preview` and `pulumi up` run the workspace's own program the only way this machine can:
`python -m infra plan --stack ENV --json` with the build's virtualenv (the SDK's mock engine and
every HIPAA rule, which the policy pack also enforces). Its resources become the preview's steps
(or the update's events, each `same`: the world already is what the program plans); a rule
violation becomes a mandatory policy diagnostic and exit 255, as the policy pack makes it.
Prowler's hipaa_gcp checks run over the world's state.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from pipeline.simulate.world.args import parse
from pipeline.simulate.world.call import Call, RefusedError, Table
from pipeline.simulate.world.prowler_checks import findings

PULUMI_VERSION = "v3.272.0"


def version(call: Call) -> int:
    parse(call.argv, gcloud=False)
    call.out.write(PULUMI_VERSION + "\n")
    return 0


def login(call: Call) -> int:
    args = parse(call.argv, positional=(1, 1), switches=("--non-interactive",), gcloud=False)
    url = args.positional[0]
    with call.state() as state:
        bucket = url.removeprefix("gs://").split("/")[0]
        if not url.startswith("gs://") or bucket not in state["storage"]["buckets"]:
            raise RefusedError(f"problem logging in: unable to open bucket {url}: storage: bucket doesn't exist")
        state["pulumi"]["backend"] = url
    call.out.write(f"Logged in to {url}\n")
    return 0


def _program(call: Call, stack: str, cwd: Path, policy_pack: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The workspace program's planned resources and its rule violations, or RefusedError."""
    with call.state(write=False) as state:
        if not state["pulumi"].get("backend"):
            raise RefusedError("error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions")
        if stack != state["env"]["environment"]:
            raise RefusedError(f"error: no stack named '{stack}' found")
        accounts = {a["email"] for a in state["serviceAccounts"]}
    impersonated = os.environ.get("GOOGLE_IMPERSONATE_SERVICE_ACCOUNT", "")
    if impersonated not in accounts:
        raise RefusedError(f"error: impersonating service account {impersonated!r}: not found or no permission")
    if not (cwd / policy_pack / "PulumiPolicy.yaml").is_file():
        raise RefusedError(f"error: no PulumiPolicy.yaml in policy pack {policy_pack}")
    python = cwd / ".venv" / "bin" / "python"
    if not python.exists():
        raise RefusedError("error: failed to run the Python program: no virtualenv at .venv (python-venv step)")
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "plan.json"
        completed = subprocess.run(
            [str(python), "-m", "infra", "plan", "--stack", stack, "--json", str(out)],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
        if completed.returncode not in (0, 1) or not out.exists():
            first = (completed.stderr.strip().splitlines() or ["no output"])[-1]
            raise RefusedError(f"error: an unhandled error occurred: program failed: {first[:200]}")
        steps = json.loads(out.read_text(encoding="utf-8"))["steps"]
    violations = [
        line.removeprefix("violation ") for line in completed.stdout.splitlines() if line.startswith("violation ")
    ]
    return steps, violations


def preview(call: Call) -> int:
    args = parse(
        call.argv, values=("--stack", "--policy-pack", "--cwd"), switches=("--json", "--non-interactive"), gcloud=False
    )
    cwd = Path(args.value("--cwd") or ".").resolve()
    steps, violations = _program(call, args.require("--stack"), cwd, args.require("--policy-pack"))
    diagnostics = [{"severity": "error", "message": f"mandatory: [hipaa] {v}"} for v in violations]
    document = {"steps": steps, "diagnostics": diagnostics, "changeSummary": {"same": len(steps)}}
    call.out.write(json.dumps(document, indent=2) + "\n")
    return 255 if violations else 0


def up(call: Call) -> int:
    values = ("--stack", "--policy-pack", "--cwd", "--message", "--skip-preview")
    switches = ("--yes", "--json", "--non-interactive", "--suppress-outputs")
    args = parse(call.argv, values=values, switches=switches, gcloud=False)
    cwd = Path(args.value("--cwd") or ".").resolve()
    steps, violations = _program(call, args.require("--stack"), cwd, args.require("--policy-pack"))
    events: list[dict[str, Any]] = [{"sequence": 0, "preludeEvent": {"config": {}}}]
    for violation in violations:
        events.append(
            {
                "policyEvent": {
                    "policyName": violation.split(" ", 1)[0],
                    "policyPackName": "hipaa",
                    "enforcementLevel": "mandatory",
                    "message": violation,
                    "resourceUrn": violation.split(" ")[1] if " " in violation else "",
                }
            }
        )
    if not violations:
        for step in steps:
            events.append(
                {"resOutputsEvent": {"metadata": {"op": "same", "urn": step["urn"], "type": step["newState"]["type"]}}}
            )
        events.append(
            {
                "summaryEvent": {
                    "maybeCorrupt": False,
                    "durationSeconds": 1,
                    "resourceChanges": {"same": len(steps)},
                    "isPreview": False,
                }
            }
        )
        with call.state() as state:
            state["pulumi"]["updates"] = state["pulumi"].get("updates", 0) + 1
    for index, event in enumerate(events):
        call.out.write(json.dumps({"sequence": index, **event}) + "\n")
    return 255 if violations else 0


def prowler(call: Call) -> int:
    values = ("--project-id", "--compliance", "--output-formats", "--output-directory", "--output-filename")
    args = parse(call.argv, values=values, switches=("--no-banner",), gcloud=False)
    if args.require("--compliance") != "hipaa_gcp" or args.require("--output-formats") != "json-ocsf":
        raise RefusedError("fake world: only `--compliance hipaa_gcp --output-formats json-ocsf` is modelled")
    with call.state(write=False) as state:
        if args.require("--project-id") != state["env"]["project"]:
            raise RefusedError(f"Project {args.value('--project-id')} not found or not accessible")
        results = findings(state)
    out = Path(args.require("--output-directory"))
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{args.require('--output-filename')}.ocsf.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 3 if any(f["status_code"] == "FAIL" for f in results) else 0


PULUMI: Table = {("version",): version, ("login",): login, ("preview",): preview, ("up",): up}
PROWLER: Table = {("gcp",): prowler}
