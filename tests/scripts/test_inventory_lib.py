"""scripts/lib/inventory.sh: how a live listing is compared with the expected inventory, and how the
gates refuse an inventory they cannot trust. Runs a probe gate next to an inventory written here."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.scripts.fakes import FakeTools, Result
from tests.scripts.scanner_fixtures import scripts_copy

PROBE = Path(__file__).parent / "fixtures" / "inventory-probe.sh"
PROJECT = "nwh-analytics-dev"
OWNER = "projects/{project_number:nwh-analytics-dev}"


def document(env: str = "dev", **changes: Any) -> dict[str, Any]:
    widgets = [
        {
            "id": "a",
            "properties": {
                "enabled": False,
                "mode": "strict",
                "nested": {"level": 3},
                "rules": [{"kind": "deny"}],
                "tags": ["x", "y"],
            },
        },
        {"id": "b", "properties": {}},
        {"id": "c", "properties": {"owner": OWNER}},
    ]
    base = {
        "environment": env,
        "description": "probe",
        "scope": {"project": PROJECT},
        "gates": {"probe": ["widgets"]},
        "kinds": {"widgets": {"noun": "widget", "governed": True, "resources": widgets}},
    }
    return {**base, **changes}


def compliant() -> list[dict[str, Any]]:
    """Live entries matching the inventory: absent false values, reordered sets, extra fields are fine."""
    return [
        {
            "name": "a",
            "mode": "strict",
            "nested": {"level": 3, "x": 1},
            "rules": [{"kind": "deny", "n": 2}],
            "tags": ["y", "x"],
        },
        {"name": "b", "anything": True},
        {"name": "c", "owner": "projects/731522004816"},
    ]


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    tools = FakeTools(tmp_path)
    tools.on(
        "gcloud", ["projects", "describe", PROJECT], stdout={"projectId": PROJECT, "projectNumber": "731522004816"}
    )
    return tools


def probe(tools: FakeTools, listing: Any, inventory: Any = None, env: str = "dev", prefix: str = "") -> Result:
    root = tools.root / "repo"
    if not root.exists():
        scripts_copy(root)
        shutil.copy(PROBE, root / "scripts" / PROBE.name)
    target = root / "security" / "inventory" / f"{env}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    content = inventory if isinstance(inventory, str) else json.dumps(document(env) if inventory is None else inventory)
    target.write_text(content, encoding="utf-8")
    live = tools.root / "listing.json"
    live.write_text(listing if isinstance(listing, str) else json.dumps(listing), encoding="utf-8")
    args = [env, PROJECT, str(live), ".name", *([prefix] if prefix else [])]
    return tools.run(str(root / "scripts" / PROBE.name), *args)


def test_compliant_listing_passes_with_the_counts_in_the_evidence(tools: FakeTools) -> None:
    result = probe(tools, compliant())
    assert result.returncode == 0, result.stderr
    assert tools.evidence_of("probe")["inventory"] == {
        "file": "security/inventory/dev.json",
        "expected": 3,
        "found": 3,
        "missing": 0,
        "unmanaged": 0,
        "mismatched": 0,
        "properties": 6,
        "unmanaged_tolerated": [],
    }
    # the inventory named the project; the gate asked for its number
    assert tools.called("gcloud", "projects", "describe", PROJECT, "--format=json")


def test_each_differing_property_is_named_with_both_values(tools: FakeTools) -> None:
    live = compliant()
    live[0].update(enabled=True, nested={"level": 4}, rules=[{"kind": "allow"}], tags=["x", "z", "w"])
    del live[0]["mode"]
    live[2]["owner"] = "projects/999"
    assert probe(tools, live).returncode == 1
    evidence = tools.evidence_of("probe")
    assert evidence["violations"] == [
        "widget a: enabled is true, the inventory expects false",
        "widget a: mode is not set, the inventory expects strict",
        "widget a: nested.level is 4, the inventory expects 3",
        "widget a: rules differs from the inventory",
        "widget a: tags lacks y; has extra z, w",
        "widget c: owner is projects/999, the inventory expects projects/731522004816",
    ]
    assert (evidence["inventory"]["found"], evidence["inventory"]["mismatched"]) == (3, 2)


def test_missing_and_unmanaged_fail_outside_dev(tools: FakeTools) -> None:
    live = [*compliant()[1:], {"name": "stray"}]
    assert probe(tools, live, env="staging").returncode == 1
    evidence = tools.evidence_of("probe")
    assert evidence["violations"] == [
        "widget a: planned but not found",
        "widget stray: not in the inventory (unmanaged)",
    ]
    assert evidence["inventory"]["missing"] == 1 and evidence["inventory"]["unmanaged"] == 1


def test_a_prefix_compares_only_the_identities_under_it(tools: FakeTools) -> None:
    inventory = document()
    inventory["kinds"]["widgets"]["resources"] = [
        {"id": "d1.t", "properties": {}},
        {"id": "d2.t", "properties": {}},
    ]
    result = probe(tools, [{"name": "d1.t"}], inventory, prefix="d1.")
    # d2.t is not this listing's to find, and the gate did not compare it: refused, never passed
    assert result.returncode == 1
    assert result.reason == "inventory-probe.sh: FAIL: inventory: gate probe compared 1 of the 2 planned widgets"


def test_an_empty_listing_where_resources_are_planned_is_a_tool_error(tools: FakeTools) -> None:
    result = probe(tools, [])
    assert result.returncode == 1
    assert (
        result.reason
        == f"inventory-probe.sh: FAIL: widgets of {PROJECT}: listed nothing, but the inventory plans 3 widget(s)"
    )


@pytest.mark.parametrize(
    ("inventory", "reason"),
    [
        ("{not json", "not valid JSON"),
        ([], "is not an inventory"),
        (document("prod"), "is for environment prod, not dev"),
        (document(scope={"project": "nwh-analytics-prd"}), f"is for project nwh-analytics-prd, not {PROJECT}"),
        (document(gates={"encryption": ["widgets"]}), "assigns gate probe no kinds"),
        (
            document(gates={"probe": ["widgets", "gadgets"]}),
            "kind gadgets of gate probe is not a list of {id, properties}",
        ),
    ],
)
def test_an_inventory_that_cannot_be_trusted_fails_closed(tools: FakeTools, inventory: Any, reason: str) -> None:
    result = probe(tools, compliant(), inventory)
    assert result.returncode == 1
    assert result.reason == f"inventory-probe.sh: FAIL: inventory security/inventory/dev.json: {reason}"
    assert tools.evidence_of("probe")["status"] == "fail"


def test_a_missing_inventory_fails_closed(tools: FakeTools) -> None:
    probe(tools, compliant())
    (tools.root / "repo" / "security" / "inventory" / "dev.json").unlink()
    live = tools.root / "listing.json"
    result = tools.run(str(tools.root / "repo" / "scripts" / PROBE.name), "dev", PROJECT, str(live), ".name")
    assert result.returncode == 1
    assert result.reason.endswith(
        "inventory security/inventory/dev.json: missing or unreadable (make inventory writes it)"
    )
