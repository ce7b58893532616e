"""docs/components.md: every component's interface, read from the code, never written by hand.

For each `pulumi.ComponentResource` under the component packages (and HipaaPlatform, which owns them):
its type token (`TYPE_TOKEN`), module, the first line of its docstring, its inputs (the fields of the
args dataclass its constructor takes, with the type as written and the docstring under each field)
and its outputs (the annotated class attributes `infra.interface.declared_outputs` finds, with their
docstrings). An input or output without a docstring is refused, so the reference cannot go thin.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import pkgutil
import sys
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pulumi

from infra.interface import declared_outputs
from infra.plan.python_source import class_source, parse_python

COMPONENT_PACKAGES = ("infra.security", "infra.network", "infra.data", "infra.compute", "infra.delivery")
ROOT_MODULE = "infra.platform"
REFERENCE_PATH = Path("docs") / "components.md"
CONSTRUCTOR = ("self", "name", "opts")


class InterfaceError(ValueError):
    """A component does not declare its interface in the form the reference reads."""


@dataclass(frozen=True)
class Attribute:
    name: str
    type: str
    doc: str
    default: str | None = None


@dataclass(frozen=True)
class Interface:
    component: type
    type_token: str
    module_path: str
    summary: str
    args_type: type
    inputs: tuple[Attribute, ...]
    outputs: tuple[Attribute, ...]


def component_types() -> list[type]:
    """Every component class defined in the component packages, and HipaaPlatform first."""
    modules = [importlib.import_module(ROOT_MODULE)]
    for package_name in COMPONENT_PACKAGES:
        package = importlib.import_module(package_name)
        for info in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            modules.append(importlib.import_module(info.name))
    found: list[type] = []
    for module in modules:
        for _, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, pulumi.ComponentResource)
                and value.__module__ == module.__name__
            ):
                found.append(value)
    return found


def _doc(text: str | None) -> str:
    return " ".join(inspect.cleandoc(text).split()) if text else ""


def class_attributes(cls: type) -> list[tuple[str, str, bool, str]]:
    """(name, annotation as written, has a value, docstring) of each annotated attribute in the class body."""
    tree = parse_python(textwrap.dedent(class_source(cls)))
    body = next(node for node in tree.body if isinstance(node, ast.ClassDef)).body
    found: list[tuple[str, str, bool, str]] = []
    for index, node in enumerate(body):
        if not isinstance(node, ast.AnnAssign) or not isinstance(node.target, ast.Name):
            continue
        following = body[index + 1] if index + 1 < len(body) else None
        doc = ""
        if isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant):
            doc = _doc(str(following.value.value))
        found.append((node.target.id, ast.unparse(node.annotation), node.value is not None, doc))
    return found


def _default(field: dataclasses.Field[object]) -> str | None:
    if field.default is not dataclasses.MISSING:
        return repr(field.default)
    if field.default_factory is not dataclasses.MISSING:
        return repr(field.default_factory())
    return None


def fields_of(args_type: type) -> tuple[Attribute, ...]:
    """The args dataclass's fields, each with its type as written and its docstring."""
    if not dataclasses.is_dataclass(args_type):
        raise InterfaceError(f"{args_type.__name__} is not a dataclass")
    written = {name: (annotation, doc) for name, annotation, _, doc in class_attributes(args_type)}
    attributes: list[Attribute] = []
    for field in dataclasses.fields(args_type):
        annotation, doc = written.get(field.name, ("", ""))
        if not doc:
            raise InterfaceError(f"{args_type.__name__}.{field.name} has no docstring")
        attributes.append(Attribute(field.name, annotation, doc, _default(field)))
    return tuple(attributes)


def outputs_of(component: type) -> tuple[Attribute, ...]:
    """The outputs the component class declares, each with its type and docstring."""
    written = {name: (annotation, doc) for name, annotation, has_value, doc in class_attributes(component)}
    attributes: list[Attribute] = []
    for name in declared_outputs(component):
        annotation, doc = written[name]
        if not doc:
            raise InterfaceError(f"{component.__name__}.{name} (output) has no docstring")
        attributes.append(Attribute(name, annotation, doc))
    return tuple(attributes)


def args_type_of(component: type) -> type:
    """The type of the constructor's one args parameter: `(self, name, args, opts=None)`."""
    constructor = vars(component).get("__init__")
    if not inspect.isfunction(constructor):
        raise InterfaceError(f"{component.__name__} defines no constructor of its own")
    signature = inspect.signature(constructor).parameters
    parameters = list(signature)
    positional = all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in list(signature.values())[:3])
    if len(parameters) != 4 or (parameters[0], parameters[1], parameters[3]) != CONSTRUCTOR or not positional:
        raise InterfaceError(f"{component.__name__}.__init__{tuple(parameters)} is not (self, name, args, opts)")
    args_type = _named_type(component.__module__, constructor.__annotations__.get(parameters[2]))
    if args_type is None:
        raise InterfaceError(f"{component.__name__}: the args parameter is not annotated with a class")
    return args_type


def _named_type(module: str, annotation: object) -> type | None:
    """The class a plain-name annotation (`KmsArgs`, `Placement`) names in its module, else None.

    Annotations are read by name, not evaluated: `pulumi.Input[...]` holds a forward reference that
    only resolves inside the SDK."""
    if isinstance(annotation, type):
        return annotation
    value = vars(sys.modules[module]).get(annotation) if isinstance(annotation, str) else None
    return value if isinstance(value, type) else None


def interface(component: type) -> Interface:
    token = vars(component).get("TYPE_TOKEN")
    if not isinstance(token, str) or not token.startswith("hipaa:"):
        raise InterfaceError(f"{component.__name__} has no TYPE_TOKEN of the form hipaa:<domain>:<Name>")
    summary = _doc((component.__doc__ or "").split("\n\n", 1)[0])
    if not summary:
        raise InterfaceError(f"{component.__name__} has no docstring")
    args_type = args_type_of(component)
    module_path = component.__module__.replace(".", "/") + ".py"
    return Interface(component, token, module_path, summary, args_type, fields_of(args_type), outputs_of(component))


def interfaces() -> list[Interface]:
    """HipaaPlatform first, then every component by type token."""
    found = [interface(component) for component in component_types()]
    root = [i for i in found if i.component.__module__ == ROOT_MODULE]
    return root + sorted((i for i in found if i not in root), key=lambda i: i.type_token)


def shared_types(found: Iterable[Interface]) -> list[type]:
    """Dataclasses that args fields are typed with (Placement, NetworkRanges), documented once."""
    shared: dict[str, type] = {}
    for item in found:
        for field in dataclasses.fields(item.args_type):
            named = _named_type(item.args_type.__module__, field.type)
            if named is not None and dataclasses.is_dataclass(named):
                shared[named.__name__] = named
    return [shared[name] for name in sorted(shared)]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return lines + ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in rows]


def _inputs(attributes: Sequence[Attribute]) -> list[str]:
    rows = [
        (f"`{a.name}`", f"`{a.type}`", "required" if a.default is None else f"`{a.default}`", a.doc) for a in attributes
    ]
    return _table(("name", "type", "default", "description"), rows)


def render(found: Sequence[Interface]) -> str:
    lines = [
        "# Component reference",
        "",
        "Generated by `python -m infra readme` from the code: each component's args dataclass (fields and",
        "their docstrings) and the outputs it declares on its class. Do not edit by hand; `python -m infra",
        "readme --check` and `tests/docs/test_components_reference.py` fail when this file is stale.",
        "A component takes `(name, args, opts=None)` and is wired to others through its outputs only.",
        "",
        *_table(
            ("component", "type token", "module", "inputs", "outputs"),
            (
                (
                    f"[{i.component.__name__}](#{i.component.__name__.lower()})",
                    f"`{i.type_token}`",
                    f"`{i.module_path}`",
                    str(len(i.inputs)),
                    str(len(i.outputs)),
                )
                for i in found
            ),
        ),
    ]
    for item in found:
        lines += ["", f"## {item.component.__name__}", "", f"`{item.type_token}` in `{item.module_path}`.", ""]
        lines += [item.summary, "", f"Inputs (`{item.args_type.__name__}`):", "", *_inputs(item.inputs), ""]
        lines += [
            "Outputs:",
            "",
            *_table(("name", "type", "description"), ((f"`{o.name}`", f"`{o.type}`", o.doc) for o in item.outputs)),
        ]
    lines += ["", "## Shared argument types"]
    for shared in shared_types(found):
        module_path = shared.__module__.replace(".", "/") + ".py"
        lines += ["", f"### {shared.__name__}", "", f"In `{module_path}`. {_doc(shared.__doc__)}", ""]
        lines += _inputs(fields_of(shared))
    return "\n".join(lines) + "\n"


def reference() -> str:
    return render(interfaces())
