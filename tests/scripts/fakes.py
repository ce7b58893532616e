"""Fake cloud tools for script tests: every external tool a script may call is shadowed on PATH.

A fake answers a call from the first rule whose tokens all appear in the call's arguments, in
order; a call no rule matches exits 99 with `fake <tool>: unexpected call`, so a script can never
reach the real `gcloud` (or pass because a tool quietly printed nothing). Every call is logged,
so a test can assert what a script did (e.g. that it rolled back) as well as how it exited, and
every gcloud, bq, gsutil and kubectl command line a fake answered must also pass the real CLI's
parser (tests/scripts/cli_conformance.py checks them at the end of the run).

    tools = FakeTools(tmp_path)
    tools.on("gcloud", ["storage", "buckets", "list"], stdout=[{"name": "b"}])  # JSON-encoded
    tools.on("kubectl", ["rollout", "status"], exit=1, stderr="timed out", times=1)
    result = tools.run("validate-encryption.sh", "prod", "nwh-analytics-prd", ...)
    assert result.returncode == 1 and tools.called("kubectl", "rollout", "undo")
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.images import IMAGES
from tests.scripts import cli_calls, warm_python

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
    "docker-buildx",
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
# How require_prod_approval (scripts/lib/gate.sh) asks for the state: gcloud's own projection, no jq.
APPROVAL_QUERY = ("builds", "describe", "--format=value(approval.state)")
# The jq the pipeline runs (pipeline/images.py): `make test` puts it here (.ci/build-jq), the machine's
# own when that is the same version, else built from source. Scripts run with it ahead of any other jq.
JQ_BIN = PROJECT_ROOT / ".tools" / "jq" / "bin"
# The line scripts/lib/core.sh's ERR trap dies with.
SWALLOWED_FAILURE = "unexpected failure at line "

# The fakes are small bash programs written for each run, not Python: a test runs hundreds of
# tool calls, and a bash fake answers in a few milliseconds where an interpreter takes twenty.
_PRELUDE = r"""#!/usr/bin/env bash
# Fake {tool_q}, written by tests/scripts/fakes.py for one test: answers from its rules, logs each call.
printf '%s\0' {tool_q} "$@" >>"$FAKE_LOG"
printf '\036' >>"$FAKE_LOG"
# _in_order N TOKEN... ARG...: the N tokens appear among the arguments, in this order.
_in_order() {{
  local n=$1 i=0 a
  shift
  local -a tokens=("${{@:1:n}}")
  shift "$n"
  for a in "$@"; do
    if ((i < n)) && [[ $a == "${{tokens[i]}}" ]]; then i=$((i + 1)); fi
  done
  ((i == n))
}}
# _take FILE: a rule limited by `times` answers while its counter is above zero.
_take() {{
  [[ -f $1 ]] || return 0
  local left
  left=$(<"$1")
  ((left > 0)) || return 1
  printf '%s' "$((left - 1))" >"$1"
}}
# _after FLAG ARG...: the argument that follows FLAG.
_after() {{
  local flag=$1
  shift
  while (($#)); do
    if [[ $1 == "$flag" ]]; then
      printf '%s' "${{2-}}"
      return 0
    fi
    shift
  done
  return 1
}}
"""
_UNEXPECTED = """printf 'fake %s: unexpected call: %s\\n' {tool_q} "$*" >&2
exit 99
"""


@dataclass
class Call:
    tool: str
    argv: list[str]


@dataclass
class FakeTools:
    """A directory of fake tools plus the rules they answer with."""

    root: Path
    rules: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)
    _recorded: int = 0  # calls already handed to cli_calls, which the real CLIs' parsers check

    def __post_init__(self) -> None:
        self.bin = self.root / "fakebin"
        self.bin.mkdir(parents=True, exist_ok=True)
        self.evidence = self.root / "evidence"
        self.answers = self.root / "fake-answers"
        self.log = self.root / "fake-calls.log"
        self._write_fakes()

    def _write_fakes(self) -> None:
        """One bash program per tool, its rules compiled in, in the order they were given."""
        shutil.rmtree(self.answers, ignore_errors=True)
        self.answers.mkdir(parents=True)
        for tool in FAKED_TOOLS:
            if tool in self.missing:
                (self.bin / tool).unlink(missing_ok=True)
                continue
            tool_q = shlex.quote(tool)
            lines = [_PRELUDE.format(tool_q=tool_q)]
            for index, rule in enumerate(self.rules.get(tool, [])):
                lines.append(self._compile(tool, index, rule))
            lines.append(_UNEXPECTED.format(tool_q=tool_q))
            path = self.bin / tool
            path.write_text("\n".join(lines), encoding="utf-8")
            path.chmod(0o755)

    def _compile(self, tool: str, index: int, rule: dict[str, Any]) -> str:
        """`if` the tokens match and the rule still answers: write files, print, exit."""

        def answer(suffix: str) -> Path:
            return self.answers / f"{tool}.{index}.{suffix}"

        counter = answer("left")
        if rule.get("times") is not None:
            counter.write_text(str(rule["times"]), encoding="utf-8")
        tokens = " ".join(shlex.quote(t) for t in rule["match"])
        body = []
        for number, (path, content) in enumerate(rule.get("writes", {}).items()):
            source = answer(f"write{number}")
            source.write_text(content, encoding="utf-8")
            if path.startswith("@"):
                # "@--output" names the file given after the --output flag.
                flag = shlex.quote(path[1:])
                body.append(f'  target=$(_after {flag} "$@") && cat {shlex.quote(str(source))} >"$target"')
            else:
                # Any other path, with $VAR expanded as the caller's environment has it.
                escaped = path.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`")
                body.append(f'  cat {shlex.quote(str(source))} >"{escaped}"')
        # printf is a bash builtin: the answer is printed without starting another process.
        if rule["stdout"]:
            body.append(f"  printf '%s' {shlex.quote(rule['stdout'])}")
        if rule["stderr"]:
            body.append(f"  printf '%s' {shlex.quote(rule['stderr'])} >&2")
        body.append(f"  exit {int(rule['exit'])}")
        count = len(rule["match"])
        return (
            f'if _in_order {count} {tokens} "$@" && _take {shlex.quote(str(counter))}; then\n'
            + "\n".join(body)
            + "\nfi"
        )

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
        path (`$VAR` expanded as bash does, unset to empty; or `@--flag`, the path given after
        that flag) to file content.
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

    def remove(self, tool: str) -> FakeTools:
        """Take `tool` off PATH for the next runs, as on a machine that lacks it. The machine may have
        it (the pipeline's unit-tests step has cosign, trivy and pulumi in /workspace/bin, bandit in
        .venv/bin): the runs' PATH is then built without it (host_path), never the real one run."""
        if tool not in FAKED_TOOLS:
            raise ValueError(f"{tool} is not a faked tool")
        self.missing.add(tool)
        self._write_fakes()
        return self

    def approve_build(self, state: str = "APPROVED") -> FakeTools:
        """The answer require_prod_approval reads: gcloud's projection of the build's approval state
        (an empty line, as gcloud prints it, for a build without approval; state "" gives that)."""
        return self.on("gcloud", [*APPROVAL_QUERY], stdout=f"{state}\n")

    def image_path(self, key: str) -> str:
        """A PATH holding only what the image `key` of pipeline/images.py has (this machine's copies),
        behind the fakes: a script run with it finds no tool its step's image lacks (jq included)."""
        found = self.root / f"image-{key}"
        found.mkdir(exist_ok=True)
        for tool in sorted(IMAGES[key].tools - set(FAKED_TOOLS)):
            real = shutil.which(tool)
            if real is not None and not (found / tool).exists():
                (found / tool).symlink_to(real)
        return os.pathsep.join([str(self.bin), str(found)])

    def run(self, script: str, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> Result:
        """Run scripts/<script> (or a path) with the fakes first on PATH and an evidence directory."""
        self._write_fakes()  # rules given since the last run take effect; `times` counters restart
        completed = subprocess.run(
            ["bash", str(SCRIPTS / script) if "/" not in script else script, *args],
            capture_output=True,
            text=True,
            env=self.environment(env),
            cwd=cwd or PROJECT_ROOT,
            timeout=60,
            check=False,
        )
        calls = self.calls()
        cli_calls.record((call.tool, call.argv) for call in calls[self._recorded :])
        self._recorded = len(calls)
        # core.sh's ERR trap dies with this line; a script that still exits 0 swallowed a failure
        # (a command substitution's subshell died and the script went on): never a passing run.
        if completed.returncode == 0 and SWALLOWED_FAILURE in completed.stderr:
            raise AssertionError(f"{script} exited 0 after a failure it did not stop for:\n{completed.stderr}")
        return Result(completed.returncode, completed.stdout, completed.stderr, self)

    def environment(self, env: dict[str, str] | None = None) -> dict[str, str]:
        """What a script runs with: the fakes first on PATH, then the pinned jq, then the machine's PATH."""
        return {
            "PATH": os.pathsep.join([str(self.bin), str(JQ_BIN), self.host_path()]),
            "HOME": str(self.root),
            "FAKE_LOG": str(self.log),
            "EVIDENCE_DIR": str(self.evidence),
            "BUILD_ID": "b-123",
            "PROJECT_ID": "nwh-analytics-prd",
            "CLOUDSDK_CORE_DISABLE_PROMPTS": "1",
            # This interpreter, with the pipeline's gates loaded once per worker (tests/scripts/warm_python.py).
            "PYTHON": warm_python.client_path(),
            **(env or {}),
        }

    def host_path(self) -> str:
        """The machine's PATH without the removed tools: a directory holding one is replaced by a copy
        without it, whose other commands are wrappers that exec the originals by their own path."""
        entries = os.environ.get("PATH", "/usr/bin:/bin").split(os.pathsep)
        shadows = self.root / "path-without"
        shutil.rmtree(shadows, ignore_errors=True)
        kept = []
        for index, entry in enumerate(entries):
            directory = Path(entry)
            if entry and any(shutil.which(tool, path=entry) for tool in self.missing):
                kept.append(str(_copy_without(directory, shadows / str(index), self.missing)))
            else:
                kept.append(entry)
        path = os.pathsep.join(kept)
        still = [tool for tool in sorted(self.missing) if shutil.which(tool, path=path)]
        if still:
            raise ValueError(f"{still} still on the constructed PATH: a removed tool would run for real")
        return path

    def calls(self, tool: str | None = None) -> list[Call]:
        """Every call so far: a record is the tool and its arguments, NUL-separated, ended by 0x1E."""
        if not self.log.exists():
            return []
        records = self.log.read_bytes().split(b"\x1e")[:-1]
        calls = []
        for record in records:
            fields = [f.decode("utf-8", errors="replace") for f in record.split(b"\0")[:-1]]
            if tool is None or fields[0] == tool:
                calls.append(Call(fields[0], fields[1:]))
        return calls

    def called(self, tool: str, *tokens: str) -> bool:
        """Whether some call of `tool` had all `tokens` among its arguments."""
        return any(all(t in call.argv for t in tokens) for call in self.calls(tool))

    def evidence_of(self, gate: str) -> dict[str, Any]:
        path = self.evidence / f"{gate}.json"
        assert path.is_file(), f"no evidence written for gate {gate}"
        document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return document


def _copy_without(directory: Path, shadow: Path, missing: set[str]) -> Path:
    """`directory`'s commands except `missing`, each a wrapper that runs the original: a wrapper,
    not a link, so a virtualenv's python still finds its pyvenv.cfg beside the path it runs from."""
    shadow.mkdir(parents=True)
    for command in directory.iterdir():
        if command.name in missing or not (command.is_file() and os.access(command, os.X_OK)):
            continue
        wrapper = shadow / command.name
        wrapper.write_text(f'#!/bin/sh\nexec {shlex.quote(str(command))} "$@"\n', encoding="utf-8")
        wrapper.chmod(0o755)
    return shadow


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
