"""Column-level encryption: ciphertext columns, the KEK's grants, the keyset job and the decrypting procedure."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlglot
from sqlglot import exp

from infra.data.warehouse.encryption import ENCRYPTED_COLUMNS, EncryptedColumn
from infra.data.warehouse.encryption_sql import curated_load_query, keyset_creation_query, reidentify_body
from infra.data.warehouse.schema import TABLES
from infra.naming import column_kek_uri
from tests.infra.data.builders import COLUMN_KEK, DATAPROC, DEPLOYER, TABLE, built_warehouse
from tests.infra.recording import config_for, of_type

KEY_MEMBER = "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember"
JOB = "gcp:bigquery/job:Job"
ROUTINE = "gcp:bigquery/routine:Routine"
ACCESS = "gcp:bigquery/datasetAccess:DatasetAccess"
TAG_MEMBER = "gcp:datacatalog/policyTagIamMember:PolicyTagIamMember"
KEK_URI = (
    "gcp-kms://projects/nwh-analytics-prd/locations/us-central1/keyRings/hipaa-prod-keyring/cryptoKeys/phi-columns-kek"
)


def planned(kind: str, environment: str = "prod") -> list[dict[str, Any]]:
    return [dict(r.inputs) for r in of_type(list(built_warehouse(environment)), kind)]


def fields(dataset: str, table: str = "patients") -> dict[str, dict[str, Any]]:
    (inputs,) = [t for t in planned(TABLE) if (t["datasetId"], t["tableId"]) == (dataset, table)]
    return {f["name"]: f for f in json.loads(inputs["schema"])}


def statements(sql: str) -> list[exp.Expr]:
    """Every statement of a script, parsed by sqlglot's BigQuery dialect; nothing left as an opaque command."""
    parsed = [s for s in sqlglot.parse(sql, read="bigquery") if s is not None]
    assert parsed and not any(isinstance(s, exp.Command) for s in parsed)
    return parsed


def qualified(function: exp.Func) -> str:
    """`KEYS.KEYSET_CHAIN`: sqlglot reads a namespaced call as a Dot whose right side is the call."""
    name = function.sql(dialect="bigquery").split("(")[0].upper()
    parent = function.parent
    if isinstance(parent, exp.Dot) and parent.expression is function:
        return f"{parent.this.sql(dialect='bigquery').upper()}.{name}"
    return name


def functions(sql: str) -> set[str]:
    return {qualified(f) for s in statements(sql) for f in s.find_all(exp.Func)}


def test_curated_stores_mrn_and_ssn_as_ciphertext_under_their_policy_tags() -> None:
    curated = fields("hipaa_prod_curated")
    for name in ("mrn", "ssn"):
        assert curated[name]["type"] == "BYTES"
        assert curated[name]["policyTags"] == {"names": [f"warehouse-columns-{name}"]}
    assert "deterministic AEAD ciphertext" in curated["mrn"]["description"]
    assert "randomized AEAD ciphertext" in curated["ssn"]["description"]
    # What landed in raw is clear until the curated load encrypts it; other PHI columns keep their type.
    assert fields("hipaa_prod_raw")["mrn"]["type"] == "STRING"
    assert curated["given_name"]["type"] == "STRING"


def test_the_join_key_is_deterministic_and_the_ssn_randomized_and_bound_to_its_row() -> None:
    modes = {c.column: (c.key_type, c.encrypt_function, c.additional_data) for c in ENCRYPTED_COLUMNS}
    assert modes == {
        "mrn": ("DETERMINISTIC_AEAD_AES_SIV_CMAC_256", "DETERMINISTIC_ENCRYPT", "'mrn'"),
        "ssn": ("AEAD_AES_GCM_256", "AEAD.ENCRYPT", "patient_id"),
    }


def test_only_the_reidentification_group_and_the_loader_may_decrypt_and_only_the_deployer_encrypts() -> None:
    grants = {(g["role"], g["member"]) for g in planned(KEY_MEMBER)}
    assert {g["cryptoKeyId"] for g in planned(KEY_MEMBER)} == {COLUMN_KEK}
    assert grants == {
        ("roles/cloudkms.cryptoKeyEncrypter", f"serviceAccount:{DEPLOYER}"),
        ("roles/cloudkms.cryptoKeyDecrypter", f"group:{config_for('prod').reidentification_group}"),
        ("roles/cloudkms.cryptoKeyDecrypter", f"serviceAccount:{DATAPROC}"),
    }


def test_bigquery_wraps_the_keysets_once_at_deploy_time_and_never_replaces_them() -> None:
    (job,) = planned(JOB)
    query = job["query"]
    assert (query["writeDisposition"], query["createDisposition"], query["useLegacySql"]) == (
        "WRITE_EMPTY",
        "CREATE_NEVER",
        False,
    )
    assert query["destinationTable"]["tableId"] == "column_keysets"
    assert query["query"] == keyset_creation_query(KEK_URI)
    assert column_kek_uri(config_for("prod")) == KEK_URI
    assert functions(query["query"]) >= {"KEYS.NEW_WRAPPED_KEYSET"}
    (keysets,) = [t for t in planned(TABLE) if t["tableId"] == "column_keysets"]
    assert keysets["deletionProtection"] is True


def test_one_keyset_per_key_type_per_query() -> None:
    # BigQuery returns one keyset for equal NEW_WRAPPED_KEYSET arguments within a query.
    twin = EncryptedColumn("patients", "other", deterministic=True, additional_data="'other'", why="test")
    with pytest.raises(ValueError, match="one keyset per key type"):
        keyset_creation_query(KEK_URI, (ENCRYPTED_COLUMNS[0], twin))


def test_no_clear_keyset_function_appears_in_the_plan() -> None:
    planned_text = json.dumps([dict(r.inputs) for r in built_warehouse("prod")])
    for clear in ("KEYS.NEW_KEYSET(", "KEYSET_TO_JSON", "KEYSET_FROM_JSON", "ADD_KEY_FROM_RAW_BYTES"):
        assert clear not in planned_text


def test_the_procedure_decrypts_a_bounded_list_of_named_patients() -> None:
    (routine,) = planned(ROUTINE)
    assert (routine["routineType"], routine["language"], routine["routineId"]) == (
        "PROCEDURE",
        "SQL",
        "reidentify_patients",
    )
    assert routine["arguments"] == [
        {
            "name": "patient_ids",
            "mode": "IN",
            "dataType": json.dumps({"typeKind": "ARRAY", "arrayElementType": {"typeKind": "STRING"}}),
            "argumentKind": "FIXED_TYPE",
        }
    ]
    body = routine["definitionBody"]
    assert functions(body) >= {"DETERMINISTIC_DECRYPT_STRING", "AEAD.DECRYPT_STRING", "KEYS.KEYSET_CHAIN", "ERROR"}
    assert f"KEYS.KEYSET_CHAIN('{KEK_URI}', mrn_keyset)" in body
    assert "ARRAY_LENGTH(patient_ids) BETWEEN 1 AND 100" in body


def test_the_procedure_alone_is_authorized_and_only_the_group_may_call_it() -> None:
    accesses = planned(ACCESS)
    authorized = {a["datasetId"] for a in accesses if "routine" in a}
    assert authorized == {"hipaa_prod_curated", "hipaa_prod_column_keys"}
    readers = {(a["datasetId"], a.get("groupByEmail") or a.get("userByEmail")) for a in accesses if "role" in a}
    assert {r for r in readers if r[0] in ("hipaa_prod_column_keys", "hipaa_prod_reidentification")} == {
        ("hipaa_prod_reidentification", config_for("prod").reidentification_group)
    }


def test_the_group_reads_the_ciphertext_tags_and_no_other_phi() -> None:
    group = f"group:{config_for('prod').reidentification_group}"
    tags = {g["policyTag"] for g in planned(TAG_MEMBER) if g["member"] == group}
    assert tags == {"warehouse-columns-mrn", "warehouse-columns-ssn"}


def test_the_curated_load_encrypts_every_encrypted_column_and_copies_the_rest() -> None:
    (patients,) = [t for t in TABLES if t.table_id == "patients"]
    names = [c.name for c in patients.columns]
    sql = curated_load_query(
        project="nwh-analytics-prd",
        keys_dataset="hipaa_prod_column_keys",
        raw_dataset="hipaa_prod_raw",
        curated_dataset="hipaa_prod_curated",
        kek_uri=KEK_URI,
        table="patients",
        columns=names,
    )
    (insert,) = [s for s in statements(sql) if isinstance(s, exp.Insert)]
    selected = {e.alias_or_name: e for e in insert.expression.expressions}
    assert list(selected) == names
    assert selected["mrn"].find(exp.Anonymous, exp.Func) is not None
    assert "DETERMINISTIC_ENCRYPT(KEYS.KEYSET_CHAIN" in selected["mrn"].sql(dialect="bigquery")
    assert "AEAD.ENCRYPT(KEYS.KEYSET_CHAIN" in selected["ssn"].sql(dialect="bigquery")
    assert isinstance(selected["given_name"], exp.Column)


def test_every_procedure_text_parses() -> None:
    for environment in ("dev", "staging", "prod"):
        (routine,) = planned(ROUTINE, environment)
        statements(routine["definitionBody"])
    with pytest.raises(ValueError, match="no encrypted column"):
        reidentify_body("p", "k", "c", KEK_URI, "encounters")
