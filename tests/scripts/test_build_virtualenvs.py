"""build-virtualenvs.sh: the Makefile's virtualenvs from the PyPI mirror, without ensurepip or a token leak.

The script works in the repository it belongs to, so it runs from a copy of scripts/ (with fake
`python3` and `make` first on PATH): nothing here touches the real virtualenvs.
"""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest

from tests.scripts.fakes import SCRIPTS, FakeTools, Result

INDEX = "https://us-central1-python.pkg.dev/nwh-analytics-prd/hipaa-prod-pypi-mirror/simple/"
TOKEN = "ya29.fake-token"
# python3 -m venv --without-pip DIR makes DIR/bin/python and a pip-less DIR/bin/python3; make records
# what it saw and touches TARGET.
FAKE_PYTHON = """#!/usr/bin/env bash
printf 'python3 %s\\n' "$*" >>"$CALLS"
[[ "$1 $2 $3" == "-m venv --without-pip" ]] || exit 0
mkdir -p "$4/bin" && printf '#!/bin/sh\\n' >"$4/bin/python" && chmod +x "$4/bin/python"
printf '#!/bin/sh\\necho "No module named pip" >&2; exit 1\\n' >"$4/bin/python3" && chmod +x "$4/bin/python3"
"""
FAKE_MAKE = """#!/usr/bin/env bash
printf 'make %s netrc=%s index=%s\\n' "$*" "$(cat "$NETRC")" "$PIP_INDEX_URL" >>"$CALLS"
stat -c 'mode %a' "$NETRC" >>"$CALLS"
[[ -z "${MAKE_FAILS:-}" ]] || exit 2
touch "$2"
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(SCRIPTS, root / "scripts", ignore=shutil.ignore_patterns("__pycache__"))
    fakes = tmp_path / "fakes"
    fakes.mkdir()
    for name, text in (("python3", FAKE_PYTHON), ("make", FAKE_MAKE)):
        (fakes / name).write_text(text, encoding="utf-8")
        (fakes / name).chmod(stat.S_IRWXU)
    return root


def run(tools: FakeTools, repo: Path, *targets: str, env: dict[str, str] | None = None) -> Result:
    # As in the python-venv step: the virtualenv being made is already first on PATH.
    path = f"{repo / '.venv' / 'bin'}:{repo.parent / 'fakes'}:{tools.bin}:/usr/bin:/bin"
    environment = {"PATH": path, "CALLS": str(repo.parent / "calls.log"), **(env or {})}
    return tools.run(str(repo / "scripts" / "build-virtualenvs.sh"), "prod", INDEX, *targets, env=environment)


def calls(repo: Path) -> list[str]:
    log = repo.parent / "calls.log"
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path).on("gcloud", ["auth", "print-access-token"], stdout=f"{TOKEN}\n")


def test_each_target_is_bootstrapped_without_ensurepip_then_built_by_make(tools: FakeTools, repo: Path) -> None:
    result = run(tools, repo, ".venv/.installed", ".tools/safety/.installed")
    assert result.returncode == 0, result.stderr
    netrc = f"machine us-central1-python.pkg.dev login oauth2accesstoken password {TOKEN}"
    assert calls(repo) == [
        "python3 -m venv --without-pip .venv",
        "python3 -m pip --python .venv/bin/python install --quiet --disable-pip-version-check pip==25.3",
        f"make --no-print-directory .venv/.installed PYTHON=python3 netrc={netrc} index={INDEX}",
        "mode 600",
        "python3 -m venv --without-pip .tools/safety",
        "python3 -m pip --python .tools/safety/bin/python install --quiet --disable-pip-version-check pip==25.3",
        f"make --no-print-directory .tools/safety/.installed PYTHON=python3 netrc={netrc} index={INDEX}",
        "mode 600",
    ]
    assert TOKEN not in result.stderr + result.stdout
    assert not any(p.name == "netrc" for p in Path(tools.root).rglob("netrc"))  # removed on exit


def test_an_existing_virtualenv_is_not_bootstrapped_again(tools: FakeTools, repo: Path) -> None:
    (repo / ".venv-tools" / "bin").mkdir(parents=True)
    (repo / ".venv-tools" / "bin" / "python").write_text("#!/bin/sh\n", encoding="utf-8")
    (repo / ".venv-tools" / "bin" / "python").chmod(stat.S_IRWXU)
    assert run(tools, repo, ".venv-tools/.installed").returncode == 0
    assert [c.split()[0] for c in calls(repo)] == ["make", "mode"]


def test_a_failed_make_fails_naming_the_target(tools: FakeTools, repo: Path) -> None:
    result = run(tools, repo, ".venv/.installed", env={"MAKE_FAILS": "1"})
    assert result.returncode == 1
    assert result.reason == "build-virtualenvs.sh: FAIL: make .venv/.installed failed (exit 2)"


def test_no_token_fails_before_anything_is_installed(tmp_path: Path, repo: Path) -> None:
    tools = FakeTools(tmp_path).on("gcloud", ["auth", "print-access-token"], exit=1, stderr="ERROR: no credentials\n")
    result = run(tools, repo, ".venv/.installed")
    assert result.returncode == 1
    assert result.reason.startswith("build-virtualenvs.sh: FAIL: mirror token: gcloud failed (exit 1)")
    assert calls(repo) == []


@pytest.mark.parametrize("target", ["venv", "../.venv/.installed", ".venv/.installed; rm -rf /", "test"])
def test_anything_but_a_virtualenv_target_is_a_usage_error(tools: FakeTools, repo: Path, target: str) -> None:
    assert run(tools, repo, target).returncode == 2
    assert calls(repo) == []
