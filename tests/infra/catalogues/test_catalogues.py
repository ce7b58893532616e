"""The catalogue package: fail-closed loading, building from each source's records, and the refresh command."""

from __future__ import annotations

import gzip
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from infra import __main__ as cli
from infra.catalogues import (
    Catalogue,
    CatalogueError,
    build,
    discovery,
    load,
    path_of,
    read,
    refresh,
    write,
)
from infra.catalogues.schema_map import MAPPINGS, TypeMap

WHEEL_DOCS = "googleapiclient/discovery_cache/documents"


def test_every_vendored_catalogue_names_its_source_and_date() -> None:
    for name in ("roles", "constraints", "vpcsc", "locations", "schemas"):
        catalogue = load(name)
        assert catalogue.source and len(catalogue.retrieved) == len("2026-01-01") and catalogue.data


@pytest.mark.parametrize(
    "content",
    [
        b"not gzip",
        gzip.compress(b"{", mtime=0),
        gzip.compress(b'{"catalogue": "other"}', mtime=0),
        gzip.compress(b"[]"),
    ],
    ids=["not-gzip", "not-json", "another-catalogue", "not-an-object"],
)
def test_an_unreadable_or_foreign_file_is_refused(tmp_path: Path, content: bytes) -> None:
    path_of("roles", tmp_path).write_bytes(content)
    with pytest.raises(CatalogueError):
        read(path_of("roles", tmp_path), "roles")


def test_a_catalogue_without_provenance_or_data_is_refused(tmp_path: Path) -> None:
    write(tmp_path, Catalogue("roles", "a source", "2026-01-01", "scope", {"roles": {}}))
    document = json.loads(gzip.decompress(path_of("roles", tmp_path).read_bytes()))
    for broken in ({**document, "source": ""}, {**document, "data": {}}):
        path_of("roles", tmp_path).write_bytes(gzip.compress(json.dumps(broken).encode()))
        with pytest.raises(CatalogueError):
            read(path_of("roles", tmp_path), "roles")
    with pytest.raises(CatalogueError):
        load("no-such-catalogue")


def test_records_become_catalogue_data() -> None:
    roles = build.roles_data(
        [
            {"name": "roles/x.y", "stage": "GA", "includedPermissions": ["a.bs.get", "a.cs.list"]},
            {"name": "roles/x.y", "includedPermissions": ["a.ds.get"], "source": "a page"},
        ]
    )
    assert roles["kinds"] == ["a.bs", "a.cs", "a.ds"] and roles["sources"] == [build.IAM_API, "a page"]
    assert roles["roles"]["roles/x.y"] == {"stage": "GA", "kinds": [0, 1, 2], "sources": [0, 1], "permissions": 3}
    constraints = build.constraints_data([{"name": "projects/p/constraints/c.d", "listConstraint": {}}])
    assert constraints == {"constraints": {"c.d": {"type": "list"}}}
    services = build.vpcsc_data(
        [{"name": "s.googleapis.com", "supportedMethods": [{"method": "m", "permission": "p"}]}]
    )
    assert services["services"]["s.googleapis.com"]["methods"] == ["m"]
    assert build.locations_data(["us-east1"], ["us-east1-b"], {})["zones"] == ["us-east1-b"]


@pytest.mark.parametrize(
    "call",
    [
        lambda: build.roles_data([{"name": "projects/p/roles/custom"}]),
        lambda: build.roles_data([]),
        lambda: build.constraints_data([{"name": "constraints/x"}]),
        lambda: build.vpcsc_data([{"name": "not a service"}]),
        lambda: build.locations_data(["us-east1"], ["us-east1"], {}),
    ],
)
def test_records_of_the_wrong_shape_are_refused(call: Any) -> None:
    with pytest.raises(build.SourceError):
        call()


def test_a_mapping_to_a_field_the_api_lacks_is_refused() -> None:
    document = {"schemas": {"Key": {"properties": {"purpose": {"type": "string"}}}}}
    with pytest.raises(discovery.DiscoveryError):
        discovery.cut({"k.v1": document}, {"t": TypeMap("k.v1", "Key", {"purpose": "purposes"})})
    with pytest.raises(discovery.DiscoveryError):
        discovery.cut({}, {"t": TypeMap("k.v1", "Key", {})})


@pytest.fixture
def gcloud(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake gcloud first on PATH that answers the two questions refresh asks it."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "gcloud"
    script.write_text('#!/usr/bin/env bash\ncase "$1" in auth) echo token-1;; config) echo proj-1;; esac\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return script


def _api(url: str, token: str | None) -> Any:
    """Google's APIs, as refresh reads them, for one role, constraint, service, region and zone."""
    assert token == "token-1"
    if url.startswith(refresh.IAM_ROLES):
        return {"roles": [{"name": "roles/x.y", "stage": "GA", "includedPermissions": ["x.ys.get"]}]}
    if "/constraints" in url:
        return {"constraints": [{"name": "projects/proj-1/constraints/c.d", "booleanConstraint": {}}]}
    if url.startswith(refresh.SERVICES):
        return (
            {"supportedServices": [{"name": "s.googleapis.com"}]}
            if "pageToken" in url
            else {"supportedServices": [], "nextPageToken": "2"}
        )
    if url.startswith(refresh.SERVICE.format(name="")):
        return {"name": "s.googleapis.com", "supportedMethods": [{"method": "S.Get"}]}
    collection = url.rsplit("/", 1)[-1]
    return {"items": [{"name": "us-east1" if collection == "regions" else "us-east1-b"}]}


def test_refresh_rebuilds_from_the_apis_and_check_compares(
    gcloud: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(refresh, "_get", _api)
    out = tmp_path / "out"
    out.mkdir()
    only = ["--only", "roles", "constraints", "vpcsc", "locations", "--dir", str(out)]
    assert refresh.main(["refresh", *only, "--check"]) == 1  # nothing vendored there yet
    assert refresh.main(["refresh", *only]) == 0
    assert read(path_of("vpcsc", out), "vpcsc").data["services"]["s.googleapis.com"]["methods"] == ["S.Get"]
    assert read(path_of("constraints", out), "constraints").source.endswith("projects/proj-1")
    assert refresh.main(["refresh", *only, "--check"]) == 0
    assert "4 of 4 catalogues match their source" in capsys.readouterr().out


def test_refresh_cuts_schemas_from_a_wheel(tmp_path: Path) -> None:
    import zipfile

    wheel = tmp_path / "google_api_python_client-9.9.9-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for api in {m.api for m in MAPPINGS.values()}:
            archive.writestr(f"{WHEEL_DOCS}/{api}.json", json.dumps({"revision": "1", "schemas": {}}))
    # Every mapped schema is missing from these documents: the cut must refuse, never write a partial catalogue.
    assert refresh.main(["refresh", "--only", "schemas", "--discovery", str(wheel), "--dir", str(tmp_path)]) == 2
    assert not path_of("schemas", tmp_path).exists()


def test_refresh_without_a_gcloud_login_stops_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    failing = tmp_path / "gcloud"
    failing.write_text("#!/usr/bin/env bash\necho 'ERROR: no credentialed accounts.' >&2\nexit 1\n")
    failing.chmod(failing.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert cli.main(["catalogues", "refresh", "--only", "roles", "--dir", str(tmp_path)]) == 2
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and "no credentialed accounts" in error
    assert not path_of("roles", tmp_path).exists()


def test_an_unreachable_api_stops_with_one_line(gcloud: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def unreachable(url: str, token: str | None) -> Any:
        raise refresh.SourceUnreachableError(f"{url} is unreachable")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(refresh, "_get", unreachable)
        assert refresh.main(["refresh", "--only", "roles", "--check"]) == 2
    assert "iam.googleapis.com" in capsys.readouterr().err
