"""The warehouse's synthetic healthcare model as data: tables, columns, the policy tag on each PHI column.

Column names and types follow a FHIR-like model (patients, encounters, observations). Every column
that identifies a person, or narrows one down, names the policy tag (a key of
`warehouse_governance.TAGS`) that masks or hides it; the schema JSON carries the tag's resource name.
Partitioning is on the load date, which is not a date of the individual, so partition pruning never
needs a protected column. Columns listed in `encryption.ENCRYPTED_COLUMNS` are declared here with their
clear type and stored as BYTES ciphertext in the datasets that encrypt (`column_type`); their policy
tag stays on as the access layer over the ciphertext.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from infra.data.warehouse.encryption import CIPHERTEXT_TYPE, ENCRYPTED_PURPOSES, encrypted_column

# The column row access policies filter on; each analyst group in `hipaa:analystRegions` sees its regions.
REGION_COLUMN = "facility_region"
PARTITION_COLUMN = "ingestion_date"
# What may appear inside the quoted literals of the predicate (config validates the same shape).
_SAFE_REGION = re.compile(r"^[a-z][a-z0-9-]*$")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    mode: str = "NULLABLE"
    tag: str | None = None


@dataclass(frozen=True)
class TableSpec:
    table_id: str
    description: str
    columns: tuple[Column, ...]
    clustering: tuple[str, ...]


def _key(name: str, description: str) -> Column:
    return Column(name, "STRING", description, mode="REQUIRED")


_REGION = Column(REGION_COLUMN, "STRING", "Region code of the treating facility; rows are filtered on it", "REQUIRED")
_LOADED = Column(
    PARTITION_COLUMN, "DATE", "Date the pipeline loaded the row (partition; not a date of care)", "REQUIRED"
)
_PATIENT = _key("patient_id", "Random surrogate assigned at ingestion, never derived from an identifier")

TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "patients",
        "One row per patient (synthetic model).",
        (
            _PATIENT,
            Column("mrn", "STRING", "Medical record number", tag="mrn"),
            Column("ssn", "STRING", "Social security number", tag="ssn"),
            Column("given_name", "STRING", "Given name", tag="name"),
            Column("family_name", "STRING", "Family name", tag="name"),
            Column("date_of_birth", "DATE", "Date of birth", tag="date-of-birth"),
            Column("sex", "STRING", "Administrative sex (HL7 code)"),
            Column("postal_code", "STRING", "Postal code of residence", tag="postal-code"),
            Column("phone", "STRING", "Contact phone number", tag="contact"),
            Column("email", "STRING", "Contact email address", tag="contact"),
            _key("facility_id", "Treating facility"),
            _REGION,
            _LOADED,
        ),
        (REGION_COLUMN, "facility_id"),
    ),
    TableSpec(
        "encounters",
        "One row per visit or stay (synthetic model).",
        (
            _key("encounter_id", "Random surrogate for the encounter"),
            _PATIENT,
            _key("facility_id", "Treating facility"),
            _REGION,
            Column("encounter_class", "STRING", "inpatient, outpatient or emergency"),
            Column("primary_diagnosis_code", "STRING", "ICD-10-CM code of the primary diagnosis"),
            Column("admit_date", "DATE", "Date of admission", tag="service-date"),
            Column("discharge_date", "DATE", "Date of discharge", tag="service-date"),
            Column("length_of_stay_days", "INT64", "Computed at curation so analysts need no exact dates"),
            _LOADED,
        ),
        (REGION_COLUMN, "patient_id"),
    ),
    TableSpec(
        "observations",
        "One row per measurement (synthetic model).",
        (
            _key("observation_id", "Random surrogate for the observation"),
            _PATIENT,
            Column("encounter_id", "STRING", "Encounter the observation belongs to"),
            _REGION,
            Column("loinc_code", "STRING", "LOINC code of what was measured"),
            Column("value_numeric", "NUMERIC", "Measured value"),
            Column("unit", "STRING", "UCUM unit of the value"),
            Column("observed_at", "TIMESTAMP", "When the measurement was taken", tag="service-date"),
            _LOADED,
        ),
        (REGION_COLUMN, "patient_id", "loinc_code"),
    ),
)


def column_type(table: TableSpec, column: Column, purpose: str) -> str:
    """The type a column is stored as in a dataset of `purpose`: BYTES where it is encrypted."""
    if purpose in ENCRYPTED_PURPOSES and encrypted_column(table.table_id, column.name) is not None:
        return CIPHERTEXT_TYPE
    return column.type


def _description(table: TableSpec, column: Column, purpose: str) -> str:
    encryption = encrypted_column(table.table_id, column.name) if purpose in ENCRYPTED_PURPOSES else None
    if encryption is None:
        return column.description
    mode = "deterministic" if encryption.deterministic else "randomized"
    return f"{column.description}; {mode} AEAD ciphertext (decrypt: the re-identification procedure)"


def schema_fields(table: TableSpec, tag_names: Mapping[str, Any], purpose: str) -> list[dict[str, Any]]:
    """BigQuery schema fields of the table in a dataset of `purpose`; a PHI column carries `policyTags.names`
    with its tag's resource name, an encrypted one its ciphertext type as well."""
    fields: list[dict[str, Any]] = []
    for column in table.columns:
        field: dict[str, Any] = {
            "name": column.name,
            "type": column_type(table, column, purpose),
            "mode": column.mode,
            "description": _description(table, column, purpose),
        }
        if column.tag is not None:
            field["policyTags"] = {"names": [tag_names[column.tag]]}
        fields.append(field)
    return fields


def schema_json(table: TableSpec, tag_names: Mapping[str, pulumi.Input[str]], purpose: str) -> pulumi.Output[str]:
    """The `schema` argument of gcp.bigquery.Table, resolved once the policy tags exist."""
    return pulumi.Output.json_dumps(schema_fields(table, tag_names, purpose))


def region_predicate(regions: Sequence[str]) -> str:
    """Row filter for the analyst group: `facility_region IN ('northeast', 'south')`."""
    if not regions:
        raise ValueError("analyst regions: at least one region is needed for the row filter")
    unsafe = [region for region in regions if not _SAFE_REGION.match(region)]
    if unsafe:
        raise ValueError(f"analyst regions: {unsafe!r} are not region codes (lowercase letters, digits, hyphens)")
    quoted = ", ".join(f"'{region}'" for region in regions)
    return f"{REGION_COLUMN} IN ({quoted})"
