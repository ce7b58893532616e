"""Reading what a step needs: require_tool declarations, their variables, inline shell commands."""

from __future__ import annotations

from pathlib import Path

from pipeline.render import ROOT
from pipeline.requirements import command_words, path_dirs, resolve, script_requirements

SCRIPT = "PY=${PYTHON:-python3}\nPYTHON=${PYTHON:-python3}\nif x; then SCANNER=zap-a.py; else SCANNER=zap-b.py; fi\n"


def test_variables_resolve_from_the_step_env_the_script_or_the_default() -> None:
    assert resolve("jq", SCRIPT, {}) == ["jq"]
    assert resolve("$PY", SCRIPT, {}) == ["python3"]
    assert resolve("$PY", SCRIPT, {"PYTHON": "/opt/py"}) == ["/opt/py"]
    assert resolve("$PYTHON", SCRIPT, {}) == ["python3"]
    assert resolve("${REPO_ROOT}/.venv-tools/bin/checkov", SCRIPT, {}) == ["/workspace/.venv-tools/bin/checkov"]
    assert resolve("$NOWHERE", SCRIPT, {}) is None


def test_a_variable_assigned_twice_requires_both_values() -> None:
    assert resolve('"$SCANNER"'.strip('"'), "SCANNER=zap-a.py\nSCANNER=zap-b.py\n", {}) == ["zap-a.py", "zap-b.py"]


def test_script_requirements_follow_exec_and_skip_comments() -> None:
    found = script_requirements(ROOT, "run-phi-log-scan.sh", {})
    assert found.tools == {"gcloud", "jq", "python3"} and not found.unresolved
    zap = script_requirements(ROOT, "run-zap-dast.sh", {})
    assert {"zap-baseline.py", "zap-api-scan.py", "jq"} == zap.tools


def test_command_words_skip_quotes_builtins_and_assignments_but_see_substitutions() -> None:
    text = (
        "set -Eeuo pipefail; export NETRC=$$(mktemp); trap 'rm -f \"$$NETRC\"' EXIT\n"
        'printf \'x %s\\n\' "$$(gcloud auth print-access-token)" >"$$NETRC"\n'
        '[[ "$$a" == b ]] || { echo "no; really" >&2; exit 1; }\n'
        'PATH="/x:$$PATH" exec scripts/a.sh "y"'
    )
    assert command_words(text) == ["mktemp", "gcloud", "scripts/a.sh"]  # printf and echo are builtins


def test_path_dirs_come_from_the_command_and_the_env() -> None:
    assert path_dirs('PATH="/workspace/bin:/w/.venv/bin:$$PATH" exec x', ["PATH=/opt/bin:$PATH"]) == [
        "/workspace/bin",
        "/w/.venv/bin",
        "/opt/bin",
    ]


def test_a_sourced_librarys_declarations_count(tmp_path: Path) -> None:
    (tmp_path / "scripts" / "lib").mkdir(parents=True)
    (tmp_path / "scripts" / "lib" / "tools.sh").write_text("require_tool kubectl\n", encoding="utf-8")
    script = '#!/usr/bin/env bash\nsource "$(dirname "${BASH_SOURCE[0]}")/lib/tools.sh"\nrequire_tool jq\n'
    (tmp_path / "scripts" / "x.sh").write_text(script, encoding="utf-8")
    assert script_requirements(tmp_path, "x.sh", {}).tools == {"jq", "kubectl"}
