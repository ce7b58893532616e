"""Column-level encryption as data: which PHI columns the warehouse stores as ciphertext, and how.

Policy tags decide who may read a column; these columns are also encrypted, value by value, with
BigQuery's AEAD functions, so a copy or export that gets around the tags still holds ciphertext. The
keysets exist only wrapped by the environment's KEK (`phi-columns-kek`, infra/security/kms.py): BigQuery
creates them (`KEYS.NEW_WRAPPED_KEYSET`) and unwraps them per query (`KEYS.KEYSET_CHAIN`), calling Cloud
KMS as the querying user, so whoever encrypts or decrypts needs the KEK (infra/data/warehouse/
column_encryption.py says who does).

The MRN is encrypted deterministically (AES-SIV): equal MRNs give equal ciphertext, so joins, GROUP BY,
uniqueness checks and record linkage keep working on ciphertext, and the Spark job keys patients on it.
The SSN is never joined or grouped on, so it is encrypted with randomized AES-GCM (equal SSNs are not
recognizable), bound to its row's `patient_id` as additional data: a ciphertext copied onto another
patient's row does not decrypt.
"""

from __future__ import annotations

from dataclasses import dataclass

DETERMINISTIC_KEY_TYPE = "DETERMINISTIC_AEAD_AES_SIV_CMAC_256"
RANDOMIZED_KEY_TYPE = "AEAD_AES_GCM_256"
CIPHERTEXT_TYPE = "BYTES"
# Datasets whose tables hold ciphertext: the curated load encrypts (scripts/sql/curated-load-patients.sql).
# raw keeps what landed, readable by the pipeline identity only, until the landing process encrypts too.
ENCRYPTED_PURPOSES = ("curated",)


@dataclass(frozen=True)
class EncryptedColumn:
    table: str
    """The warehouse table (infra/data/warehouse/schema.py) holding the column."""
    column: str
    """The column, stored as BYTES ciphertext; also the name of its keyset's row in the keyset table."""
    deterministic: bool
    """Deterministic (joinable, AES-SIV) or randomized (AES-GCM) encryption."""
    additional_data: str
    """A SQL expression of the row bound to the ciphertext; decryption must give the same value."""
    why: str
    """Why this mode: the reviewer's one line."""

    @property
    def keyset(self) -> str:
        return self.column

    @property
    def key_type(self) -> str:
        return DETERMINISTIC_KEY_TYPE if self.deterministic else RANDOMIZED_KEY_TYPE

    @property
    def encrypt_function(self) -> str:
        return "DETERMINISTIC_ENCRYPT" if self.deterministic else "AEAD.ENCRYPT"

    @property
    def decrypt_function(self) -> str:
        return "DETERMINISTIC_DECRYPT_STRING" if self.deterministic else "AEAD.DECRYPT_STRING"


ENCRYPTED_COLUMNS: tuple[EncryptedColumn, ...] = (
    EncryptedColumn(
        "patients",
        "mrn",
        deterministic=True,
        # A constant: every table that ever carries an MRN encrypts it the same way, so they join.
        additional_data="'mrn'",
        why="a join and linkage key: equal MRNs must give equal ciphertext",
    ),
    EncryptedColumn(
        "patients",
        "ssn",
        deterministic=False,
        additional_data="patient_id",
        why="never joined or grouped on: randomized, and bound to its row's patient_id",
    ),
)


def encrypted_column(table: str, column: str) -> EncryptedColumn | None:
    """The encryption of `table.column`, or None when the column is stored as it is."""
    return next((e for e in ENCRYPTED_COLUMNS if (e.table, e.column) == (table, column)), None)


def encrypted_in(table: str) -> tuple[EncryptedColumn, ...]:
    return tuple(e for e in ENCRYPTED_COLUMNS if e.table == table)
