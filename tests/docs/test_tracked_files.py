"""The docs tests' list of tracked files holds in a build's /workspace, which has no .git."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.docs.citations import listed_files, tracked_files


def _tree(root: Path) -> None:
    for name, content in {
        ".gitignore": "/bin/\n/outputs/\n.venv/\n",
        "README.md": "# r\n",
        "scripts/run.sh": "#!/usr/bin/env bash\n",
        "bin/jq": "binary\n",
        "outputs/test-results/junit.xml": "<testsuites/>\n",
        ".venv/bin/python": "\n",
    }.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content, encoding="utf-8")


def test_without_git_the_files_gitignore_keeps_are_listed(tmp_path: Path) -> None:
    """A triggered build's workspace: the commit's files beside what earlier steps wrote."""
    _tree(tmp_path)
    assert listed_files(tmp_path) == (".gitignore", "README.md", "scripts/run.sh")


def test_in_a_checkout_git_lists_what_it_tracks(tmp_path: Path) -> None:
    _tree(tmp_path)
    subprocess.run(["git", "init", "--quiet", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "add", "README.md"], check=True)
    assert listed_files(tmp_path) == ("README.md",)


def test_the_repository_lists_its_sources_and_none_of_the_build_products() -> None:
    files = tracked_files()
    assert "cloudbuild.yaml" in files and "tests/docs/citations.py" in files
    assert not [name for name in files if name.split("/", 1)[0] in {"bin", "outputs", "evidence", ".venv"}]
