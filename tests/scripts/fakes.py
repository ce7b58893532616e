"""Fake cloud tools for script tests: every external tool a script may call is shadowed on PATH.

A fake answers a call from the first rule whose tokens all appear in the call's arguments, in
order; a call no rule matches exits 99 with `fake <tool>: unexpected call`, so a script can never
reach the real `gcloud` (or pass because a tool quietly printed nothing). Every call is logged,
so a test can assert what a script did (e.g. that it rolled back) as well as how it exited.

    tools = FakeTools(tmp_path)
    tools.on("gcloud", ["storage", "buckets", "list"], stdout=[{"name": "b"}])  # JSON-encoded
    tools.on("kubectl", ["rollout", "status"], exit=1, stderr="timed out", times=1)
    result = tools.run("validate-encryption.sh", "prod", "nwh-analytics-prd", ...)
    assert result.returncode == 1 and tools.called("kubectl", "rollout", "undo")
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = PROJECT_ROOT / "scripts"
# Every external command a script may run, besides jq and coreutils: all are faked, always.
FAKED_TOOLS = (
    "gcloud",
    "bq",
    "gsutil",
    "kubectl",
    "trivy",
    "semgrep",
    "prowler",
    "cosign",
    "docker",
    "pulumi",
    "checkov",
    "zap-baseline.py",
    "zap-api-scan.py",
    "pylint",
    "mypy",
    "bandit",
    "pip-audit",
    "safety",
    "ruff",
    "pytest",
    "curl",
)
APPROVED_BUILD = {"id": "b-123", "status": "WORKING", "approval": {"state": "APPROVED"}}

_FAKE = r'''#!{python}
"""Fake {tool}: answers from $FAKE_SPEC, logs to $FAKE_LOG, refuses unexpected calls."""
import json, os, sys

tool, argv = {tool!r}, sys.argv[1:]
spec_path, log_path = os.environ["FAKE_SPEC"], os.environ["FAKE_LOG"]
with open(log_path, "a", encoding="utf-8") as log:
    log.write(json.dumps({{"tool": tool, "argv": argv}}) + "\n")
with open(spec_path, encoding="utf-8") as handle:
    spec = json.load(handle)

def matches(tokens, args):
    position = 0
    for token in tokens:
        try:
            position = args.index(token, position) + 1
        except ValueError:
            return False
    return True

for index, rule in enumerate(spec.get(tool, [])):
    if rule.get("times") == 0 or not matches(rule["match"], argv):
        continue
    if rule.get("times") is not None:
        rule["times"] -= 1
        with open(spec_path, "w", encoding="utf-8") as handle:
            json.dump(spec, handle)
    for path, content in rule.get("writes", {{}}).items():
        # "@--output" names the file given after the --output flag; anything else is a path.
        target = argv[argv.index(path[1:]) + 1] if path.startswith("@") else os.path.expandvars(path)
        with open(target, "w", encoding="utf-8") as out:
            out.write(content)
    sys.stdout.write(rule.get("stdout", ""))
    sys.stderr.write(rule.get("stderr", ""))
    sys.exit(rule.get("exit", 0))
sys.stderr.write("fake " + tool + ": unexpected call: " + " ".join(argv) + "\n")
sys.exit(99)
'''


@dataclass
class Call:
    tool: str
    argv: list[str]


@dataclass
class FakeTools:
    """A directory of fake tools plus the rules they answer with."""

    root: Path
    rules: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.bin = self.root / "fakebin"
        self.bin.mkdir(parents=True, exist_ok=True)
        self.evidence = self.root / "evidence"
        self.spec = self.root / "fake-spec.json"
        self.log = self.root / "fake-calls.jsonl"
        for tool in FAKED_TOOLS:
            path = self.bin / tool
            path.write_text(_FAKE.format(python=sys.executable, tool=tool), encoding="utf-8")
            path.chmod(0o755)

    def on(
        self,
        tool: str,
        match: list[str],
        *,
        stdout: Any = "",
        stderr: str = "",
        exit: int = 0,
        times: int | None = None,
        writes: dict[str, str] | None = None,
    ) -> FakeTools:
        """Answer calls of `tool` whose arguments contain `match` in order. Non-str stdout is JSON.

        `times` limits how often the rule answers (later rules then take over); `writes` maps a
        path (`$VAR` expanded, or `@--flag` for the path given after that flag) to file content.
        """
        if tool not in FAKED_TOOLS:
            raise ValueError(f"{tool} is not a faked tool; add it to FAKED_TOOLS")
        text = stdout if isinstance(stdout, str) else json.dumps(stdout)
        rule: dict[str, Any] = {"match": match, "stdout": text, "stderr": stderr, "exit": exit}
        if times is not None:
            rule["times"] = times
        if writes:
            rule["writes"] = writes
        self.rules.setdefault(tool, []).append(rule)
        return self

    def approve_build(self, state: str = "APPROVED") -> FakeTools:
        """The answer require_prod_approval reads: `gcloud builds describe` with an approval state."""
        return self.on("gcloud", ["builds", "describe"], stdout={**APPROVED_BUILD, "approval": {"state": state}})

    def run(self, script: str, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> Result:
        """Run scripts/<script> (or a path) with the fakes first on PATH and an evidence directory."""
        self.spec.write_text(json.dumps(self.rules), encoding="utf-8")
        environment = {
            "PATH": f"{self.bin}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
            "HOME": str(self.root),
            "FAKE_SPEC": str(self.spec),
            "FAKE_LOG": str(self.log),
            "EVIDENCE_DIR": str(self.evidence),
            "BUILD_ID": "b-123",
            "PROJECT_ID": "nwh-analytics-prd",
            "CLOUDSDK_CORE_DISABLE_PROMPTS": "1",
            "PYTHON": sys.executable,
            **(env or {}),
        }
        completed = subprocess.run(
            ["bash", str(SCRIPTS / script) if "/" not in script else script, *args],
            capture_output=True,
            text=True,
            env=environment,
            cwd=cwd or PROJECT_ROOT,
            timeout=60,
            check=False,
        )
        return Result(completed.returncode, completed.stdout, completed.stderr, self)

    def calls(self, tool: str | None = None) -> list[Call]:
        if not self.log.exists():
            return []
        entries = [json.loads(line) for line in self.log.read_text(encoding="utf-8").splitlines()]
        return [Call(e["tool"], e["argv"]) for e in entries if tool is None or e["tool"] == tool]

    def called(self, tool: str, *tokens: str) -> bool:
        """Whether some call of `tool` had all `tokens` among its arguments."""
        return any(all(t in call.argv for t in tokens) for call in self.calls(tool))

    def evidence_of(self, gate: str) -> dict[str, Any]:
        path = self.evidence / f"{gate}.json"
        assert path.is_file(), f"no evidence written for gate {gate}"
        document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return document


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str
    tools: FakeTools

    @property
    def reason(self) -> str:
        """The last line on stderr: the one-line reason every failure must give."""
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        return lines[-1] if lines else ""
