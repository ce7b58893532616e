"""Every test and path the documents cite exists, so a reader can run and open what they name."""

from __future__ import annotations

import pytest

from tests.docs.citations import DOCUMENTS, ROOT, cited_paths, cited_tests, missing_test, parse_test_id, text


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_cited_test_exists(document: str) -> None:
    citations = cited_tests(text(document))
    assert citations, f"{document} cites no test"
    assert [reason for c in sorted(set(citations)) if (reason := missing_test(c))] == []


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_cited_path_exists(document: str) -> None:
    paths = cited_paths(text(document))
    assert paths, f"{document} cites no path"
    assert sorted({p for p in paths if not (ROOT / p).exists()}) == []


def test_the_parser_sees_class_methods_and_parameters() -> None:
    assert parse_test_id("tests/a/test_b.py::TestC::test_d[prod-1]").names == ("TestC", "test_d")
    assert missing_test("tests/docs/test_citations.py::test_every_cited_test_exists[README.md]") is None
    assert missing_test("tests/docs/test_citations.py::test_no_such_test") is not None
    assert missing_test("tests/docs/test_no_such_file.py") is not None


def test_the_parser_skips_placeholders_and_urls() -> None:
    sample = "`infra/rules/<area>.py` `gs://b/reports/x` `$EVIDENCE_DIR/a.json` `scripts/lib/core.sh` `make test`"
    assert cited_paths(sample) == ["scripts/lib/core.sh"]
