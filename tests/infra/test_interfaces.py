"""Every component declares its interface: frozen, documented args; declared outputs, and nothing else public."""

from __future__ import annotations

import ast
import dataclasses
import textwrap

import pulumi
import pytest

from infra.interface import declared_outputs, output_key, register_declared
from infra.placement import Placement
from infra.plan.python_source import class_source, parse_python
from infra.plan.reference import Interface, interfaces
from tests.infra.recording import monitored

COMPONENTS = interfaces()


def _name(item: Interface) -> str:
    return item.component.__name__


@pytest.mark.parametrize("item", COMPONENTS, ids=_name)
def test_args_are_a_frozen_dataclass_of_documented_fields(item: Interface) -> None:
    parameters = dataclasses.fields(item.args_type)
    assert item.args_type.__dataclass_params__.frozen  # type: ignore[attr-defined]
    assert [field.name for field in parameters] == [attribute.name for attribute in item.inputs]
    assert all(attribute.doc for attribute in (*item.inputs, *item.outputs))
    assert item.outputs, f"{_name(item)} declares no output"


@pytest.mark.parametrize("item", COMPONENTS, ids=_name)
def test_a_component_sets_only_its_declared_outputs_on_itself(item: Interface) -> None:
    """Children stay local or private: `self.<name> = ...` is a declared output or starts with `_`."""
    tree = parse_python(textwrap.dedent(class_source(item.component)))
    assigned = {
        target.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign | ast.AnnAssign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self"
    }
    public = {name for name in assigned if not name.startswith("_")}
    assert public == set(declared_outputs(item.component))


@pytest.mark.parametrize("item", COMPONENTS, ids=_name)
def test_a_component_registers_its_outputs_through_register_declared(item: Interface) -> None:
    source = class_source(item.component)
    assert "register_declared(self)" in source
    assert "register_outputs(" not in source


def test_output_keys_are_the_engines_camel_case() -> None:
    assert output_key("service_account_member") == "serviceAccountMember"
    assert output_key("key_ids") == "keyIds"
    assert output_key("dry_run") == "dryRun"


class _Probe(pulumi.ComponentResource):
    """A component with one plain and one resource-typed output, set or not."""

    value: pulumi.Output[str]
    """A value."""
    handle: pulumi.Resource
    """A resource handed on for ordering."""

    def __init__(self, name: str, set_handle: bool) -> None:
        super().__init__("hipaa:test:Probe", name, None, None)
        self.value = pulumi.Output.from_input("v")
        if set_handle:
            self.handle = pulumi.CustomResource(
                "test:index:Thing", f"{name}-thing", {}, pulumi.ResourceOptions(parent=self)
            )
        register_declared(self)


def test_register_declared_registers_each_declared_output_and_a_resource_by_its_urn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registered: list[tuple[pulumi.ComponentResource, dict[str, object]]] = []
    monkeypatch.setattr(
        pulumi.ComponentResource, "register_outputs", lambda self, outputs: registered.append((self, outputs))
    )
    probes: list[_Probe] = []
    monitored(lambda: probes.append(_Probe("probe", set_handle=True)))
    # The engine's own Stack registers outputs too; the probe registers exactly once.
    [(component, outputs)] = [(c, o) for c, o in registered if isinstance(c, _Probe)]
    assert component is probes[0]
    assert outputs == {"value": probes[0].value, "handle": probes[0].handle.urn}


def test_a_declared_output_left_unset_fails_the_program() -> None:
    with pytest.raises(AttributeError, match="_Probe declares output 'handle' but never sets it"):
        monitored(lambda: _Probe("probe", set_handle=False))


def test_placement_refuses_an_unknown_environment() -> None:
    with pytest.raises(ValueError, match=r"Placement\.environment 'qa' is not one of dev, staging, prod"):
        Placement(environment="qa", project_id="nwh-analytics-qa", region="us-central1")
    prod = Placement(environment="prod", project_id="nwh-analytics-prd", region="us-central1")
    assert prod.is_prod and prod.labels["environment"] == "prod"
