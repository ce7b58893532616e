"""The Checkov the pipeline runs (its step image) is the Checkov test_checkov.py runs (.venv-tools)."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.images import IMAGES

PIN = Path(__file__).resolve().parents[3] / "requirements" / "tools" / "checkov.txt"


def test_pipeline_image_tag_is_the_tested_pin() -> None:
    (pinned,) = re.findall(r"^checkov==(\S+)$", PIN.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert IMAGES["checkov"].ref.rsplit(":", 1)[1] == pinned
