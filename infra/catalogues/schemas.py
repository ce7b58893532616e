"""Check a planned resource's inputs against the API schema its mapping names (enums, formats, types, required)."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from infra.catalogues.schema_map import TypeMap

_DURATION = re.compile(r"^-?\d+(\.\d{1,9})?s$")
_INTEGER = re.compile(r"^-?\d+$")
_MISSING = object()


@dataclass(frozen=True)
class Outcome:
    problems: list[str]
    checked: int  # input values compared with their API field


def _is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def values_at(inputs: Any, path: str) -> Iterator[Any]:
    """Every value at a dotted input path, walking into list items; nothing when the path is unset."""
    parts = path.split(".") if path else []
    if _is_list(inputs):
        for item in inputs:
            yield from values_at(item, path)
        return
    if not parts:
        if inputs is not None:
            yield inputs
        return
    if isinstance(inputs, Mapping) and inputs.get(parts[0]) is not None:
        yield from values_at(inputs[parts[0]], ".".join(parts[1:]))


class _Schemas:
    def __init__(self, api: Mapping[str, Any]) -> None:
        self.schemas: Mapping[str, Any] = api.get("schemas") or {}

    def unwrap(self, node: Mapping[str, Any]) -> Mapping[str, Any]:
        while "$ref" in node:
            name = str(node["$ref"])
            if name not in self.schemas:
                raise KeyError(f"schema {name} is not in the catalogue")
            node = self.schemas[name]
        return node

    def field(self, root: str, path: str) -> Mapping[str, Any]:
        """The property node at an API path below a root ("Schema" or "Schema.inner")."""
        name, *inner = root.split(".")
        node: Mapping[str, Any] = {"$ref": name}
        for part in [*inner, *filter(None, path.split("."))]:
            node = self.unwrap(node)
            while node.get("type") == "array":
                node = self.unwrap(node.get("items") or {})
            child = node.get("additionalProperties") if part == "*" else (node.get("properties") or {}).get(part)
            if not isinstance(child, Mapping):
                raise KeyError(f"{root} has no field {path}")
            node = child
        return node


def _integral(value: Any) -> bool:
    """Integers, and the whole floats JSON round trips turn them into (the engine's numbers are doubles)."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _format_problem(value: Any, fmt: str) -> str | None:
    if fmt in ("int64", "uint64", "int32", "uint32"):
        ok = _integral(value) or (isinstance(value, str) and bool(_INTEGER.match(value)))
        return None if ok else f"{value!r} is not an integer ({fmt})"
    if fmt == "google-duration":
        return None if isinstance(value, str) and _DURATION.match(value) else f"{value!r} is not a duration like 3600s"
    if fmt == "google-datetime":
        try:
            datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return f"{value!r} is not an RFC 3339 timestamp"
    if fmt == "byte":
        try:
            base64.b64decode(str(value), validate=True)
        except (binascii.Error, ValueError):
            return f"{value!r} is not base64"
    return None


def conforms(value: Any, node: Mapping[str, Any], schemas: _Schemas) -> str | None:
    """Why a value does not fit an API property, or None."""
    if "$ref" in node:
        return None if isinstance(value, Mapping) else f"{value!r} is not an object"
    kind = node.get("type")
    if kind == "array":
        items = node.get("items") or {}
        return next((p for v in (value if _is_list(value) else [value]) if (p := conforms(v, items, schemas))), None)
    if kind == "object":
        if not isinstance(value, Mapping):
            return f"{value!r} is not an object"
        inner = node.get("additionalProperties")
        if isinstance(inner, Mapping):
            return next((p for v in value.values() if (p := conforms(v, inner, schemas))), None)
        return None
    if kind == "boolean" and not isinstance(value, bool):
        return f"{value!r} is not a boolean"
    if kind == "integer" and not _integral(value):
        return f"{value!r} is not an integer"
    if kind == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
        return f"{value!r} is not a number"
    if kind == "string":
        if node.get("format") not in ("int64", "uint64") and not isinstance(value, str):
            return f"{value!r} is not a string"
        if node.get("enum") and value not in node["enum"]:
            return f"{value!r} is not one of the API's values ({', '.join(map(str, node['enum'][:8]))}...)"
    return _format_problem(value, str(node["format"])) if node.get("format") else None


def _convert(value: Any, converter: str) -> Any:
    if converter == "tf_bool":
        return {"TRUE": True, "FALSE": False}.get(value, _MISSING) if isinstance(value, str) else _MISSING
    raise ValueError(f"unknown converter {converter}")


def _required(mapping: TypeMap, inputs: Mapping[str, Any], schemas: _Schemas) -> list[str]:
    """API fields the API calls required, below every object the inputs set, that are neither set nor provided."""
    set_paths = {
        api.split("|")[0] for path, api in mapping.fields.items() if any(True for _ in values_at(inputs, path))
    }
    mapped = {api.split("|")[0] for api in mapping.fields.values()}
    parents = {""} | {".".join(p.split(".")[:i]) for p in set_paths for i in range(1, len(p.split(".")))}
    problems = []
    for parent in sorted(parents):
        node = schemas.unwrap(schemas.field(mapping.schema, parent)) if parent else schemas.field(mapping.schema, "")
        node = schemas.unwrap(node.get("items") or {}) if node.get("type") == "array" else schemas.unwrap(node)
        for name, prop in (node.get("properties") or {}).items():
            full = f"{parent}.{name}".strip(".")
            if not prop.get("required") or prop.get("readOnly") or full in mapping.provided:
                continue
            if not any(p == full or p.startswith(f"{full}.") for p in mapped):
                problems.append(f"required API field {full} has no mapped input (schema map gap)")
            elif not any(p == full or p.startswith(f"{full}.") for p in set_paths):
                problems.append(f"required field {full} is not set")
    return problems


def check(mapping: TypeMap, inputs: Mapping[str, Any], api: Mapping[str, Any]) -> Outcome:
    """Compare every mapped input the plan sets with its API field; a mapping the catalogue lacks fails."""
    schemas = _Schemas(api)
    problems: list[str] = []
    checked = 0
    for path, target in sorted(mapping.fields.items()):
        api_path, _, converter = target.partition("|")
        try:
            node = schemas.field(mapping.schema, api_path)
        except KeyError as error:
            problems.append(f"{path}: {error}")
            continue
        for value in values_at(inputs, path):
            checked += 1
            converted = _convert(value, converter) if converter else value
            problem = f"{value!r} cannot be converted ({converter})" if converted is _MISSING else None
            problem = problem or conforms(converted, node, schemas)
            if problem:
                problems.append(f"{path} -> {mapping.api} {mapping.schema}.{api_path}: {problem}")
    try:
        problems.extend(_required(mapping, inputs, schemas))
    except KeyError as error:
        problems.append(str(error))
    return Outcome(problems, checked)
