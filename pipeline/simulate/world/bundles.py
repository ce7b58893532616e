"""The scanner data a job outside the perimeter mirrors into gs://$PROJECT_ID-artifacts.

- semgrep-rules/: manifest.json and one file per registry pack. The registry (semgrep.dev) is not
  reachable here, so each pack is a STAND-IN of two real-syntax rules in the pack's spirit, not the
  pack itself: a finding the real pack would make on this repository is not modelled.
- safety-db/: Safety 3.2's database files, in the recorded shape the script tests use
  (tests/scripts/fixtures/run-python-quality), stamped with the time the world is built.
"""

from __future__ import annotations

import json
from pathlib import Path

RECORDED = Path(__file__).resolve().parents[3] / "tests" / "scripts" / "fixtures" / "run-python-quality"
PACKS: dict[str, list[tuple[str, str | None, str]]] = {
    "security-audit": [
        ("subprocess-shell-true", "subprocess.$FUNC(..., shell=True, ...)", "subprocess with shell=True"),
        ("insecure-tempfile-mktemp", "tempfile.mktemp(...)", "tempfile.mktemp is racy"),
    ],
    "secrets": [
        ("hardcoded-gcp-api-key", None, "a Google API key in source"),
        ("private-key-block", None, "a private key in source"),
    ],
    "python": [
        ("use-of-eval", "eval(...)", "eval of dynamic input"),
        ("use-of-exec", "exec(...)", "exec of dynamic input"),
    ],
    "bandit": [
        ("yaml-unsafe-load", "yaml.load($X)", "yaml.load without a safe loader"),
        ("pickle-loads", "pickle.loads(...)", "pickle.loads of untrusted data"),
    ],
}
REGEXES = {
    "hardcoded-gcp-api-key": r"AIza[0-9A-Za-z_-]{35}",
    "private-key-block": r"-----BEGIN (RSA |EC )?PRIVATE KEY-----",
}


def _pack(name: str) -> str:
    lines = ["rules:"]
    for rule_id, pattern, message in PACKS[name]:
        lines += [f"  - id: {rule_id}", f"    message: {message}", "    severity: ERROR"]
        if pattern is None:
            lines += ["    languages: [generic]", f"    pattern-regex: '{REGEXES[rule_id]}'"]
        else:
            lines += ["    languages: [python]", f"    pattern: {pattern}"]
    return "\n".join(lines) + "\n"


def semgrep_bundle(fetched_at: float) -> dict[str, str]:
    files = {f"semgrep-rules/{name}.yml": _pack(name) for name in PACKS}
    files["semgrep-rules/manifest.json"] = json.dumps(
        {"fetched_at": int(fetched_at), "packs": [f"p/{n}" for n in PACKS]}
    )
    return files


def safety_database(stamp: float) -> dict[str, str]:
    files = {}
    for name in ("insecure.json", "insecure_full.json"):
        document = json.loads((RECORDED / f"safety-db-{name}").read_text(encoding="utf-8"))
        document["meta"]["timestamp"] = int(stamp)
        files[name] = json.dumps(document)
    return files
