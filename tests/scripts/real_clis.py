"""The installed gcloud, bq and kubectl, asked whether they accept command lines, with no cloud behind them.

gcloud and bq are Python programs: each is loaded once, in one process under the Cloud SDK's own
Python (tests/scripts/sdk_parsers.py), at the first line of its tool, and parses the lines as the
tests send them, so loading (about a second for gcloud) and parsing overlap the tests. kubectl is a
Go program: one process per distinct command line (about 0.1 s each, four side by side), with a
kubeconfig that points at a closed local port, so a line it accepts fails only at the connection.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

SDK_PARSERS = Path(__file__).with_name("sdk_parsers.py")
UNREACHABLE = "127.0.0.1:1"
_KUBECONFIG = f"""apiVersion: v1
kind: Config
clusters: [{{name: none, cluster: {{server: "https://{UNREACHABLE}", insecure-skip-tls-verify: true}}}}]
users: [{{name: none, user: {{token: none}}}}]
contexts: [{{name: none, context: {{cluster: none, user: none}}}}]
current-context: none
"""
# What `kubectl apply -f` reads in place of a manifest the script wrote to its scratch directory.
_STUB_MANIFEST = '{"apiVersion": "v1", "kind": "List", "items": []}'
_FILE_FLAGS = ("-f", "--filename")
NO_GSUTIL_PARSER = "no gsutil parser is wired into this check: call `gcloud storage` as the scripts do"


@dataclass(frozen=True)
class Verdict:
    tool: str
    argv: tuple[str, ...]
    error: str  # empty when the CLI accepted the line


@dataclass(frozen=True)
class Installation:
    """Where the real CLIs are, or why one is missing."""

    sdk_root: Path | None
    sdk_python: str | None
    kubectl: str | None

    @classmethod
    def find(cls, path: str | None = None) -> Installation:
        gcloud = shutil.which("gcloud", path=path)
        root = Path(gcloud).resolve().parent.parent if gcloud else None
        if root is not None and not (root / "lib" / "googlecloudsdk").is_dir():
            root = None  # not a Cloud SDK (a fake, a wrapper): its parser cannot be loaded
        bundled = root / "platform" / "bundledpythonunix" / "bin" / "python3" if root else None
        python = os.environ.get("CLOUDSDK_PYTHON") or (
            str(bundled) if bundled and os.access(bundled, os.X_OK) else shutil.which("python3", path=path)
        )
        kubectl = shutil.which("kubectl", path=path)
        if kubectl is not None and _is_script(kubectl):
            kubectl = None  # a fake or a wrapper (the simulator's world answers kubectl): not kubectl's parser
        return cls(root, python, kubectl)

    def missing(self, tool: str) -> str | None:
        """One line saying why `tool` cannot be checked here, or None."""
        if tool == "gcloud" and self.sdk_root is None:
            return "gcloud (the Google Cloud SDK, bin/ beside lib/googlecloudsdk) is not installed"
        if tool == "bq" and (self.sdk_root is None or not (self.sdk_root / "platform" / "bq" / "bq.py").is_file()):
            return "bq (the Cloud SDK's bq component) is not installed"
        if tool in ("gcloud", "bq") and self.sdk_python is None:
            return f"{tool}: no Python for the Cloud SDK (set CLOUDSDK_PYTHON)"
        if tool == "kubectl" and self.kubectl is None:
            return "kubectl (the compiled program, not a script standing in for it) is not installed"
        return None


def _is_script(path: str) -> bool:
    """kubectl is a compiled Go program; a file that starts with `#!` is something standing in for it."""
    with open(path, "rb") as program:
        return program.read(2) == b"#!"


class RealParsers:
    """The gcloud and bq parser processes plus the kubectl runs, fed command lines as the tests send them.

    `feed` hands lines over while the tests still run (the SDK parsers parse them at once, kubectl
    runs in a thread pool); `finish` closes the parsers' input and collects every verdict.
    """

    def __init__(self, installation: Installation) -> None:
        self.installation = installation
        self.home = Path(tempfile.mkdtemp(prefix="hipaa-real-clis-"))
        (self.home / "kubeconfig").write_text(_KUBECONFIG, encoding="utf-8")
        (self.home / "manifest.json").write_text(_STUB_MANIFEST, encoding="utf-8")
        self._sdk: dict[str, subprocess.Popen[bytes]] = {}
        self._sent: dict[str, list[tuple[str, ...]]] = {"gcloud": [], "bq": []}
        self._kubectl_pool = ThreadPoolExecutor(max_workers=4)
        self._pending: list[Future[Verdict]] = []
        self._gsutil: list[Verdict] = []

    def _environment(self) -> dict[str, str]:
        # A fresh gcloud configuration and HOME: no account, no project, no prompt, no usage report.
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "CLOUDSDK_CONFIG": str(self.home / "gcloud"),
            "CLOUDSDK_CORE_DISABLE_PROMPTS": "1",
            "CLOUDSDK_CORE_DISABLE_USAGE_REPORTING": "true",
            "CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK": "true",
            "KUBECONFIG": str(self.home / "kubeconfig"),
        }

    def _parser(self, tool: str) -> subprocess.Popen[bytes]:
        """The SDK parser process of `tool`, started on first use; it loads, then waits on stdin."""
        if tool not in self._sdk:
            installation = self.installation
            assert installation.sdk_python is not None and not installation.missing(tool), tool
            scratch = sorted({tempfile.gettempdir(), "/tmp"})
            command = [installation.sdk_python, "-S", str(SDK_PARSERS), tool, str(installation.sdk_root)]
            with (self.home / f"{tool}.stderr").open("wb") as stderr:
                self._sdk[tool] = subprocess.Popen(
                    [*command, str(self.home / f"{tool}.jsonl"), *scratch],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.DEVNULL,
                    stderr=stderr,
                    env=self._environment(),
                )
        return self._sdk[tool]

    def feed(self, tool: str, argvs: Sequence[tuple[str, ...]]) -> None:
        """Hand over command lines of an installed tool; their verdicts come from `finish`."""
        if tool in self._sent:
            stdin = self._parser(tool).stdin
            assert stdin is not None
            self._sent[tool] += argvs
            try:
                stdin.write(b"".join(json.dumps(list(argv)).encode() + b"\n" for argv in argvs))
                stdin.flush()
            except BrokenPipeError:
                pass  # the parser died: finish reports it, with its last words
        elif tool == "kubectl":
            self._pending += [self._kubectl_pool.submit(self._kubectl, argv) for argv in argvs]
        else:
            self._gsutil += [Verdict(tool, argv, NO_GSUTIL_PARSER) for argv in argvs]

    def finish(self) -> list[Verdict]:
        """Every verdict for the lines fed so far: gsutil, gcloud, bq, then kubectl."""
        verdicts = list(self._gsutil)
        for tool, process in self._sdk.items():
            verdicts += self._sdk_verdicts(tool, process)
        self._kubectl_pool.shutdown(wait=True)
        return verdicts + [future.result() for future in self._pending]

    def check(self, lines: Mapping[str, Sequence[tuple[str, ...]]]) -> list[Verdict]:
        """All at once: a verdict for every command line (tool -> argument lists) of an installed tool."""
        for tool, argvs in lines.items():
            self.feed(tool, argvs)
        return self.finish()

    def _sdk_verdicts(self, tool: str, process: subprocess.Popen[bytes]) -> list[Verdict]:
        assert process.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            process.stdin.close()
        process.wait(timeout=120)
        results = self.home / f"{tool}.jsonl"
        outcomes = (
            [json.loads(row) for row in results.read_text(encoding="utf-8").splitlines()] if results.is_file() else []
        )
        argvs = self._sent[tool]
        if process.returncode != 0 or len(outcomes) != len(argvs):
            errors = (self.home / f"{tool}.stderr").read_text(encoding="utf-8", errors="replace").strip().splitlines()
            reason = errors[-1] if errors else "no message"
            answered = f"answered {len(outcomes)} of {len(argvs)} lines"
            raise RuntimeError(f"the {tool} parser {answered} (exit {process.returncode}): {reason}")
        return [Verdict(tool, a, "" if o["ok"] else str(o["error"])) for a, o in zip(argvs, outcomes, strict=True)]

    def _kubectl(self, argv: tuple[str, ...]) -> Verdict:
        kubectl = self.installation.kubectl
        assert kubectl is not None, "kubectl lines are checked only where kubectl is installed"
        run = subprocess.run(
            [kubectl, *self._stand_in_manifests(argv)],
            capture_output=True,
            text=True,
            env=self._environment(),
            timeout=30,
            check=False,
        )
        message = " | ".join(line.strip() for line in run.stderr.splitlines() if line.strip())
        # Accepted: it ran (a client-only command) or got as far as dialling the cluster.
        accepted = run.returncode == 0 or (UNREACHABLE in message and "refused" in message)
        return Verdict("kubectl", argv, "" if accepted else f"exit {run.returncode}: {message or 'no message'}")

    def _stand_in_manifests(self, argv: tuple[str, ...]) -> list[str]:
        """`-f PATH` of a manifest the script wrote to its scratch directory, gone by now: a stub."""
        scratch = tuple(os.path.join(root, "") for root in {tempfile.gettempdir(), "/tmp"})
        out = list(argv)
        for index, argument in enumerate(out):
            flag, _, value = argument.partition("=")
            if flag in _FILE_FLAGS and value and value.startswith(scratch) and not os.path.exists(value):
                out[index] = f"{flag}={self.home / 'manifest.json'}"
            elif argument in _FILE_FLAGS and index + 1 < len(out):
                value = out[index + 1]
                if value.startswith(scratch) and not os.path.exists(value):
                    out[index + 1] = str(self.home / "manifest.json")
        return out

    def close(self) -> None:
        self._kubectl_pool.shutdown(wait=False, cancel_futures=True)
        for process in self._sdk.values():
            if process.poll() is None:
                process.kill()
                process.wait()
        shutil.rmtree(self.home, ignore_errors=True)
