"""The installed gcloud, bq and kubectl, asked whether they accept command lines, with no cloud behind them.

gcloud and bq are Python programs: each is loaded once, in one process under the Cloud SDK's own
Python (tests/scripts/sdk_parsers.py), and given every command line; loading gcloud takes about a
second, so that process starts while the tests still run and waits for the lines. kubectl is a Go
program: one process per distinct command line (about 0.1 s each, run side by side), with a
kubeconfig that points at a closed local port, so a line it accepts fails only at the connection.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
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
        return cls(root, python, shutil.which("kubectl", path=path))

    def missing(self, tool: str) -> str | None:
        """One line saying why `tool` cannot be checked here, or None."""
        if tool == "gcloud" and self.sdk_root is None:
            return "gcloud (the Google Cloud SDK, bin/ beside lib/googlecloudsdk) is not installed"
        if tool == "bq" and (self.sdk_root is None or not (self.sdk_root / "platform" / "bq" / "bq.py").is_file()):
            return "bq (the Cloud SDK's bq component) is not installed"
        if tool in ("gcloud", "bq") and self.sdk_python is None:
            return f"{tool}: no Python for the Cloud SDK (set CLOUDSDK_PYTHON)"
        if tool == "kubectl" and self.kubectl is None:
            return "kubectl is not installed"
        return None


class RealParsers:
    """The gcloud and bq parser processes plus the kubectl runs, in a scratch directory of their own."""

    def __init__(self, installation: Installation) -> None:
        self.installation = installation
        self.home = Path(tempfile.mkdtemp(prefix="hipaa-real-clis-"))
        (self.home / "kubeconfig").write_text(_KUBECONFIG, encoding="utf-8")
        (self.home / "manifest.json").write_text(_STUB_MANIFEST, encoding="utf-8")
        self._sdk: dict[str, subprocess.Popen[bytes]] = {}

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

    def start(self, tools: Sequence[str] = ("gcloud", "bq")) -> None:
        """Start loading the SDK parsers; they wait on stdin for the command lines."""
        installation = self.installation
        for tool in tools:
            if tool in self._sdk or installation.missing(tool) or installation.sdk_python is None:
                continue
            scratch = sorted({tempfile.gettempdir(), "/tmp"})
            command = [installation.sdk_python, "-S", str(SDK_PARSERS), tool, str(installation.sdk_root)]
            self._sdk[tool] = subprocess.Popen(
                [*command, str(self.home / f"{tool}.json"), *scratch],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=self._environment(),
            )

    def check(self, lines: Mapping[str, Sequence[tuple[str, ...]]]) -> list[Verdict]:
        """A verdict for every command line (tool -> argument lists) of an installed tool."""
        self.start([tool for tool in ("gcloud", "bq") if lines.get(tool)])
        verdicts = [Verdict("gsutil", argv, NO_GSUTIL_PARSER) for argv in lines.get("gsutil", ())]
        # The SDK parsers and the kubectl runs side by side: each waits on its own process.
        with ThreadPoolExecutor(max_workers=4 + len(self._sdk)) as pool:
            sdk = [pool.submit(self._sdk_verdicts, t, p, lines.get(t, ())) for t, p in self._sdk.items()]
            kubectl = list(pool.map(self._kubectl, lines.get("kubectl", ())))
            for future in sdk:
                verdicts += future.result()
        return verdicts + kubectl

    def _sdk_verdicts(
        self, tool: str, process: subprocess.Popen[bytes], argvs: Sequence[tuple[str, ...]]
    ) -> list[Verdict]:
        _, stderr = process.communicate(json.dumps([list(argv) for argv in argvs]).encode(), timeout=120)
        results = self.home / f"{tool}.json"
        if process.returncode != 0 or not results.is_file():
            reason = stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
            raise RuntimeError(f"the {tool} parser failed (exit {process.returncode}): {reason[0]}")
        outcomes = json.loads(results.read_text(encoding="utf-8"))
        if len(outcomes) != len(argvs):
            raise RuntimeError(f"the {tool} parser answered {len(outcomes)} of {len(argvs)} command lines")
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
        for process in self._sdk.values():
            if process.poll() is None:
                process.kill()
                process.wait()
        shutil.rmtree(self.home, ignore_errors=True)
