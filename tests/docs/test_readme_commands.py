"""Every command the README shows runs as shown, and every version it names is the pinned one.

Commands that need no cloud are run (make targets as a dry run, our Python CLIs up to the end of
their argument parsing, so a plan is not run here a second time); gcloud lines go to the real
gcloud parser with the script tests' command lines; the container build runs `--help` (no daemon
here). The Pulumi CLI cannot be installed on this machine: its four lines are named below, and a new
one fails until someone checks it.
"""

from __future__ import annotations

import argparse
import importlib
import re
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest

from tests.docs.citations import ROOT
from tests.scripts import cli_calls

README = (ROOT / "README.md").read_text(encoding="utf-8")
# What the README's placeholders stand for when a command is run.
PLACEHOLDERS = {
    "<stack>": "prod",
    "<env>": "prod",
    "hipaa_<env>_curated": "hipaa_prod_curated",
    "ORG_ID": "123456789012",
    "PATH": "/tmp/readme-command.json",
    "ID": "nwh-analytics-prd",
    "PROJECT_ID": "nwh-analytics-prd",
}
PULUMI_LINES = {
    "pulumi login gs://<security-project>-pulumi-state",
    'pulumi stack init prod --secrets-provider="gcpkms://projects/<security-project>/locations/<region>/'
    'keyRings/pulumi/cryptoKeys/secrets"',
    "pulumi preview -s prod --policy-pack policypack",
    "pulumi up -s prod",
}
_RUNNABLE = re.compile(r"^(make|python -m|\.venv/bin/python -m|pip wheel|docker build|gcloud|pulumi)\b")


def _blocks() -> Iterator[str]:
    for block in re.findall(r"```[a-z]*\n(.*?)```", README, re.S):
        if block.lstrip().startswith(("flowchart", "graph")):
            continue
        yield from block.replace("\\\n", " ").splitlines()


def code_lines() -> list[str]:
    lines = [line.split("  #", 1)[0].strip() for line in _blocks()]
    return [line for line in lines if line and not line.startswith("#")]


def inline_commands() -> list[str]:
    found = re.findall(r"`((?:make|python -m|\.venv/bin/python -m|pip wheel|docker build)[^`]*)`", README)
    return sorted(set(found))


def _filled(line: str) -> list[str]:
    # A synopsis shows optional parts in brackets and a repeatable one followed by `...`: run it
    # with all of them, each once.
    words = shlex.split(line.replace("[", " ").replace("]", " ").replace("...", " "))
    return [PLACEHOLDERS.get(word, word) for word in words]


def test_a_synopsis_is_run_with_each_optional_and_repeatable_part_once() -> None:
    line = "python -m pipeline simulate --stack <env> [--violation NAME]... [--json PATH]"
    shown = "python -m pipeline simulate --stack prod --violation NAME --json /tmp/readme-command.json"
    assert _filled(line) == shown.split()


class _ParsedError(Exception):
    """Raised once a command line has been parsed to the end, before the command does any work."""


def parses(module: str, argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Run `python -m module argv` up to the end of its argument parsing."""
    cli = importlib.import_module(f"{module}.cli") if module == "workloads.quality" else None
    if cli is not None:  # its own checks follow argparse's: run them too
        cli.parse_args(argv)
        return
    original = argparse.ArgumentParser.parse_args

    def parse_then_stop(self: argparse.ArgumentParser, *args: object, **kwargs: object) -> argparse.Namespace:
        namespace = cast(argparse.Namespace, original(self, *args, **kwargs))
        # A namespace that hands a remainder on to another parser (infra catalogues) is not the end.
        if not any(name.endswith("_args") and isinstance(v, list) for name, v in vars(namespace).items()):
            raise _ParsedError
        return namespace

    monkeypatch.setattr(argparse.ArgumentParser, "parse_args", parse_then_stop)
    main = importlib.import_module(f"{module}.__main__").main
    with pytest.raises(_ParsedError):
        main(argv)


def _python_commands() -> list[str]:
    lines = [*code_lines(), *inline_commands()]
    return sorted({line for line in lines if re.match(r"^(\.venv/bin/)?python -m (infra|pipeline|workloads)", line)})


@pytest.mark.parametrize("line", _python_commands())
def test_every_python_command_parses_as_shown(line: str, monkeypatch: pytest.MonkeyPatch) -> None:
    words = _filled(line)
    module, argv = words[words.index("-m") + 1], words[words.index("-m") + 2 :]
    if line in code_lines() or " --" in line:
        parses(module, argv, monkeypatch)  # shown to be run: parsed in full
    else:
        # Named in a sentence (`python -m infra check`): the command exists and answers --help.
        with pytest.raises(SystemExit) as stop:
            importlib.import_module(f"{module}.__main__").main([*argv, "--help"])
        assert stop.value.code == 0


def _make_commands() -> list[str]:
    lines = [*code_lines(), *inline_commands()]
    return sorted({line for line in lines if line.startswith("make ")})


@pytest.mark.parametrize("line", _make_commands())
def test_every_make_command_is_a_target_that_expands(line: str) -> None:
    words = _filled(line)
    result = subprocess.run(["make", "-n", *words[1:]], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr.strip().splitlines()[-1:]


# Shell utilities a README pipeline may feed gcloud with (reviewed: they reach no cloud).
PIPE_UTILITIES = ("head -c ", "base64 ")


def _assignments() -> dict[str, str]:
    """The README's `NAME=value` lines, in order, each value with the earlier names filled in."""
    values: dict[str, str] = {}
    for line in code_lines():
        if re.match(r"^[A-Z]+=", line) and all(re.match(r"^[A-Z]+=", part) for part in line.split()):
            for part in line.split():
                name, value = part.split("=", 1)
                for known, filled in values.items():
                    value = value.replace(f"${known}", filled)
                values[name] = value
    values["RING"] = "projects/{SEC}/locations/{REGION}/keyRings/pulumi".format(**values)
    return values


def _gcloud_segments(line: str) -> list[str]:
    """The gcloud commands of a line: the whole line, or each `| gcloud ...` stage of a pipeline."""
    return [part.strip() for part in line.split("|") if part.strip().startswith("gcloud ")] or (
        [line[line.index("gcloud ") :]] if "gcloud " in line else []
    )


def test_the_bootstrap_gcloud_lines_go_to_the_real_parser() -> None:
    assignments = _assignments()
    lines = [line for line in code_lines() if line.startswith(("gcloud ", "for sa in", "done"))]
    gcloud = []
    for line in code_lines():
        for segment in _gcloud_segments(line):
            command = segment.replace("$sa", "hipaa-prod-cloudbuild")
            command = re.sub(r"\$\(date[^)]*\)", "2027-01-06T00:00:00Z", command)
            for name, value in sorted(assignments.items(), key=lambda item: -len(item[0])):
                command = command.replace(f"${name}", value)
            gcloud.append(shlex.split(command))
    assert len(gcloud) >= 8 and lines
    # The session's conformance check parses these with the installed gcloud, beside the script tests'.
    cli_calls.record([("gcloud", argv[1:]) for argv in gcloud])


def _is_gcloud_pipeline(line: str) -> bool:
    """A pipeline whose stages are gcloud commands (sent to the real parser) and reviewed utilities."""
    stages = [part.strip() for part in line.split("|")]
    return len(stages) > 1 and all(stage.startswith(("gcloud ", *PIPE_UTILITIES)) for stage in stages)


def test_the_pulumi_lines_are_the_reviewed_ones() -> None:
    assert {line for line in code_lines() if line.startswith("pulumi ")} == PULUMI_LINES


def test_the_container_and_wheel_builds_name_real_contexts() -> None:
    builds = [line for line in inline_commands() if line.startswith(("docker build", "pip wheel"))]
    assert builds == ["docker build workloads/api", "pip wheel --no-deps workloads/spark"]
    assert (ROOT / "workloads/api/Dockerfile").is_file() and (ROOT / "workloads/spark/pyproject.toml").is_file()
    if shutil.which("docker"):
        assert subprocess.run(["docker", "build", "--help"], capture_output=True, check=False).returncode == 0


def test_every_runnable_line_is_handled_by_a_test_above() -> None:
    unhandled = [
        line
        for line in code_lines()
        if _RUNNABLE.match(line) is None
        and not re.match(r"^([A-Z]+=|for |done|gcloud|\w+=)", line)
        and not _is_gcloud_pipeline(line)
    ]
    assert not unhandled, unhandled


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for path in [ROOT / "requirements.txt", *ROOT.glob("requirements/*.txt"), *ROOT.glob("requirements/tools/*.txt")]:
        for line in path.read_text(encoding="utf-8").splitlines():
            match = re.match(r"^([A-Za-z0-9_.\-\[\]]+)==([0-9][^\s;#]*)", line)
            if match:
                pins.setdefault(re.sub(r"\[.*\]", "", match.group(1)).lower().replace("_", "-"), match.group(2))
    return pins


# How the README names a tool, and the pin that tool's version must equal.
NAMED_TOOLS = {
    "semgrep": "semgrep",
    "checkov": "checkov",
    "pulumi": "pulumi",
    "pytest": "pytest",
    "ruff": "ruff",
    "mypy": "mypy",
    "presidio": "presidio-analyzer",
    "spacy": "spacy",
    "great expectations": "great-expectations",
    "pyspark": "pyspark",
    "safety": "safety",
    "pylint": "pylint",
    "bandit": "bandit",
}


def test_every_version_the_readme_names_is_the_pinned_one() -> None:
    pins = _pins()
    named = re.findall(r"\b(" + "|".join(NAMED_TOOLS) + r")\s+v?(\d+\.\d+(?:\.\d+)?)\b", README, flags=re.IGNORECASE)
    assert named, "the README names no versions: the test would check nothing"
    wrong = [
        f"{tool} {version} (pinned {pins.get(NAMED_TOOLS[tool.lower()])})"
        for tool, version in named
        if pins.get(NAMED_TOOLS[tool.lower()]) != version
    ]
    assert not wrong, wrong


def test_the_version_check_catches_a_stale_version(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(f"{__name__}.README", README + "\nSemgrep 1.99.0 runs here.\n")
    with pytest.raises(AssertionError, match=r"semgrep 1\.99\.0|Semgrep 1\.99\.0"):
        test_every_version_the_readme_names_is_the_pinned_one()


def test_placeholders_used_by_the_readme_are_known(tmp_path: Path) -> None:
    assert all(_filled(line) for line in _python_commands())
