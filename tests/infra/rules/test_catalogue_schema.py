"""CAT-07/08: planned inputs fit Google's API schemas; every planned Google type is mapped or said not to be."""

from __future__ import annotations

from typing import Any

import pytest

from infra.catalogues import load
from infra.catalogues.schema_map import MAPPINGS, NOT_COVERED
from infra.catalogues.schemas import check, conforms, values_at
from infra.rules import Resource, evaluate
from infra.rules.catalogue_schema import RULES
from tests.conftest import find, planned
from tests.infra.recording import changed


def messages(resource: Resource) -> list[str]:
    return [f.message for f in evaluate([resource], "prod", RULES)]


def first(type_token: str) -> Resource:
    return find(planned("prod"), type_token)[0]


@pytest.mark.parametrize(
    ("type_token", "path", "value", "said"),
    [
        ("gcp:kms/cryptoKey:CryptoKey", "purpose", "ENCRYPT", "not one of the API's values"),
        ("gcp:kms/cryptoKey:CryptoKey", "rotationPeriod", "90d", "not a duration"),
        ("gcp:kms/cryptoKey:CryptoKey", "versionTemplate.protectionLevel", "hsm", "not one of the API's values"),
        ("gcp:compute/subnetwork:Subnetwork", "logConfig.aggregationInterval", "INTERVAL_5_SECONDS", "not one of"),
        ("gcp:compute/firewall:Firewall", "direction", "OUTBOUND", "not one of the API's values"),
        ("gcp:compute/firewall:Firewall", "priority", "high", "not an integer"),
        ("gcp:container/cluster:Cluster", "releaseChannel.channel", "STABLEE", "not one of the API's values"),
        ("gcp:container/cluster:Cluster", "enableLegacyAbac", "false", "not a boolean"),
        ("gcp:secretmanager/secret:Secret", "versionDestroyTtl", "1 day", "not a duration"),
        ("gcp:storage/bucket:Bucket", "softDeletePolicy.retentionDurationSeconds", "a week", "not an integer"),
        ("gcp:storage/bucket:Bucket", "retentionPolicy.retentionPeriod", "a month", "not an integer"),
        ("gcp:workbench/instance:Instance", "gceSetup.bootDisk.diskType", "SSD", "not one of the API's values"),
        ("gcp:orgpolicy/policy:Policy", "spec.rules.0.enforce", "yes", "cannot be converted"),
        ("gcp:dataproc/autoscalingPolicy:AutoscalingPolicy", "basicAlgorithm.cooldownPeriod", "2m", "not a duration"),
    ],
)
def test_an_input_the_api_would_refuse_is_caught(type_token: str, path: str, value: Any, said: str) -> None:
    found = messages(changed(first(type_token), path, value))
    assert len(found) == 1
    assert said in found[0]


@pytest.mark.parametrize(
    ("type_token", "path", "field"),
    [
        ("gcp:bigquery/rowAccessPolicy:RowAccessPolicy", "filterPredicate", "filterPredicate"),
        ("gcp:logging/projectSink:ProjectSink", "destination", "destination"),
        ("gcp:bigquerydatapolicy/dataPolicy:DataPolicy", "dataPolicyType", "dataPolicyType"),
    ],
)
def test_a_missing_required_field_is_caught(type_token: str, path: str, field: str) -> None:
    assert messages(changed(first(type_token), path, None)) == [f"required field {field} is not set"]


def test_an_unmapped_google_type_fails_and_a_stated_one_does_not() -> None:
    instance = Resource("gcp:compute/instance:Instance", "vm", "urn:vm", {"machineType": "e2-small"})
    assert [f.rule_id for f in evaluate([instance], "prod", RULES)] == ["CAT-08"]
    stated = Resource(next(iter(NOT_COVERED)), "sid", "urn:sid", {"service": "x"})
    assert evaluate([stated], "prod", RULES) == []


def test_every_mapped_field_exists_in_the_vendored_schemas() -> None:
    schemas = load("schemas").data
    for token, mapping in MAPPINGS.items():
        problems = check(mapping, {}, schemas[mapping.api]).problems
        assert [p for p in problems if not p.endswith("is not set")] == [], token


def test_a_schema_missing_from_the_catalogue_fails_the_resource() -> None:
    mapping = MAPPINGS["gcp:kms/cryptoKey:CryptoKey"]
    problems = check(mapping, {"purpose": "ENCRYPT_DECRYPT"}, {"schemas": {}}).problems
    assert problems and all("not in the catalogue" in p for p in problems)


def test_values_are_read_through_lists_and_formats_are_checked() -> None:
    assert list(values_at({"a": [{"b": 1}, {"b": 2}, {}]}, "a.b")) == [1, 2]
    assert conforms("2026-01-02T03:04:05Z", {"type": "string", "format": "google-datetime"}, None) is None  # type: ignore[arg-type]
    assert conforms("yesterday", {"type": "string", "format": "google-datetime"}, None)  # type: ignore[arg-type]
    assert conforms("YWI=", {"type": "string", "format": "byte"}, None) is None  # type: ignore[arg-type]
    assert conforms("not base64!", {"type": "string", "format": "byte"}, None)  # type: ignore[arg-type]
    assert conforms(1.5, {"type": "number"}, None) is None  # type: ignore[arg-type]
    assert conforms("1.5", {"type": "number"}, None)  # type: ignore[arg-type]
    assert conforms({"k": 1}, {"type": "object", "additionalProperties": {"type": "string"}}, None)  # type: ignore[arg-type]


def test_the_plans_are_checked_field_by_field(stack: str) -> None:
    schemas = load("schemas").data
    mapped = [r for r in planned(stack) if r.type in MAPPINGS]
    checked = sum(check(MAPPINGS[r.type], r.inputs, schemas[MAPPINGS[r.type].api]).checked for r in mapped)
    assert len(mapped) > 250
    assert checked > 1500
