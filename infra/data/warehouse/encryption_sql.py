"""The SQL of column-level encryption: the keyset-creating query, the curated load and the re-identification procedure.

`KEYS.KEYSET_CHAIN` takes the wrapped keyset only as a literal or a query parameter (BigQuery refuses a
subquery there), so the procedure first reads each wrapped keyset into a script variable. Nothing here
holds a keyset: the SQL names the KEK and the keyset table, and the keysets stay in BigQuery, wrapped.
Every text is parsed with sqlglot's BigQuery dialect by the tests.
"""

from __future__ import annotations

from collections.abc import Sequence

from infra.data.warehouse.encryption import ENCRYPTED_COLUMNS, EncryptedColumn, encrypted_column, encrypted_in
from infra.naming import COLUMN_KEYSETS_TABLE

# A call re-identifies a few named patients, never the table (45 CFR 164.502(b), minimum necessary).
MAX_PATIENTS_PER_CALL = 100
PATIENT_IDS_ARGUMENT = "patient_ids"
# The keyset table's columns, in the order the creating query selects them.
KEYSET_COLUMNS = (
    ("column_name", "STRING", "The encrypted column class the keyset belongs to (mrn, ssn)"),
    ("key_type", "STRING", "Tink key type: DETERMINISTIC_AEAD_AES_SIV_CMAC_256 or AEAD_AES_GCM_256"),
    ("kek", "STRING", "The Cloud KMS key that wraps the keyset (gcp-kms:// URI)"),
    ("wrapped_keyset", "BYTES", "The keyset, encrypted by the KEK: never stored or shown in clear"),
    ("created_at", "TIMESTAMP", "When BigQuery created the keyset"),
)


def table_ref(project: str, dataset: str, table: str) -> str:
    return f"`{project}.{dataset}.{table}`"


def keyset_variable(column: EncryptedColumn) -> str:
    return f"{column.keyset}_keyset"


def keyset_chain(kek_uri: str, column: EncryptedColumn) -> str:
    return f"KEYS.KEYSET_CHAIN('{kek_uri}', {keyset_variable(column)})"


def encrypt_expression(kek_uri: str, column: EncryptedColumn) -> str:
    return f"{column.encrypt_function}({keyset_chain(kek_uri, column)}, {column.column}, {column.additional_data})"


def decrypt_expression(kek_uri: str, column: EncryptedColumn) -> str:
    return f"{column.decrypt_function}({keyset_chain(kek_uri, column)}, {column.column}, {column.additional_data})"


def declare_keyset(keysets: str, column: EncryptedColumn) -> str:
    """Read one wrapped keyset into a script variable; a missing keyset stops the script (NULL would not)."""
    lookup = f"SELECT wrapped_keyset FROM {keysets} WHERE column_name = '{column.keyset}'"  # noqa: S608 - our names
    return (
        f"DECLARE {keyset_variable(column)} BYTES DEFAULT IFNULL(\n"
        f"  ({lookup}),\n"
        f"  ERROR('column keyset {column.keyset} is missing'));"
    )


def keyset_creation_query(kek_uri: str, columns: Sequence[EncryptedColumn] = ENCRYPTED_COLUMNS) -> str:
    """One new wrapped keyset per encrypted column, as rows of the keyset table.

    BigQuery returns the same keyset for equal arguments within one query, so two columns of one key
    type would silently share a keyset: that is refused here.
    """
    types = [column.key_type for column in columns]
    if not columns or len(set(types)) != len(types):
        raise ValueError(f"one keyset per key type per query, got {types}")
    rows = [
        f"SELECT '{column.keyset}' AS column_name, '{column.key_type}' AS key_type, '{kek_uri}' AS kek,\n"
        f"  KEYS.NEW_WRAPPED_KEYSET('{kek_uri}', '{column.key_type}') AS wrapped_keyset,\n"
        "  CURRENT_TIMESTAMP() AS created_at"
        for column in columns
    ]
    return "\nUNION ALL\n".join(rows)


def reidentify_body(project: str, keys_dataset: str, curated_dataset: str, kek_uri: str, table: str) -> str:
    """The procedure: `CALL reidentify_patients(['PAT-...'])` returns those patients' identifiers in clear."""
    columns = encrypted_in(table)
    if not columns:
        raise ValueError(f"{table} has no encrypted column to re-identify")
    keysets = table_ref(project, keys_dataset, COLUMN_KEYSETS_TABLE)
    declared = [declare_keyset(keysets, column) for column in columns]
    limit = (
        f"DECLARE requested INT64 DEFAULT IF(\n"
        f"  ARRAY_LENGTH({PATIENT_IDS_ARGUMENT}) BETWEEN 1 AND {MAX_PATIENTS_PER_CALL},\n"
        f"  ARRAY_LENGTH({PATIENT_IDS_ARGUMENT}),\n"
        f"  ERROR('{table}: re-identify 1 to {MAX_PATIENTS_PER_CALL} patient ids per call'));"
    )
    selected = ",\n".join(f"  {decrypt_expression(kek_uri, column)} AS {column.column}" for column in columns)
    query = (
        f"SELECT\n  patient_id,\n{selected}\n"
        f"FROM {table_ref(project, curated_dataset, table)}\n"
        f"WHERE patient_id IN UNNEST({PATIENT_IDS_ARGUMENT});"
    )
    return "\n".join([*declared, limit, query]) + "\n"


def curated_load_query(
    *,
    project: str,
    keys_dataset: str,
    raw_dataset: str,
    curated_dataset: str,
    kek_uri: str,
    table: str,
    columns: Sequence[str],
) -> str:
    """The script the loaders run to move a day's rows of `table` from raw into curated, encrypting on the way.

    `columns` are the table's columns in schema order; each encrypted one is replaced by its ciphertext
    (BYTES), the others are copied. Clear values exist only in raw and in the loader's query, never in curated.
    """
    encrypted = [column for column in (encrypted_column(table, name) for name in columns) if column is not None]
    keysets = table_ref(project, keys_dataset, COLUMN_KEYSETS_TABLE)
    selected = []
    for name in columns:
        column = encrypted_column(table, name)
        selected.append(f"  {encrypt_expression(kek_uri, column)} AS {name}" if column else f"  {name}")
    listed = ", ".join(columns)
    insert = (
        f"INSERT INTO {table_ref(project, curated_dataset, table)} ({listed})\n"
        "SELECT\n" + ",\n".join(selected) + "\n"
        f"FROM {table_ref(project, raw_dataset, table)}\n"
        "WHERE ingestion_date = @load_date;"
    )
    return "\n".join([*(declare_keyset(keysets, column) for column in encrypted), insert]) + "\n"
