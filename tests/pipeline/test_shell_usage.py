"""Reading what shell code runs: commands, functions, the helpers a script reaches."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.images import DEBIAN_BASE
from pipeline.render import ROOT
from pipeline.requirements import known_tools
from pipeline.shell_usage import commands, function_of, reached_code, split

LIBRARIES = sorted((ROOT / "scripts" / "lib").glob("*.sh"))


def test_commands_skip_comments_quotes_and_heredocs_but_see_substitutions() -> None:
    code = (
        'x=$(jq -r "a (b)" <<<"$y")  # curl in a comment\n'
        'die "inventory: missing (make inventory writes it); docker too"\n'
        "printf -v v '%s' \"$(kubectl get --arg n \"$c\" '[.[] | select(.a == $n)] | length')\"\n"
        "if ! gcloud x; then LC_ALL=C sort y | bq z; fi\n"
        "cat <<'EOF'\ntrivy in a heredoc\nEOF\n"
        "n=${#arr[@]}; command -v pulumi\n"
    )
    assert commands(code) & known_tools() == {"jq", "kubectl", "gcloud", "sort", "bq", "cat"}


SCRIPT = """source lib/x.sh
helper
"""
LIBRARY = """helper() {
  jq . <<<"$1"
  die "x"
}

die() {
  echo "$1"
  write_evidence # only after open_gate
}

write_evidence() {
  gcloud x
}

open_gate() {
  true
}

unused() {
  kubectl get
}
"""


def _reached(script: str) -> dict[str, frozenset[str]]:
    files = [split("a.sh", script), split("lib/x.sh", LIBRARY)]
    return {function_of(f, piece): commands(piece) & known_tools() for f, piece in reached_code(files)}


def test_a_script_reaches_the_helpers_it_calls_and_no_others() -> None:
    assert _reached(SCRIPT) == {
        "scripts/a.sh": set(),
        "scripts/lib/x.sh": set(),
        "scripts/lib/x.sh helper": {"jq"},
        "scripts/lib/x.sh die": set(),
    }


def test_a_call_marked_only_after_counts_once_its_condition_is_reached() -> None:
    reached = _reached(SCRIPT + "open_gate\n")
    assert reached["scripts/lib/x.sh write_evidence"] == {"gcloud"}
    assert "scripts/lib/x.sh unused" not in reached


@pytest.mark.parametrize("library", LIBRARIES, ids=lambda path: path.name)
def test_every_library_helper_declares_the_tools_it_runs(library: Path) -> None:
    # So a missing tool fails as "required tool 'jq' is not installed", never as the tool's output.
    # Debian's Essential commands are in every step image and are not declared.
    parsed = split(f"lib/{library.name}", library.read_text(encoding="utf-8"))
    undeclared: dict[str, list[str]] = {}
    for function, body in parsed.functions.items():
        declared = {w for line in re.findall(r"^\s*require_tool\s+(.+)$", body, re.M) for w in line.split()}
        runs = (commands(body) & known_tools()) - DEBIAN_BASE
        if runs - declared:
            undeclared[function] = sorted(runs - declared)
    assert undeclared == {}
