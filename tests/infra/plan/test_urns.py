"""No resource is replaced by accident: every URN of each stack's committed snapshot is still planned."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.plan import urns
from tests.conftest import planned_urns


def test_every_snapshot_urn_is_still_planned(stack: str) -> None:
    drift = urns.compare(urns.read_snapshot(stack), planned_urns(stack))
    assert not drift.missing, "\n".join(urns.describe(stack, drift))


def test_the_snapshot_knows_every_planned_urn(stack: str) -> None:
    drift = urns.compare(urns.read_snapshot(stack), planned_urns(stack))
    assert not drift.added, "\n".join(urns.describe(stack, drift))


def test_urns_carry_the_engines_parent_chain(stack: str) -> None:
    # The engine qualifies a child's type with every ancestor's type; the SDK's mock names only the
    # parent's. Only the full chain tells a move between components from no change at all.
    chain = "hipaa:platform:HipaaPlatform$hipaa:security:Kms$gcp:kms/keyRing:KeyRing"
    key = f"urn:pulumi:{stack}::hipaa::{chain}::kms-keyring"
    assert key in planned_urns(stack)
    assert f"urn:pulumi:{stack}::hipaa::hipaa:platform:HipaaPlatform::hipaa" in planned_urns(stack)


def test_the_provider_is_in_the_snapshot(stack: str) -> None:
    # Renaming the explicit provider would replace every resource it manages.
    provider = f"urn:pulumi:{stack}::hipaa::hipaa:platform:HipaaPlatform$pulumi:providers:gcp::hipaa-gcp"
    assert provider in urns.read_snapshot(stack)


def test_a_renamed_resource_is_reported_missing_with_the_fix() -> None:
    snapshot = ("urn:pulumi:prod::hipaa::a:b:C::old", "urn:pulumi:prod::hipaa::a:b:C::kept")
    drift = urns.compare(snapshot, ("urn:pulumi:prod::hipaa::a:b:C::kept", "urn:pulumi:prod::hipaa::a:b:C::new"))
    assert drift.missing == ("urn:pulumi:prod::hipaa::a:b:C::old",)
    assert drift.added == ("urn:pulumi:prod::hipaa::a:b:C::new",)
    lines = urns.describe("prod", drift)
    assert "add a Pulumi alias" in lines[0]
    assert any("--write" in line for line in lines)


def test_render_and_read_round_trip(tmp_path: Path) -> None:
    listed = ("urn:pulumi:dev::hipaa::t:a:B::y", "urn:pulumi:dev::hipaa::t:a:B::x")
    (tmp_path / "dev.urns").write_text(urns.render("dev", listed), encoding="utf-8")
    assert urns.read_snapshot("dev", tmp_path) == tuple(sorted(listed))


@pytest.mark.parametrize(
    "text", ["", "# only a comment\n", "urn:pulumi:prod::hipaa::t:a:B::x\n"], ids=["empty", "comment", "other-stack"]
)
def test_a_missing_or_foreign_snapshot_is_an_error(tmp_path: Path, text: str) -> None:
    (tmp_path / "dev.urns").write_text(text, encoding="utf-8")
    with pytest.raises(urns.SnapshotError, match=r"dev\.urns"):
        urns.read_snapshot("dev", tmp_path)
    with pytest.raises(urns.SnapshotError, match="cannot read"):
        urns.read_snapshot("staging", tmp_path)


def test_write_refuses_to_drop_urns_unless_told(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "dev.urns").write_text(urns.render("dev", ["urn:pulumi:dev::hipaa::t:a:B::gone"]), encoding="utf-8")
    monkeypatch.setattr(urns, "SNAPSHOT_DIR", tmp_path)
    monkeypatch.setattr("infra.plan.mockrun.run_stack", lambda stack: _Planned(planned_urns("dev")))
    assert urns.command("dev", write=False, accept_removed=False) == 1
    assert urns.command("dev", write=True, accept_removed=False) == 1
    assert "gone" in (tmp_path / "dev.urns").read_text()
    assert urns.command("dev", write=True, accept_removed=True) == 0
    assert urns.command("dev", write=False, accept_removed=False) == 0


class _Planned:
    def __init__(self, listed: tuple[str, ...]) -> None:
        self.engine_urns = {urn: urn for urn in listed}
