"""`python -m infra catalogues vendor --gcpwn W --pubsub W --kms W [--check]`: cut the vendored role and
VPC-SC catalogues from registry packages and `evidence.py`, without a cloud login.

Roles: gcpwn's permission-to-roles map (PyPI, BSD-3-Clause; the permissions it maps, not every
permission of a role) and the hand-read evidence. VPC-SC: the services `evidence.py` sources as
supported; for those, the method selectors the client packages define: gRPC methods of
google-cloud-pubsub and google-cloud-kms, and Cloud Storage's `google.storage.<resource>.<verb>`
selectors for the permissions google-cloud-storage names, a form pulumi-gcp's own perimeter example
shows. `refresh` replaces both files with the APIs' complete lists. Wheels come from
`pip download --no-deps gcpwn==0.8.2 google-cloud-pubsub==2.44.0 google-cloud-kms==3.18.0`.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import importlib.util
import json
import re
import sys
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from infra.catalogues import DATA_DIR, Catalogue, CatalogueError, attested, build, evidence, path_of, read, write

GCPWN_MAP = "gcpwn/mappings/og_permission_to_roles_map.json"
# Basic roles; Google's pages now also list Admin, Writer and Reader beside the legacy three, e.g.
# https://cloud.google.com/iam/docs/roles-permissions/kubernetesmetadata ("Admin (roles/admin)").
BASIC_ROLES = {"roles/owner", "roles/editor", "roles/viewer", "roles/admin", "roles/writer", "roles/reader"}
_PREDEFINED = re.compile(r"^roles/[a-z][A-Za-z0-9]*\.[A-Za-z0-9.]+$")
_GRPC_PATH = re.compile(r'"/((?:google\.)[a-z0-9_.]+\.[A-Z][A-Za-z0-9]*)/([A-Z][A-Za-z0-9]*)"')
GRPC_PACKAGES = {"pubsub.googleapis.com": "google.pubsub.v1.", "cloudkms.googleapis.com": "google.cloud.kms.v1."}
STORAGE = "storage.googleapis.com"
_STORAGE_EXAMPLE = re.compile(
    r'"service_name": "storage\.googleapis\.com",\s*"method_selectors": \[\{\s*"method": "([^"]+)"'
)


def _wheel_label(wheel: Path) -> str:
    name, version = wheel.name.split("-")[:2]
    return f"{name.replace('_', '-')} {version} (PyPI)"


def gcpwn_roles(wheel: Path) -> Iterator[dict[str, Any]]:
    """gcpwn's permission -> roles map, inverted; names that are not predefined or basic roles are left out."""
    with zipfile.ZipFile(wheel) as archive:
        mapping = json.loads(archive.read(GCPWN_MAP))
    source = f"{_wheel_label(wheel)} {GCPWN_MAP}"
    held: dict[str, set[str]] = {}
    for permission, roles in mapping.items():
        for role in roles:
            held.setdefault(str(role), set()).add(str(permission))
    for role, permissions in sorted(held.items()):
        if role in BASIC_ROLES or _PREDEFINED.match(role):
            yield {"name": role, "includedPermissions": sorted(permissions), "source": source}


def evidence_roles() -> Iterator[dict[str, Any]]:
    for record in (*evidence.ROLES, *attested.ROLES):
        yield {"name": record.role, "includedPermissions": list(record.permissions), "source": record.source}


def grpc_methods(wheel: Path, prefix: str) -> list[str]:
    """`google.pubsub.v1.Publisher.Publish` for every `"/google.pubsub.v1.Publisher/Publish"` the transports call."""
    with zipfile.ZipFile(wheel) as archive:
        text = "".join(
            archive.read(name).decode() for name in archive.namelist() if name.endswith("transports/grpc.py")
        )
    methods = sorted(
        {f"{service}.{method}" for service, method in _GRPC_PATH.findall(text) if service.startswith(prefix)}
    )
    if not methods:
        raise build.SourceError(f"{wheel.name} defines no gRPC method of {prefix}*")
    return methods


def storage_selectors() -> tuple[str, list[dict[str, str]]]:
    """Cloud Storage selectors for the permissions google-cloud-storage names, once pulumi-gcp shows the form."""
    from google.cloud.storage import iam  # type: ignore[import-untyped]

    permissions = sorted(
        {v for k, v in vars(iam).items() if k.startswith("STORAGE_") and str(v).startswith("storage.")}
    )
    # Read, not imported: importing one module of pulumi-gcp by hand breaks the package's lazy loading.
    package = importlib.util.find_spec("pulumi_gcp")
    if package is None or not package.origin:
        raise build.SourceError("pulumi-gcp is not installed")
    example = Path(package.origin).parent / "accesscontextmanager" / "service_perimeter.py"
    shown = set(_STORAGE_EXAMPLE.findall(example.read_text(encoding="utf-8")))
    if not shown or any(not m.startswith("google.") or m.removeprefix("google.") not in permissions for m in shown):
        raise build.SourceError("pulumi-gcp's perimeter example no longer shows google.<storage permission> selectors")
    source = (
        f"google-cloud-storage {importlib.metadata.version('google-cloud-storage')} (PyPI) google/cloud/storage/iam.py "
        f"permissions as google.<permission>, the form pulumi-gcp {importlib.metadata.version('pulumi-gcp')} "
        f"pulumi_gcp/accesscontextmanager/service_perimeter.py shows ({', '.join(sorted(shown))})"
    )
    return source, [{"method": f"google.{p}", "permission": p} for p in permissions]


def vpcsc_records(pubsub: Path, kms: Path) -> list[dict[str, Any]]:
    """Sourced services, then the methods of those among them whose packages define their methods."""
    sourced = (*evidence.SERVICES, *attested.SERVICES)
    records: list[dict[str, Any]] = [{"name": s.service, "source": s.source} for s in sourced]
    supported = {s.service for s in sourced}
    for service, wheel in (("pubsub.googleapis.com", pubsub), ("cloudkms.googleapis.com", kms)):
        if service in supported:
            methods = [{"method": m} for m in grpc_methods(wheel, GRPC_PACKAGES[service])]
            records.append(
                {"name": service, "source": f"{_wheel_label(wheel)} gRPC transports", "supportedMethods": methods}
            )
    if STORAGE in supported:
        source, selectors = storage_selectors()
        records.append({"name": STORAGE, "source": source, "supportedMethods": selectors})
    return records


SCOPES = {
    "roles": (
        "predefined and basic roles some vendored source names, with the kinds of resource of the permissions "
        "that source shows (a subset of the role's permissions); python -m infra catalogues refresh lists all"
    ),
    "vpcsc": (
        "services a vendored source shows VPC Service Controls supports; method selectors of pubsub, cloudkms "
        "and storage where those are among them; python -m infra catalogues refresh lists all"
    ),
}


def cut(gcpwn: Path, pubsub: Path, kms: Path) -> list[Catalogue]:
    today = datetime.date.today().isoformat()
    roles = build.roles_data([*gcpwn_roles(gcpwn), *evidence_roles()])
    vpcsc = build.vpcsc_data(vpcsc_records(pubsub, kms))
    return [
        Catalogue(
            "roles", f"{', '.join(roles['sources'])}; pages read {evidence.READ_ON}", today, SCOPES["roles"], roles
        ),
        Catalogue(
            "vpcsc", f"{', '.join(vpcsc['sources'])}; pages read {evidence.READ_ON}", today, SCOPES["vpcsc"], vpcsc
        ),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra catalogues vendor", description=__doc__)
    for name in ("gcpwn", "pubsub", "kms"):
        parser.add_argument(f"--{name}", type=Path, required=True, help=f"the downloaded {name} wheel")
    parser.add_argument("--check", action="store_true", help="exit 1 when a vendored file differs from the cut")
    parser.add_argument("--dir", type=Path, default=DATA_DIR, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        built = cut(args.gcpwn, args.pubsub, args.kms)
    except (build.SourceError, OSError, KeyError, ValueError, zipfile.BadZipFile, ImportError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.check:
        stale = [c.name for c in built if _data(c.name, args.dir) != json.loads(json.dumps(c.data))]
        for name in stale:
            print(f"{path_of(name, args.dir).name}: differs from its vendored sources; run the vendor command")
        return 1 if stale else 0
    for catalogue in built:
        print(f"wrote {write(args.dir, catalogue)} ({len(catalogue.data.get('roles') or catalogue.data['services'])})")
    return 0


def _data(name: str, directory: Path) -> Any:
    try:
        return read(path_of(name, directory), name).data
    except CatalogueError:
        return None
