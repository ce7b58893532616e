"""README.md: its generated sections are what the generators produce now, its quick start is two commands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import infra.plan.mockrun
from infra.__main__ import main
from infra.config import ENVIRONMENTS
from infra.plan.readme import SECTIONS, ReadmeError, begin_marker, end_marker, generated, sections, update
from infra.plan.reference import reference
from tests.conftest import planned
from tests.docs.citations import ROOT, text


def current_sections() -> dict[str, str]:
    return sections({stack: planned(stack) for stack in ENVIRONMENTS})


def test_generated_sections_equal_the_generators_output() -> None:
    readme = text("README.md")
    assert {s: generated(readme, s) for s in SECTIONS} == current_sections()


def test_component_table_counts_every_cloud_resource_of_each_stack() -> None:
    table = current_sections()["components"]
    totals = table.splitlines()[-1]
    expected = [sum(not r.type.startswith("hipaa:") for r in planned(s)) for s in ENVIRONMENTS]
    assert totals == "| total | " + " | ".join(map(str, expected)) + " |"
    assert "| `hipaa:security:Kms` |" in table and "| `hipaa:security:Perimeter` | 1 | 1 | 1 |" in table


def test_quick_start_names_exactly_the_two_commands() -> None:
    quick_start = text("README.md").split("## Quick start", 1)[1].split("\n## ", 1)[0]
    [block] = re.findall(r"```\n(.*?)```", quick_start, re.DOTALL)
    commands = [line.split("#", 1)[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["make plan STACK=prod", "make test"]


def test_make_readme_regenerates_the_sections() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^readme: .*\n\t\$\(PY\) -m infra readme$", makefile, re.MULTILINE)


def test_update_replaces_only_between_markers_and_refuses_missing_or_doubled_ones() -> None:
    section = f"{begin_marker('pipeline')}\nold\n{end_marker('pipeline')}"
    assert update(f"intro\n{section}\noutro\n", {"pipeline": "new\n"}) == section.replace("old", "new").join(
        ["intro\n", "\noutro\n"]
    )
    with pytest.raises(ReadmeError, match="expected one 'pipeline' section"):
        update("no markers here\n", {"pipeline": "x\n"})
    with pytest.raises(ReadmeError, match="found 2"):
        generated(section + section, "pipeline")


@pytest.fixture
def offline_plans(monkeypatch: pytest.MonkeyPatch) -> None:
    """`python -m infra readme` plans each stack; give it this run's plans instead of planning again."""
    monkeypatch.setattr(infra.plan.mockrun, "run_program", lambda stack, _values=None: list(planned(stack)))


@pytest.mark.usefixtures("offline_plans")
def test_readme_command_checks_writes_and_refuses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    readme, components = tmp_path / "README.md", tmp_path / "components.md"
    paths = ["--path", str(readme), "--reference", str(components)]
    stale = "# t\n" + "".join(f"{begin_marker(s)}\nstale\n{end_marker(s)}\n" for s in SECTIONS)
    readme.write_text(stale, encoding="utf-8")
    assert main(["readme", *paths, "--check"]) == 1
    assert "stale; run `make readme`" in capsys.readouterr().err
    assert readme.read_text(encoding="utf-8") == stale
    assert not components.exists()
    assert main(["readme", *paths]) == 0
    assert {s: generated(readme.read_text(encoding="utf-8"), s) for s in SECTIONS} == current_sections()
    assert components.read_text(encoding="utf-8") == reference()
    assert main(["readme", *paths, "--check"]) == 0
    # A reference that drifted from the code fails the check on its own, naming the file.
    components.write_text(reference().replace("## Kms", "## Keys"), encoding="utf-8")
    assert main(["readme", *paths, "--check"]) == 1
    assert f"{components}: generated sections are stale" in capsys.readouterr().err
    readme.write_text("# no markers\n", encoding="utf-8")
    assert main(["readme", *paths]) == 2
    assert "expected one 'components' section" in capsys.readouterr().err
    assert main(["readme", "--path", str(tmp_path / "missing.md"), "--reference", str(components)]) == 2
