"""The maintainers' attestations are few, named, and the only catalogue entries without a read source."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from infra.catalogues import attested, load


def _only_attested(data: Mapping[str, Any], entries_key: str) -> set[str]:
    sources = data["sources"]
    return {
        name
        for name, entry in data[entries_key].items()
        if all(sources[i].startswith(attested.ATTESTATION) for i in entry["sources"])
    }


def _any_attested(data: Mapping[str, Any], entries_key: str) -> set[str]:
    sources = data["sources"]
    return {
        name
        for name, entry in data[entries_key].items()
        if any(sources[i].startswith(attested.ATTESTATION) for i in entry["sources"])
    }


def test_every_attested_role_is_in_the_catalogue_with_its_attestation() -> None:
    data = load("roles").data
    assert _only_attested(data, "roles") == {record.role for record in attested.ROLES}
    assert len(attested.ROLES) == 21


def test_every_attested_service_is_in_the_catalogue_with_its_attestation() -> None:
    data = load("vpcsc").data
    named = {record.service for record in attested.SERVICES}
    assert _any_attested(data, "services") == named
    # Pub/Sub's and KMS's method lists come from their client packages; their support is attested.
    assert named - _only_attested(data, "services") == {"pubsub.googleapis.com", "cloudkms.googleapis.com"}
    assert len(attested.SERVICES) == 18


def test_attestations_name_the_google_page_they_were_written_against() -> None:
    for source in [r.source for r in attested.ROLES] + [s.source for s in attested.SERVICES]:
        assert source.startswith(f"{attested.ATTESTATION} {attested.ATTESTED_ON} against https://cloud.google.com/")
        assert "refresh replaces it" in source


def test_an_attested_role_lists_the_permissions_the_plan_relies_on() -> None:
    for record in attested.ROLES:
        assert record.permissions, record.role
        service = record.role.removeprefix("roles/").split(".")[0]
        assert all(p.count(".") == 2 for p in record.permissions), record.role
        assert service in record.source, record.role
