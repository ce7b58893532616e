"""`python -m infra catalogues refresh [--only NAME ...] [--project ID] [--check]`: rebuild the catalogues.

Roles, constraints, VPC-SC services and locations come from Google's APIs with the caller's gcloud
login (`gcloud auth print-access-token`); the schemas from the Discovery documents of the installed
google-api-python-client, or from discovery.googleapis.com without it. `--check` rebuilds in memory
and exits 1 when a vendored catalogue differs from its source. A source that cannot be reached
stops the run with one line and exit 2; nothing is written then.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import importlib.util
import json
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from infra.catalogues import DATA_DIR, NAMES, Catalogue, CatalogueError, build, discovery, path_of, read, write
from infra.catalogues.schema_map import APIS

DISCOVERY = "https://discovery.googleapis.com/discovery/v1/apis/{name}/{version}/rest"
IAM_ROLES = "https://iam.googleapis.com/v1/roles?view=FULL&pageSize=1000"
CONSTRAINTS = "https://orgpolicy.googleapis.com/v2/projects/{project}/constraints?pageSize=1000"
SERVICES = "https://accesscontextmanager.googleapis.com/v1/services?pageSize=100"
SERVICE = "https://accesscontextmanager.googleapis.com/v1/services/{name}"
COMPUTE = "https://compute.googleapis.com/compute/v1/projects/{project}/{collection}"


class SourceUnreachableError(Exception):
    pass


def _gcloud(*args: str) -> str:
    try:
        done = subprocess.run(["gcloud", *args], capture_output=True, text=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SourceUnreachableError(f"gcloud {' '.join(args)} could not run: {error}") from error
    output = done.stdout.strip()
    if done.returncode != 0 or not output:
        reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise SourceUnreachableError(f"gcloud {' '.join(args)} failed (log in with gcloud auth login): {reason}")
    return output


def _https_opener() -> urllib.request.OpenerDirector:
    """urlopen's opener without its file:, ftp:, data: and plain http: handlers.

    Any other scheme, given or reached by a redirect (which would carry the bearer token in clear),
    is refused by UnknownHandler with a URLError. The proxy handler stays: https goes through a
    proxy as a CONNECT tunnel.
    """
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.UnknownHandler(),
        urllib.request.HTTPSHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPRedirectHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


_HTTPS = _https_opener()


def _get(url: str, token: str | None) -> Any:
    if urllib.parse.urlsplit(url).scheme != "https":
        raise SourceUnreachableError(f"{url.split('?', maxsplit=1)[0]}: only https sources are read")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - https only, checked above
    try:
        with _HTTPS.open(request, timeout=60) as response:
            return json.loads(response.read())
    except (urllib.error.URLError, TimeoutError, ValueError) as error:
        raise SourceUnreachableError(
            f"{url.split('?', maxsplit=1)[0]} is unreachable or did not answer JSON: {error}"
        ) from error


def _pages(url: str, token: str, key: str) -> Iterator[dict[str, Any]]:
    page: str | None = ""
    while page is not None:
        separator = "&" if "?" in url else "?"
        answer = _get(url + (f"{separator}pageToken={urllib.parse.quote(page)}" if page else ""), token)
        yield from answer.get(key) or []
        page = answer.get("nextPageToken") or None


class Sources:
    """Google's catalogues as the APIs hold them today, read with the caller's gcloud login."""

    def __init__(self, project: str | None, discovery_from: Path | None = None) -> None:
        self._project = project
        self._token: str | None = None
        self._discovery_from = discovery_from

    @property
    def token(self) -> str:
        self._token = self._token or _gcloud("auth", "print-access-token")
        return self._token

    @property
    def project(self) -> str:
        self._project = self._project or _gcloud("config", "get-value", "project")
        return self._project

    def roles(self) -> tuple[str, dict[str, Any]]:
        return build.IAM_API, build.roles_data(_pages(IAM_ROLES, self.token, "roles"))

    def constraints(self) -> tuple[str, dict[str, Any]]:
        url = CONSTRAINTS.format(project=self.project)
        return f"Org Policy API v2 constraints.list for projects/{self.project}", build.constraints_data(
            _pages(url, self.token, "constraints")
        )

    def vpcsc(self) -> tuple[str, dict[str, Any]]:
        listed = list(_pages(SERVICES, self.token, "supportedServices"))
        described = [_get(SERVICE.format(name=s["name"]), self.token) for s in listed if s.get("name")]
        return build.ACM_API, build.vpcsc_data(described)

    def locations(self) -> tuple[str, dict[str, Any]]:
        names = {
            c: [i["name"] for i in _pages(COMPUTE.format(project=self.project, collection=c), self.token, "items")]
            for c in ("regions", "zones")
        }
        kept = {key: value for key, value in _vendored("locations").items() if key not in ("regions", "zones")}
        data = build.locations_data(names["regions"], names["zones"], kept)
        return "Compute API regions.list and zones.list; multi-regions and location groups kept as vendored", data

    def schemas(self) -> tuple[str, dict[str, Any]]:
        if self._discovery_from is not None:
            return _wheel_documents(self._discovery_from)
        spec = importlib.util.find_spec("googleapiclient")
        if spec is not None and spec.origin:
            folder = Path(spec.origin).parent / "discovery_cache" / "documents"
            version = importlib.metadata.version("google-api-python-client")
            documents = {api: json.loads((folder / f"{api}.json").read_text(encoding="utf-8")) for api in APIS}
            source = f"google-api-python-client {version} (PyPI): googleapiclient/discovery_cache/documents"
        else:
            documents = {
                api: _get(DISCOVERY.format(name=api.split(".")[0], version=api.split(".")[1]), None) for api in APIS
            }
            source = "https://discovery.googleapis.com/discovery/v1/apis/<api>/<version>/rest"
        return source, discovery.cut(documents)


def _wheel_documents(wheel: Path) -> tuple[str, dict[str, Any]]:
    """The Discovery documents inside a downloaded google-api-python-client wheel (pip download --no-deps)."""
    with zipfile.ZipFile(wheel) as archive:
        documents = {
            api: json.loads(archive.read(f"googleapiclient/discovery_cache/documents/{api}.json")) for api in APIS
        }
    version = wheel.name.split("-")[1] if wheel.name.count("-") >= 2 else "unknown"
    source = f"google-api-python-client {version} (PyPI): googleapiclient/discovery_cache/documents"
    return source, discovery.cut(documents)


def _vendored(name: str, directory: Path = DATA_DIR) -> dict[str, Any]:
    try:
        return dict(read(path_of(name, directory), name).data)
    except CatalogueError:
        return {}


SCOPES = {
    "roles": "every predefined role (launch stage, permission count) and the kinds of resource its permissions act on",
    "constraints": "every constraint the project can set, with its type (boolean or list)",
    "vpcsc": "every service VPC Service Controls supports, with its supported methods",
    "locations": "Compute Engine regions and zones, service multi-regions and org policy location groups",
    "schemas": "the schemas and fields infra/catalogues/schema_map*.py maps planned pulumi-gcp types to",
}


def refresh(names: Sequence[str], sources: Sources, directory: Path, check_only: bool) -> int:
    built: list[Catalogue] = []
    for name in names:
        fetch: Callable[[], tuple[str, dict[str, Any]]] = getattr(sources, name)
        source, data = fetch()
        built.append(Catalogue(name, source, datetime.date.today().isoformat(), SCOPES[name], data))
    if check_only:
        stale = [c.name for c in built if _vendored(c.name, directory) != json.loads(json.dumps(c.data))]
        for name in stale:
            print(f"{path_of(name, directory).name}: differs from its source; run python -m infra catalogues refresh")
        print(f"{len(built) - len(stale)} of {len(built)} catalogues match their source")
        return 1 if stale else 0
    for catalogue in built:
        print(f"wrote {write(directory, catalogue)} ({catalogue.source})")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["vendor"]:
        from infra.catalogues import vendor

        return vendor.main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m infra catalogues", description=__doc__)
    parser.add_argument("action", choices=["refresh", "vendor"])
    parser.add_argument("--only", nargs="+", choices=NAMES, default=list(NAMES), help="catalogues to rebuild")
    parser.add_argument("--project", help="project whose constraints and locations to list (default: gcloud's)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a vendored catalogue differs")
    parser.add_argument("--discovery", type=Path, help="a google-api-python-client wheel to cut the schemas from")
    parser.add_argument("--dir", type=Path, default=DATA_DIR, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        return refresh(args.only, Sources(args.project, args.discovery), args.dir, args.check)
    except (SourceUnreachableError, build.SourceError, discovery.DiscoveryError, OSError, KeyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
