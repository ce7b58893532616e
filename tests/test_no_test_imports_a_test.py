"""Tests take shared data and helpers from fixture modules, never from another test module.

A test module imported by another runs its module-level code twice and ties two test files together
in a way nobody sees from the importing one; shared cases and builders belong in `*_fixtures.py`,
`*_cases.py`, `builders.py` and the like.
"""

from __future__ import annotations

import ast
from pathlib import Path

from infra.plan.python_source import parse_python

TESTS = Path(__file__).resolve().parent


def _imported_modules(path: Path) -> list[str]:
    tree = parse_python(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
    return names


def _is_test_module(dotted: str) -> bool:
    return dotted.startswith("tests.") and dotted.rsplit(".", 1)[-1].startswith("test_")


def test_no_test_module_imports_another_test_module() -> None:
    offenders = [
        f"{path.relative_to(TESTS.parent)} imports {name}"
        for path in sorted(TESTS.rglob("*.py"))
        for name in _imported_modules(path)
        if _is_test_module(name)
    ]
    assert offenders == []


def test_the_check_sees_an_import_of_a_test_module(tmp_path: Path) -> None:
    sample = tmp_path / "test_sample.py"
    sample.write_text("from tests.scripts.test_x import CASES\nimport tests.infra.test_y\n", encoding="utf-8")
    assert [name for name in _imported_modules(sample) if _is_test_module(name)] == [
        "tests.scripts.test_x",
        "tests.infra.test_y",
    ]
