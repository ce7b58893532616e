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


IAM_API = "Google IAM API roles.list (view=FULL)"
ACM_API = "Access Context Manager API v1 services.list and services.get"


def _indexed(entries: dict[str, dict[str, Any]], field: str) -> list[str]:
    """Replace each entry's set under `field` with indexes into one sorted list, which is returned."""
    values = sorted({value for entry in entries.values() for value in entry[field]})
    index = {value: number for number, value in enumerate(values)}
    for entry in entries.values():
        entry[field] = sorted(index[value] for value in entry[field])
    return values


def roles_data(roles: Iterable[Mapping[str, Any]], source: str = IAM_API) -> dict[str, Any]:
    """Role records (`name`, `stage`, `includedPermissions`, optional `source`) -> the catalogue's data.

    A role several sources name keeps every source and the union of the kinds (`service.collection`)
    of the permissions they show; `permissions` counts those permissions. The IAM API shows all of a
    role's permissions; a vendored source may show only some (see README.md).
    """
    entries: dict[str, dict[str, Any]] = {}
    shown: dict[str, set[str]] = {}
    for role in roles:
        name = str(role.get("name") or "")
        if not name.startswith("roles/"):
            raise SourceError(f"role without a predefined name: {name!r}")
        entry = entries.setdefault(name, {"stage": "", "kinds": set(), "sources": set()})
        entry["stage"] = entry["stage"] or str(role.get("stage") or "")
        entry["sources"].add(str(role.get("source") or source))
        permissions = {str(p) for p in role.get("includedPermissions") or []}
        shown.setdefault(name, set()).update(permissions)
        entry["kinds"].update(kind_of(p) for p in permissions)
    if not entries:
        raise SourceError("the role source listed no roles")
    for name, entry in entries.items():
        entry["permissions"] = len(shown[name])
    kinds = _indexed(entries, "kinds")
    sources = _indexed(entries, "sources")
    return {"kinds": kinds, "sources": sources, "roles": dict(sorted(entries.items()))}


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


def vpcsc_data(services: Iterable[Mapping[str, Any]], source: str = ACM_API) -> dict[str, Any]:
    """Supported-service records (`name`, stage, `supportedMethods` where known, optional `source`) -> data.

    A service several sources name keeps every source and the union of the method selectors and
    permissions they record; a service with no `supportedMethods` in any source records no methods.
    """
    entries: dict[str, dict[str, Any]] = {}
    for service in services:
        name = str(service.get("name") or "")
        if not name.endswith(".googleapis.com"):
            raise SourceError(f"not a service name: {name!r}")
        entry = entries.setdefault(name, {"stage": "", "sources": set()})
        entry["stage"] = entry["stage"] or str(service.get("serviceSupportStage") or service.get("supportStage") or "")
        entry["sources"].add(str(service.get("source") or source))
        methods = service.get("supportedMethods")
        if methods is not None:
            known = entry.setdefault("methods", set()), entry.setdefault("permissions", set())
            known[0].update(str(m.get("method")) for m in methods if m.get("method"))
            known[1].update(str(m.get("permission")) for m in methods if m.get("permission"))
    if not entries:
        raise SourceError("the service source listed no services")
    for entry in entries.values():
        for field in ("methods", "permissions"):
            if field in entry:
                entry[field] = sorted(entry[field])
    sources = _indexed(entries, "sources")
    return {"sources": sources, "services": dict(sorted(entries.items()))}


def locations_data(regions: Iterable[str], zones: Iterable[str], extra: Mapping[str, Any]) -> dict[str, Any]:
    """Compute regions and zones, plus each service's multi-regions and the org policy location groups."""
    region_list = sorted(set(regions))
    zone_list = sorted(set(zones))
    odd = [r for r in region_list if not _REGION.match(r)] + [z for z in zone_list if not _ZONE.match(z)]
    if odd or not region_list or not zone_list:
        raise SourceError(f"not a region or zone: {', '.join(odd) or 'none listed'}")
    return {"regions": region_list, "zones": zone_list, **extra}
