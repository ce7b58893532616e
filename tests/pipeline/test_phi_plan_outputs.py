"""The PHI gate reads every stack's preview.json (outputs/ of the build): the plan itself must scan clean.

The plan is synthetic by construction (names, members, labels), so a finding here is a false positive
that would refuse every build of that stack; the first full simulated dev build met one (the Google group
that writes Cloud Storage usage logs).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.config import ENVIRONMENTS
from infra.plan.resources import to_preview
from pipeline.phi.engine import detector
from pipeline.phi.scanner import scan
from tests.conftest import planned


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_the_planned_preview_scans_clean(stack: str, tmp_path: Path) -> None:
    preview = tmp_path / "preview.json"
    # As `python -m infra plan --json` writes it (infra/__main__.py).
    preview.write_text(json.dumps(to_preview(list(planned(stack))), indent=2, sort_keys=True), encoding="utf-8")
    result = scan([preview], detector(None))
    assert result.files_scanned == 1
    assert [(f.line, f.entity_type) for f in result.findings] == []
