"""docs/components.md is what the reference generator reads from the code now, and covers every component."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pytest

from infra.config import ENVIRONMENTS
from infra.plan.reference import InterfaceError, fields_of, interface, interfaces, outputs_of, reference, render
from tests.conftest import planned
from tests.docs.citations import text


def test_committed_reference_is_what_the_generator_writes() -> None:
    assert text("docs/components.md") == reference()


def test_every_component_any_stack_plans_is_documented_and_nothing_else() -> None:
    planned_types = {r.type for stack in ENVIRONMENTS for r in planned(stack) if r.type.startswith("hipaa:")}
    assert {item.type_token for item in interfaces()} == planned_types | {"hipaa:platform:HipaaPlatform"}


def test_each_component_section_lists_its_inputs_and_outputs_with_types() -> None:
    document = reference()
    kms = document.split("\n## Kms\n", 1)[1].split("\n## ", 1)[0]
    assert "`hipaa:security:Kms` in `infra/security/kms.py`." in kms
    assert "| `rotation_period` | `str` | required | Rotation period of every symmetric key" in kms
    assert "| `key_ids` | `dict[str, pulumi.Output[str]]` | CMEK key id per purpose" in kms
    assert "| `full_readers` | `Sequence[pulumi.Input[str]]` | `()` |" in document
    assert "### Placement" in document and "| `environment` | `str` | required |" in document


@dataclass(frozen=True)
class _OptionalArgs:
    label: str | None = None
    """An optional value."""


class _Optional(pulumi.ComponentResource):
    """A component with a union-typed input and output."""

    TYPE_TOKEN = "hipaa:test:Optional"

    label: pulumi.Output[str] | None
    """The label, when one was given."""

    def __init__(self, name: str, args: _OptionalArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE_TOKEN, name, None, opts)


def test_a_bar_inside_a_type_is_escaped_so_the_table_keeps_its_columns() -> None:
    document = render([interface(_Optional)])
    assert "| `label` | `str \\| None` | `None` | An optional value. |" in document
    assert "| `label` | `pulumi.Output[str] \\| None` | The label, when one was given. |" in document


@dataclass(frozen=True)
class _UndocumentedArgs:
    documented: str
    """Has a docstring."""
    bare: str


class _UndocumentedOutput(pulumi.ComponentResource):
    """A component whose one output has no docstring."""

    TYPE_TOKEN = "hipaa:test:UndocumentedOutput"

    value: pulumi.Output[str]

    def __init__(self, name: str, args: _UndocumentedArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE_TOKEN, name, None, opts)


class _KeywordConstructor(pulumi.ComponentResource):
    """A component that still takes keyword arguments instead of one args object."""

    TYPE_TOKEN = "hipaa:test:KeywordConstructor"

    def __init__(self, name: str, *, key_id: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE_TOKEN, name, None, opts)


class _NoToken(pulumi.ComponentResource):
    """A component without its type token."""

    def __init__(self, name: str, args: _UndocumentedArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hipaa:test:NoToken", name, None, opts)


def test_an_input_or_output_without_a_docstring_is_refused() -> None:
    with pytest.raises(InterfaceError, match=r"_UndocumentedArgs\.bare has no docstring"):
        fields_of(_UndocumentedArgs)
    with pytest.raises(InterfaceError, match=r"_UndocumentedOutput\.value \(output\) has no docstring"):
        outputs_of(_UndocumentedOutput)


def test_a_constructor_that_is_not_name_args_opts_or_a_missing_token_is_refused() -> None:
    with pytest.raises(InterfaceError, match=r"is not \(self, name, args, opts\)"):
        interface(_KeywordConstructor)
    with pytest.raises(InterfaceError, match="has no TYPE_TOKEN"):
        interface(_NoToken)
    with pytest.raises(InterfaceError, match="is not a dataclass"):
        fields_of(_KeywordConstructor)
