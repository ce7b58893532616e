"""Every `python -m infra` command that reads a stack file refuses a broken one as `plan` does: exit 2,
one line naming file, key and problem, before anything is planned or written."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.__main__ import main
from infra.plan import mockrun

BROKEN = "  hipaa:region: mars-north1"
MESSAGE = "error: Pulumi.prod.yaml: hipaa:region=mars-north1 is not a Google Cloud region\n"
# Each command reads the prod stack file (the ones over every stack read it too).
COMMANDS = (
    ["plan", "--stack", "prod"],
    ["allowlist", "--stack", "prod", "--check"],
    ["urns", "--stack", "prod"],
    ["urns", "--stack", "prod", "--write"],
    ["readme", "--check"],
    ["monitoring-export", "--check"],
    ["shell-facts", "--check"],
)


@pytest.fixture
def broken_prod(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project root whose prod stack file names a region that does not exist; the others are intact."""
    for name in ("__main__.py", "Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.staging.yaml"):
        (tmp_path / name).write_text((mockrun.PROJECT_ROOT / name).read_text(encoding="utf-8"), encoding="utf-8")
    prod = (mockrun.PROJECT_ROOT / "Pulumi.prod.yaml").read_text(encoding="utf-8")
    assert "  hipaa:region: us-central1\n" in prod
    (tmp_path / "Pulumi.prod.yaml").write_text(
        prod.replace("  hipaa:region: us-central1\n", f"{BROKEN}\n", 1), encoding="utf-8"
    )
    monkeypatch.setattr(mockrun, "PROJECT_ROOT", tmp_path)
    return tmp_path


@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_command_refuses_a_broken_stack_file(
    argv: list[str], broken_prod: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", MESSAGE)
