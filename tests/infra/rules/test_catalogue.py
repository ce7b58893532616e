"""Catalogue preflight (CAT-01..06, CAT-09): every stack is clean; each check fails on what Google would refuse.

The role and VPC-SC checks run against the vendored catalogues where those hold the case's role or
service, and against a made-up catalogue for what no vendored source shows (a deprecated role).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from infra import catalogues
from infra.catalogues import build
from infra.rules import (
    Resource,
    Rule,
    catalogue_iam,
    catalogue_locations,
    catalogue_org,
    catalogue_schema,
    catalogue_vpcsc,
    evaluate,
)
from tests.conftest import find, planned
from tests.infra.recording import changed

RULES: list[Rule] = [
    *catalogue_iam.RULES,
    *catalogue_org.RULES,
    *catalogue_vpcsc.RULES,
    *catalogue_schema.RULES,
    *catalogue_locations.RULES,
]
KEY_GRANT = "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember"
POLICY = "gcp:orgpolicy/policy:Policy"
PERIMETER = "gcp:accesscontextmanager/servicePerimeter:ServicePerimeter"


def ids(*resources: Resource) -> set[str]:
    return {f.rule_id for f in evaluate(list(resources), "prod", RULES)}


def first(type_token: str, name_part: str = "") -> Resource:
    return next(r for r in find(planned("prod"), type_token) if name_part in str(r.inputs.get("name", r.name)))


def test_every_stack_passes_every_catalogue_check(stack: str) -> None:
    assert evaluate(planned(stack), stack, RULES) == []


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("roles/cloudkms.publicKeyViewer", set()),  # its page shows cloudkms.cryptoKeyVersions.viewPublicKey
        ("roles/cloudkms.cryptoKeyEncrypterDecryptor", {"CAT-01", "CAT-02"}),  # no such role
        ("roles/storage.objectViewer", {"CAT-02"}),  # exists, but holds nothing on a key
        ("projects/p/roles/custom", {"CAT-01", "CAT-02"}),  # not a predefined role
    ],
)
def test_role_grants_are_checked_against_the_role_catalogue(role: str, expected: set[str]) -> None:
    assert ids(changed(first(KEY_GRANT), "role", role)) == expected


@pytest.fixture
def synthetic_roles(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A made-up role catalogue: one deprecated role, one without permissions, one that acts on keys."""
    records = [
        {"name": "roles/x.deprecated", "stage": "DEPRECATED", "includedPermissions": ["cloudkms.cryptoKeys.get"]},
        {"name": "roles/x.empty", "stage": "GA", "includedPermissions": []},
        {"name": "roles/x.keyUser", "stage": "GA", "includedPermissions": ["cloudkms.cryptoKeyVersions.useToDecrypt"]},
    ]
    data = build.roles_data(records, source="synthetic test records")
    catalogues.write(tmp_path, catalogues.Catalogue("roles", "synthetic", "2026-01-01", "test", data))
    monkeypatch.setattr(catalogues, "DATA_DIR", tmp_path)
    catalogues.load.cache_clear()
    yield
    catalogues.load.cache_clear()


@pytest.mark.usefixtures("synthetic_roles")
@pytest.mark.parametrize(
    ("role", "expected"),
    [("roles/x.deprecated", {"CAT-01"}), ("roles/x.empty", {"CAT-02"}), ("roles/x.keyUser", set())],
)
def test_deprecated_and_empty_roles_are_refused(role: str, expected: set[str]) -> None:
    found = {f.rule_id for f in evaluate([changed(first(KEY_GRANT), "role", role)], "prod", catalogue_iam.RULES)}
    assert found == expected


def test_a_role_missing_from_the_catalogue_says_how_to_add_it() -> None:
    findings = evaluate([changed(first(KEY_GRANT), "role", "roles/x.unknown")], "prod", catalogue_iam.RULES)
    assert findings and all("infra/catalogues/evidence.py" in f.message for f in findings)


def test_a_dataset_basic_role_is_read_as_its_predefined_role() -> None:
    access = first("gcp:bigquery/datasetAccess:DatasetAccess")
    assert ids(changed(access, "role", "READER")) == set()
    assert ids(changed(access, "role", "VIEWER")) == {"CAT-01", "CAT-02"}


def test_a_grant_type_without_a_resource_kind_is_named() -> None:
    grant = Resource("gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember", "s", "urn:s", {"role": "roles/viewer"})
    assert ids(grant) == {"CAT-03", "CAT-08"}


def _policy(constraint: str, rules: list[dict[str, Any]]) -> Resource:
    original = next(r for r in find(planned("prod"), POLICY) if str(r.inputs["name"]).endswith(constraint))
    return changed(original, "spec.rules", rules)


@pytest.mark.parametrize(
    ("constraint", "rules"),
    [
        ("storage.publicAccessPrevention", [{"values": {"allowedValues": ["x"]}}]),  # boolean given values
        ("storage.publicAccessPrevention", [{"denyAll": "TRUE"}]),
        ("compute.vmExternalIpAccess", [{"enforce": "TRUE"}]),  # list given enforce
        ("compute.vmExternalIpAccess", [{"denyAll": "TRUE", "allowAll": "TRUE"}]),
        ("compute.vmExternalIpAccess", []),
    ],
)
def test_a_constraint_set_in_the_wrong_shape_is_refused(constraint: str, rules: list[dict[str, Any]]) -> None:
    assert "CAT-04" in ids(_policy(constraint, rules))


def test_an_unknown_constraint_is_refused() -> None:
    policy = _policy("storage.publicAccessPrevention", [{"enforce": "TRUE"}])
    assert ids(changed(policy, "name", "projects/p/policies/storage.publicAccessPreventionn")) == {"CAT-04"}


def _perimeter(operation: dict[str, Any], restricted: str = "storage.googleapis.com") -> Resource:
    """A perimeter restricting one service, with one egress operation, checked against the vendored catalogue."""
    egress = [{"egressFrom": {"identities": ["user:a@example.com"]}, "egressTo": {"operations": [operation]}}]
    status = {"restrictedServices": [restricted], "egressPolicies": egress}
    return Resource(PERIMETER, "p", "urn:p", {"status": status})


def test_an_unsupported_restricted_service_is_refused() -> None:
    assert ids(_perimeter({"serviceName": "storage.googleapis.com"}, "bigqueryy.googleapis.com")) == {"CAT-05"}


@pytest.mark.parametrize(
    ("service", "selector", "expected"),
    [
        ("storage.googleapis.com", {"method": "google.storage.objects.get"}, set()),
        ("storage.googleapis.com", {"permission": "storage.objects.list"}, set()),
        ("storage.googleapis.com", {"method": "*"}, set()),
        ("storage.googleapis.com", {"method": "storage.objects.insert"}, {"CAT-06"}),  # the JSON API id
        ("storage.googleapis.com", {"permission": "storage.objects.gett"}, {"CAT-06"}),
        ("bigquery.googleapis.com", {"method": "google.cloud.bigquery.v2.JobService.InsertJob"}, {"CAT-06"}),
        ("bigquery.googleapis.com", {"permission": "bigquery.jobs.get"}, {"CAT-06"}),  # no permission list: fail
        ("pubsub.googleapis.com", {"method": "google.pubsub.v1.Publisher.Publish"}, set()),  # attested + package
        ("pubsub.googleapis.com", {"method": "google.pubsub.v1.Publisher.Publishh"}, {"CAT-06"}),
        ("vision.googleapis.com", {"method": "google.cloud.vision.v1.ImageAnnotator.Annotate"}, {"CAT-05", "CAT-06"}),
    ],
)
def test_method_and_permission_selectors_are_checked(service: str, selector: Any, expected: set[str]) -> None:
    assert ids(_perimeter({"serviceName": service, "methodSelectors": [selector]})) == expected


@pytest.mark.parametrize(
    ("type_token", "path", "value"),
    [
        ("gcp:compute/subnetwork:Subnetwork", "region", "mars-north1"),
        ("gcp:workbench/instance:Instance", "location", "us-central1-z"),
        ("gcp:storage/bucket:Bucket", "location", "MARS"),
        ("gcp:bigquery/dataset:Dataset", "location", "asia"),  # a Storage multi-region, not a BigQuery one
        ("gcp:kms/keyRing:KeyRing", "location", "us-central"),
    ],
)
def test_an_unreal_location_is_refused(type_token: str, path: str, value: str) -> None:
    assert "CAT-09" in ids(changed(first(type_token), path, value))


def test_multi_regions_are_real_locations_where_the_service_has_them() -> None:
    assert ids(changed(first("gcp:storage/bucket:Bucket"), "location", "us")) == set()
    assert ids(changed(first("gcp:bigquery/dataset:Dataset"), "location", "EU")) == set()


def test_an_unknown_location_group_is_refused() -> None:
    policy = _policy("gcp.resourceLocations", [{"values": {"allowedValues": ["in:mars-locations"]}}])
    assert ids(policy) == {"CAT-09"}
    assert ids(_policy("gcp.resourceLocations", [{"values": {"allowedValues": ["in:us-east1-locations"]}}])) == set()


@pytest.fixture
def no_catalogues(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(catalogues, "DATA_DIR", tmp_path)
    catalogues.load.cache_clear()
    yield
    catalogues.load.cache_clear()


@pytest.mark.usefixtures("no_catalogues")
def test_a_missing_catalogue_fails_every_check_that_needs_it() -> None:
    findings = evaluate(planned("prod"), "prod", RULES)
    failed = {f.rule_id for f in findings}
    # CAT-03 and CAT-08 check the plan against our own mappings, not a catalogue.
    assert failed == {f"CAT-0{n}" for n in (1, 2, 4, 5, 6, 7, 9)}
    assert all("missing or unreadable" in f.message for f in findings)
