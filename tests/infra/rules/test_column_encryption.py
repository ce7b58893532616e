"""Column encryption rules: each passes on the planned warehouse and fails on one violating change."""

from __future__ import annotations

import json

from infra.rules import Resource, evaluate
from infra.rules.column_encryption import RULES
from tests.infra.data.builders import COLUMN_KEK, built_warehouse
from tests.infra.recording import changed

RING = "projects/nwh-analytics-prd/locations/us-central1/keyRings/hipaa-prod-keyring"
KMS = [
    Resource(
        "gcp:kms/keyRing:KeyRing",
        "kms-keyring",
        "urn:keyring",
        {"project": "nwh-analytics-prd", "location": "us-central1", "name": "hipaa-prod-keyring"},
    ),
    Resource(
        "gcp:kms/cryptoKey:CryptoKey",
        "kms-phi-columns-kek",
        "urn:kek",
        {"keyRing": RING, "name": "phi-columns-kek", "purpose": "ENCRYPT_DECRYPT"},
    ),
]


def planned() -> list[Resource]:
    return [*KMS, *built_warehouse("prod")]


def findings(resources: list[Resource]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for finding in evaluate(resources, "prod", RULES):
        found.setdefault(finding.rule_id, []).append(finding.message)
    return found


def replaced(name: str, path: str, value: object) -> list[Resource]:
    return [changed(r, path, value) if r.name == name else r for r in planned()]


def test_the_planned_warehouse_passes() -> None:
    assert f"{RING}/cryptoKeys/phi-columns-kek" == COLUMN_KEK
    assert findings(planned()) == {}


def test_a_curated_identifier_in_clear_fails() -> None:
    table = next(r for r in planned() if r.name == "warehouse-curated-patients")
    fields = json.loads(table.inputs["schema"])
    next(f for f in fields if f["name"] == "ssn")["type"] = "STRING"
    found = findings(replaced(table.name, "schema", json.dumps(fields)))
    assert list(found) == ["CLE-01"]
    assert "ssn (STRING)" in found["CLE-01"][0]


def test_a_kek_outside_the_keyring_fails_and_so_does_a_missing_keyset_job() -> None:
    job = next(r for r in planned() if r.name == "warehouse-encryption-keyset-job")
    elsewhere = str(job.inputs["query"]["query"]).replace("hipaa-prod-keyring", "other-ring")
    found = findings(replaced(job.name, "query.query", elsewhere))
    assert any("not a symmetric key of a planned keyring" in m for m in found["CLE-02"])
    without_job = [r for r in planned() if r.name != job.name]
    assert any("no job creates" in m for m in findings(without_job)["CLE-02"])


def test_a_second_group_of_decrypters_fails() -> None:
    grant = "warehouse-encryption-kek-loader-0"
    found = findings(replaced(grant, "member", "group:prod-data-engineers@northwind-health.example"))
    assert list(found) == ["CLE-03"]
    assert "must be one group" in found["CLE-03"][0]


def test_another_reader_of_the_routines_dataset_fails() -> None:
    readers = "warehouse-encryption-reidentification-readers"
    found = findings(replaced(readers, "groupByEmail", "prod-analysts@northwind-health.example"))
    assert "expected only" in found["CLE-03"][0]


def test_an_unauthorized_routine_fails() -> None:
    names = ("warehouse-encryption-keys-authorizes-procedure", "warehouse-encryption-curated-authorizes-procedure")
    found = findings([r for r in planned() if r.name not in names])
    assert any("authorized on no dataset" in m for m in found["CLE-03"])
