"""`python -m infra catalogues vendor`: the role and VPC-SC cuts from registry packages and evidence.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from infra import __main__ as cli
from infra.catalogues import attested, build, evidence, load, path_of, read, vendor


def _wheel(path: Path, files: dict[str, str]) -> Path:
    import zipfile

    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


@pytest.fixture
def wheels(tmp_path: Path) -> dict[str, Path]:
    """Made-up gcpwn, pubsub and kms wheels holding only the files `vendor` reads."""
    mapping = {
        "pubsub.topics.publish": ["roles/pubsub.publisher", "roles/owner", "not-a-role"],
        "cloudkms.cryptoKeyVersions.useToDecrypt": ["roles/cloudkms.cryptoKeyDecrypter", "roles/owner"],
    }
    transports = "services/x/transports/grpc.py"
    return {
        "gcpwn": _wheel(tmp_path / "gcpwn-9.9.9-py3-none-any.whl", {vendor.GCPWN_MAP: json.dumps(mapping)}),
        "pubsub": _wheel(
            tmp_path / "google_cloud_pubsub-9.9.9-py3-none-any.whl",
            {f"google/pubsub_v1/{transports}": '"/google.pubsub.v1.Publisher/Publish" "/google.iam.v1.IAMPolicy/Get"'},
        ),
        "kms": _wheel(
            tmp_path / "google_cloud_kms-9.9.9-py3-none-any.whl",
            {f"google/cloud/kms_v1/{transports}": '"/google.cloud.kms.v1.KeyManagementService/Decrypt"'},
        ),
    }


def _vendor_args(wheels: dict[str, Path], directory: Path) -> list[str]:
    return [*(f"--{name}={path}" for name, path in wheels.items()), "--dir", str(directory)]


def test_vendor_cuts_roles_and_services_from_packages_and_evidence(wheels: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    assert cli.main(["catalogues", "vendor", *_vendor_args(wheels, out)]) == 0
    roles = read(path_of("roles", out), "roles").data
    assert "not-a-role" not in roles["roles"]
    owner = roles["roles"]["roles/owner"]
    assert {roles["kinds"][i] for i in owner["kinds"]} == {"pubsub.topics", "cloudkms.cryptoKeyVersions"}
    publisher = roles["roles"]["roles/pubsub.publisher"]  # gcpwn and a discovery document both show it
    assert len(publisher["sources"]) == 2
    services = read(path_of("vpcsc", out), "vpcsc").data["services"]
    assert "google.storage.objects.get" in services["storage.googleapis.com"]["methods"]
    assert services["pubsub.googleapis.com"]["methods"] == ["google.pubsub.v1.Publisher.Publish"]
    assert vendor.main([*_vendor_args(wheels, out), "--check"]) == 0
    assert vendor.main([*_vendor_args(wheels, tmp_path), "--check"]) == 1  # nothing vendored there


def test_methods_alone_do_not_make_a_service_supported(
    wheels: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = tuple(s for s in attested.SERVICES if s.service != "pubsub.googleapis.com")
    monkeypatch.setattr(attested, "SERVICES", kept)
    assert cli.main(["catalogues", "vendor", *_vendor_args(wheels, tmp_path)]) == 0
    assert "pubsub.googleapis.com" not in read(path_of("vpcsc", tmp_path), "vpcsc").data["services"]


def test_grpc_methods_keep_only_the_service_own_package(wheels: dict[str, Path]) -> None:
    assert vendor.grpc_methods(wheels["pubsub"], "google.pubsub.v1.") == ["google.pubsub.v1.Publisher.Publish"]
    with pytest.raises(build.SourceError):
        vendor.grpc_methods(wheels["kms"], "google.pubsub.v1.")


def test_storage_selectors_need_pulumi_gcp_to_show_their_form(monkeypatch: pytest.MonkeyPatch) -> None:
    source, selectors = vendor.storage_selectors()
    assert (
        "google-cloud-storage" in source
        and {"method": "google.storage.objects.list", "permission": "storage.objects.list"} in selectors
    )
    monkeypatch.setattr(vendor, "_STORAGE_EXAMPLE", re.compile("no such example"))
    with pytest.raises(build.SourceError):
        vendor.storage_selectors()


def test_vendor_with_a_broken_wheel_writes_nothing(
    wheels: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wheels["gcpwn"].write_bytes(b"not a zip")
    out = tmp_path / "out"
    out.mkdir()
    assert vendor.main(_vendor_args(wheels, out)) == 2
    assert capsys.readouterr().err.count("\n") == 1 and not list(out.iterdir())


def test_the_vendored_catalogues_hold_every_evidence_record() -> None:
    roles = load("roles").data
    for record in evidence.ROLES:
        entry = roles["roles"][record.role]
        assert record.source in {roles["sources"][i] for i in entry["sources"]}
        assert {build.kind_of(p) for p in record.permissions} <= {roles["kinds"][i] for i in entry["kinds"]}
    services = load("vpcsc").data
    for service in evidence.SERVICES:
        entry = services["services"][service.service]
        assert service.source in {services["sources"][i] for i in entry["sources"]}
