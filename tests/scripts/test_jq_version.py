"""The script tests run the jq the pipeline runs: jq's answers (numbers, errors, builtins) differ by release."""

from __future__ import annotations

import subprocess
from pathlib import Path

from pipeline.images import IMAGES
from tests.scripts.fakes import FakeTools


def test_scripts_run_with_the_jq_version_the_pipeline_pins(tmp_path: Path) -> None:
    pinned = "jq-" + IMAGES["jq"].ref.rsplit(":", 1)[1]
    # The jq a script's `jq` resolves to, in the environment every script test gives it.
    found = subprocess.run(
        ["bash", "-c", "command -v jq && jq --version"],
        capture_output=True,
        text=True,
        env=FakeTools(tmp_path).environment(),
        check=False,
    )
    path, _, version = found.stdout.strip().partition("\n")
    assert version == pinned, (
        f"script tests would run {path or 'no jq'} ({version or found.stderr.strip()}), not {pinned}: "
        "`make test` puts it in .tools/jq (.ci/build-jq)"
    )
