"""What the project's documents cite: tests (`tests/x.py::test_name`), repository paths, requirement ids."""

from __future__ import annotations

import ast
import functools
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from infra.plan.python_source import parse_python

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = ("prompt.md", "model_failure.md", "README.md")

TEST_CITATION = re.compile(r"tests/[\w/]+\.py(?:::[A-Za-z_]\w*)*(?:\[[^\]\s`]*\])?")
BACKTICKED = re.compile(r"`([^`\s]+)`")
REQUIREMENT_ROW = re.compile(r"^\|\s*([A-Z]+-\d{2})\s*\|(.*)\|\s*$", re.MULTILINE)


def text(document: str) -> str:
    return (ROOT / document).read_text(encoding="utf-8")


@functools.cache
def tracked_files() -> tuple[str, ...]:
    """Every tracked file of the repository; fails (never returns nothing) when git cannot list them."""
    files = listed_files(ROOT)
    assert files, "git ls-files listed nothing"
    return files


def listed_files(root: Path) -> tuple[str, ...]:
    """A checkout's tracked files: `git ls-files`. A triggered Cloud Build's /workspace has no .git
    (the source arrives as the commit's files, beside what earlier steps wrote), so there they are
    the files .gitignore does not exclude, listed by git against an empty repository of its own."""
    if (root / ".git").exists():
        return _git_listing(root, ["ls-files", "-z"])
    with tempfile.TemporaryDirectory(prefix="tracked-files-") as scratch:
        subprocess.run(["git", "init", "--quiet", "--bare", scratch], capture_output=True, check=True)
        others = ["ls-files", "--others", "--exclude-per-directory=.gitignore", "-z"]
        return _git_listing(root, [f"--git-dir={scratch}", f"--work-tree={root}", *others])


def _git_listing(root: Path, arguments: list[str]) -> tuple[str, ...]:
    listing = subprocess.run(["git", *arguments], cwd=root, capture_output=True, check=True).stdout
    return tuple(sorted(name for name in listing.decode("utf-8").split("\0") if name))


@functools.cache
def top_level_names() -> frozenset[str]:
    return frozenset(name.split("/", 1)[0] for name in (*tracked_files(), *DOCUMENTS))


def cited_tests(document_text: str) -> list[str]:
    return TEST_CITATION.findall(document_text)


def cited_paths(document_text: str) -> list[str]:
    """Backticked repository paths (placeholders such as `<env>` or `$VAR` are not paths)."""
    paths = []
    for token in BACKTICKED.findall(document_text):
        candidate = token.split("::", 1)[0].rstrip("/")
        if any(c in candidate for c in "<>*${}()|,") or ":" in candidate:
            continue
        if candidate.split("/", 1)[0] in top_level_names():
            paths.append(candidate)
    return paths


@dataclass(frozen=True)
class TestId:
    path: str
    names: tuple[str, ...]


def parse_test_id(citation: str) -> TestId:
    without_params = re.sub(r"\[[^\]]*\]$", "", citation)
    path, *names = without_params.split("::")
    return TestId(path, tuple(names))


@functools.cache
def defined_tests(path: str) -> frozenset[tuple[str, ...]]:
    """Test functions and `Test*` class methods a file defines, as pytest node-name tuples."""
    tree = parse_python((ROOT / path).read_text(encoding="utf-8"))
    found: set[tuple[str, ...]] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
            found.add((node.name,))
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            found.update(
                (node.name, member.name)
                for member in node.body
                if isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef) and member.name.startswith("test")
            )
    return frozenset(found)


def missing_test(citation: str) -> str | None:
    """Why a cited test does not exist, or None when it does."""
    test = parse_test_id(citation)
    if not (ROOT / test.path).is_file():
        return f"{citation}: no file {test.path}"
    if test.names and test.names not in defined_tests(test.path):
        return f"{citation}: {test.path} defines no test {'::'.join(test.names)}"
    return None


def requirement_rows(prompt_text: str) -> list[tuple[str, list[str]]]:
    """(id, cells after the id) of every requirement table row of prompt.md."""
    rows = REQUIREMENT_ROW.findall(prompt_text)
    return [(row_id, [cell.strip() for cell in cells.split("|")]) for row_id, cells in rows]
