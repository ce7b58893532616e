"""How a component declares its interface, and registers exactly the outputs it declares.

A component takes `(name, args: <Component>Args, opts=None)`: a frozen dataclass holding only what it
uses, each field followed by its docstring. Its outputs are annotated on the class, each followed by
its docstring (the shape of Pulumi's component provider boilerplate), set in `__init__` and passed to
`register_outputs` by `register_declared`, so the outputs a caller can read are the ones registered.
Child resources stay local or private: callers wire components through these outputs only.
`infra/plan/reference.py` reads the same declarations into docs/components.md.
"""

from __future__ import annotations

import inspect
import re

import pulumi


def declared_outputs(component_type: type) -> tuple[str, ...]:
    """The outputs a component class declares: its own public, annotated class attributes without a value."""
    annotations = inspect.get_annotations(component_type)
    return tuple(name for name in annotations if not name.startswith("_") and name not in vars(component_type))


def output_key(name: str) -> str:
    """`service_account_member` -> `serviceAccountMember`: the engine's camelCase for registered outputs."""
    return re.sub(r"_([a-z0-9])", lambda match: match.group(1).upper(), name)


def register_declared(component: pulumi.ComponentResource) -> None:
    """Register every declared output of `component`; one left unset is a bug, and fails here."""
    outputs: dict[str, object] = {}
    for name in declared_outputs(type(component)):
        if name not in vars(component):
            raise AttributeError(f"{type(component).__name__} declares output {name!r} but never sets it")
        value = vars(component)[name]
        # A resource handed on for ordering (depends_on) is registered by its URN.
        outputs[output_key(name)] = value.urn if isinstance(value, pulumi.Resource) else value
    component.register_outputs(outputs)
