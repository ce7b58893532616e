"""Cut the schema catalogue out of Google's API Discovery documents: only what the mapped fields need.

For each mapped type the walk starts at its root schema and follows every mapped API field path;
every schema it passes through is kept, each property reduced to what the checks read (type,
format, enum, reference, item and map types, required, output-only). A property is required when its
description starts with "Required." (how Discovery renders the proto's REQUIRED field behaviour).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from infra.catalogues.schema_map import MAPPINGS, TypeMap

_KEPT = ("type", "format", "enum", "$ref")


class DiscoveryError(Exception):
    pass


def _reduce_property(prop: Mapping[str, Any]) -> dict[str, Any]:
    reduced: dict[str, Any] = {key: prop[key] for key in _KEPT if key in prop}
    description = str(prop.get("description", ""))
    if description.startswith("Required."):  # not "Required if ..." or "Required for ...": those are conditional
        reduced["required"] = True
    if prop.get("readOnly") or description.startswith("Output only"):
        reduced["readOnly"] = True
    for nested in ("items", "additionalProperties"):
        if isinstance(prop.get(nested), Mapping):
            reduced[nested] = _reduce_property(prop[nested])
    if isinstance(prop.get("properties"), Mapping):  # an object declared in place, as storage and bigquery do
        reduced["properties"] = {name: _reduce_property(p) for name, p in prop["properties"].items()}
    return reduced


def _reduce_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    properties = schema.get("properties") or {}
    reduced: dict[str, Any] = {"properties": {name: _reduce_property(p) for name, p in properties.items()}}
    if isinstance(schema.get("additionalProperties"), Mapping):
        reduced["additionalProperties"] = _reduce_property(schema["additionalProperties"])
    return reduced


def _unwrap(node: Mapping[str, Any], schemas: Mapping[str, Any], kept: dict[str, Any]) -> Mapping[str, Any]:
    """Follow references, array items and map values down to the node that holds properties."""
    while True:
        if "$ref" in node:
            name = str(node["$ref"])
            if name not in schemas:
                raise DiscoveryError(f"schema {name} is referenced but not defined")
            kept.setdefault(name, _reduce_schema(schemas[name]))
            node = schemas[name]
        elif node.get("type") == "array" and isinstance(node.get("items"), Mapping):
            node = node["items"]
        else:
            return node


def _walk(mapping: TypeMap, schemas: Mapping[str, Any], kept: dict[str, Any]) -> None:
    root, *inner = mapping.schema.split(".")
    if root not in schemas:
        raise DiscoveryError(f"{mapping.api} has no schema {root}")
    for api_path in ["", *(field.split("|")[0] for field in mapping.fields.values())]:
        node: Mapping[str, Any] = {"$ref": root}
        for part in [*inner, *filter(None, api_path.split("."))]:
            node = _unwrap(node, schemas, kept)
            if part == "*":
                node = node.get("additionalProperties") or {}
                continue
            properties = node.get("properties") or {}
            if part not in properties:
                raise DiscoveryError(f"{mapping.api} {mapping.schema} has no field {api_path} ({part})")
            node = properties[part]
        _unwrap(node, schemas, kept)


def cut(documents: Mapping[str, Mapping[str, Any]], mappings: Mapping[str, TypeMap] = MAPPINGS) -> dict[str, Any]:
    """The schema catalogue's data from the Discovery documents, keyed `api` -> revision and schemas."""
    data: dict[str, Any] = {}
    for mapping in mappings.values():
        document = documents.get(mapping.api)
        if document is None:
            raise DiscoveryError(f"no Discovery document for {mapping.api}")
        entry = data.setdefault(mapping.api, {"revision": str(document.get("revision", "")), "schemas": {}})
        _walk(mapping, document.get("schemas") or {}, entry["schemas"])
    return data
