"""Catalogue preflight (CAT-01..06, CAT-09): every stack is clean; each check fails on what Google would refuse."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from infra import catalogues
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
        ("roles/cloudkms.cryptoKeyEncrypterDecryptor", {"CAT-01", "CAT-02"}),  # no such role
        ("roles/storage.objectViewer", {"CAT-02"}),  # exists, but holds nothing on a key
        ("projects/p/roles/custom", {"CAT-01", "CAT-02"}),  # not a predefined role
        ("roles/bigquerydatapolicies.maskedReader", {"CAT-02"}),  # listed, but holds no permission
    ],
)
def test_role_grants_are_checked_against_the_role_catalogue(role: str, expected: set[str]) -> None:
    assert ids(changed(first(KEY_GRANT), "role", role)) == expected


def test_a_deprecated_role_is_refused() -> None:
    roles = catalogues.load("roles").data["roles"]
    deprecated = next(name for name, entry in roles.items() if entry["stage"] == "DEPRECATED")
    grant = changed(first("gcp:projects/iAMMember:IAMMember"), "role", deprecated)
    assert "CAT-01" in ids(grant)


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


def _perimeter_with(path: str, value: Any) -> Resource:
    return changed(find(planned("prod"), PERIMETER)[0], path, value)


def test_an_unsupported_restricted_service_is_refused() -> None:
    perimeter = find(planned("prod"), PERIMETER)[0]
    services = [*perimeter.inputs["status"]["restrictedServices"], "bigqueryy.googleapis.com"]
    assert ids(changed(perimeter, "status.restrictedServices", services)) == {"CAT-05"}


@pytest.mark.parametrize(
    ("service", "method"),
    [
        ("pubsub.googleapis.com", "google.pubsub.v1.Publisher.Publsh"),  # not a method of the service
        ("storage.googleapis.com", "storage.objects.insert"),  # the JSON API id, not the selector form
        ("bigquery.googleapis.com", "google.cloud.bigquery.v2.JobService.InsertJob"),  # no method list: fail closed
    ],
)
def test_an_unknown_method_selector_is_refused(service: str, method: str) -> None:
    operation = {"serviceName": service, "methodSelectors": [{"method": method}]}
    egress = [{"egressFrom": {"identities": ["user:a@example.com"]}, "egressTo": {"operations": [operation]}}]
    assert ids(_perimeter_with("status.egressPolicies", egress)) == {"CAT-06"}


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
