"""Shape each catalogue's data from its source's own records, the same way for the vendored cut and a refresh."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

_REGION = re.compile(r"^[a-z]+-[a-z]+\d+$")
_ZONE = re.compile(r"^[a-z]+-[a-z]+\d+-[a-z]$")


class SourceError(Exception):
    """A source answered with something we cannot build a catalogue from."""


def kind_of(permission: str) -> str:
    """`cloudkms.cryptoKeyVersions.useToEncrypt` -> `cloudkms.cryptoKeyVersions`: what a permission acts on."""
    return ".".join(permission.split(".")[:2])


def roles_data(roles: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """IAM roles (`name`, `stage`, `includedPermissions`) -> the kinds of resource each role's permissions act on."""
    entries: dict[str, dict[str, Any]] = {}
    for role in roles:
        name = str(role.get("name") or "")
        if not name.startswith("roles/"):
            raise SourceError(f"role without a predefined name: {name!r}")
        permissions = [str(p) for p in role.get("includedPermissions") or []]
        entries[name] = {
            "stage": str(role.get("stage") or ""),
            "permissions": len(permissions),
            "kinds": sorted({kind_of(p) for p in permissions}),
        }
    if not entries:
        raise SourceError("the role source listed no roles")
    kinds = sorted({kind for entry in entries.values() for kind in entry["kinds"]})
    index = {kind: number for number, kind in enumerate(kinds)}
    for entry in entries.values():
        entry["kinds"] = [index[kind] for kind in entry["kinds"]]
    return {"kinds": kinds, "roles": dict(sorted(entries.items()))}


def constraints_data(constraints: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Org Policy v2 constraints -> name -> type (boolean or list), as `constraints.list` returns them."""
    entries = {}
    for constraint in constraints:
        name = str(constraint.get("name") or "").rsplit("constraints/", 1)[-1]
        if "booleanConstraint" in constraint:
            kind = "boolean"
        elif "listConstraint" in constraint:
            kind = "list"
        else:
            raise SourceError(f"constraint {name} is neither a boolean nor a list constraint")
        entries[name] = {"type": kind}
    if not entries:
        raise SourceError("the constraint source listed no constraints")
    return {"constraints": dict(sorted(entries.items()))}


def vpcsc_data(services: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Access Context Manager supported services (with `supportedMethods` where described) -> name -> methods."""
    entries: dict[str, Any] = {}
    for service in services:
        name = str(service.get("name") or "")
        if not name.endswith(".googleapis.com"):
            raise SourceError(f"not a service name: {name!r}")
        entry: dict[str, Any] = {"stage": str(service.get("serviceSupportStage") or service.get("supportStage") or "")}
        methods = service.get("supportedMethods")
        if methods is not None:
            entry["methods"] = sorted({str(m.get("method")) for m in methods if m.get("method")})
            entry["permissions"] = sorted({str(m.get("permission")) for m in methods if m.get("permission")})
        entries[name] = entry
    if not entries:
        raise SourceError("the service source listed no services")
    return {"services": dict(sorted(entries.items()))}


def locations_data(regions: Iterable[str], zones: Iterable[str], extra: Mapping[str, Any]) -> dict[str, Any]:
    """Compute regions and zones, plus each service's multi-regions and the org policy location groups."""
    region_list = sorted(set(regions))
    zone_list = sorted(set(zones))
    odd = [r for r in region_list if not _REGION.match(r)] + [z for z in zone_list if not _ZONE.match(z)]
    if odd or not region_list or not zone_list:
        raise SourceError(f"not a region or zone: {', '.join(odd) or 'none listed'}")
    return {"regions": region_list, "zones": zone_list, **extra}
