"""Column-level encryption: the wrapped keysets, who may use the KEK, and the only routine that decrypts.

BigQuery calls Cloud KMS as the querying identity, so the KEK's grants decide who can turn a column
keyset into a usable key:
- the deployer may only encrypt with it (`NEW_WRAPPED_KEYSET`, once, in a query job at deploy time);
- the re-identification group may decrypt, and reads the clear values only through the procedure
  `reidentify_patients`, which is authorized on the curated and keyset datasets (the group holds no
  access to either); its members also need the fine-grained reader grant on the MRN and SSN tags,
  which ColumnGovernance gives them, so the policy tags stay in force over the ciphertext;
- the loaders (data processors) may decrypt too: BigQuery has no encrypt-only use of a wrapped keyset
  (`KEYSET_CHAIN` unwraps it), and the curated load encrypts (`encryption_sql.curated_load_query`).
  They already read the clear rows in raw, so the grant adds no exposure, and no other person may.

The keyset job writes with WRITE_EMPTY into a table Pulumi creates empty: it creates the keysets once and
refuses to replace them, since a new keyset would make every stored ciphertext unreadable.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.data.warehouse.encryption_sql import (
    KEYSET_COLUMNS,
    PATIENT_IDS_ARGUMENT,
    keyset_creation_query,
    reidentify_body,
)
from infra.interface import register_declared
from infra.naming import (
    COLUMN_KEYSETS_TABLE,
    REIDENTIFY_PROCEDURE,
    child_opts,
    column_kek_uri,
    column_keys_dataset,
    data_opts,
    dataset_id,
    reidentification_dataset,
)
from infra.placement import Placement

KEK_ENCRYPTER = "roles/cloudkms.cryptoKeyEncrypter"
KEK_DECRYPTER = "roles/cloudkms.cryptoKeyDecrypter"
REIDENTIFIED_TABLE = "patients"
# Bumped only by a deliberate re-keying; a job id cannot be reused, so a new one means a new keyset run.
KEYSET_JOB_VERSION = 1
PATIENT_IDS_TYPE = json.dumps({"typeKind": "ARRAY", "arrayElementType": {"typeKind": "STRING"}})


def keyset_job_id(placement: Placement) -> str:
    return f"hipaa_{placement.environment}_column_keysets_v{KEYSET_JOB_VERSION}"


@dataclass(frozen=True)
class ColumnEncryptionArgs:
    placement: Placement
    """Environment (names, protection), workload project and region, labels."""
    bigquery_key_id: pulumi.Input[str]
    """CMEK key of the two datasets and the keyset table (the keysets are wrapped by the KEK as well)."""
    column_kek_id: pulumi.Input[str]
    """The KEK (`phi-columns-kek` of the platform keyring) that wraps the column keysets."""
    curated_dataset_id: pulumi.Input[str]
    """The dataset whose tables hold the ciphertext the procedure decrypts."""
    reidentification_group: str
    """The only people who may decrypt: KEK decrypter and caller of the procedure."""
    keyset_creator: pulumi.Input[str]
    """The member (`serviceAccount:EMAIL`) that runs `pulumi up`: encrypts with the KEK, never decrypts."""
    loaders: Sequence[pulumi.Input[str]] = ()
    """Members (`serviceAccount:EMAIL`) that write ciphertext into curated (they unwrap the keysets)."""


class ColumnEncryption(pulumi.ComponentResource):
    """The KEK's grants, the wrapped keysets (created by BigQuery at deploy time) and the decrypting procedure."""

    TYPE_TOKEN = "hipaa:data:ColumnEncryption"

    keys_dataset_id: pulumi.Output[str]
    """The dataset holding the wrapped keysets (`column_keysets`); no person is granted on it."""
    reidentification_dataset_id: pulumi.Output[str]
    """The dataset holding only the procedure; the re-identification group reads it."""
    procedure_id: pulumi.Output[str]
    """The routine id of the procedure (`reidentify_patients`)."""

    def __init__(self, name: str, args: ColumnEncryptionArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        self._args = args
        placement = args.placement
        group = f"group:{args.reidentification_group}"
        encrypter = self._kek_grant(f"{name}-kek-keyset-creator", KEK_ENCRYPTER, args.keyset_creator)
        self._kek_grant(f"{name}-kek-reidentification", KEK_DECRYPTER, group)
        for index, loader in enumerate(args.loaders):
            self._kek_grant(f"{name}-kek-loader-{index}", KEK_DECRYPTER, loader)
        keys = self._dataset(f"{name}-keys", column_keys_dataset(placement), "Wrapped column keysets only.")
        reidentification = self._dataset(
            f"{name}-reidentification",
            reidentification_dataset(placement),
            "The re-identification procedure only; its readers are the people who may decrypt.",
        )
        keysets = gcp.bigquery.Table(
            f"{name}-keysets",
            project=placement.project_id,
            dataset_id=keys.dataset_id,
            table_id=COLUMN_KEYSETS_TABLE,
            description="One wrapped keyset per encrypted column class, created by BigQuery (never in clear).",
            schema=json.dumps(
                [{"name": n, "type": t, "mode": "REQUIRED", "description": d} for n, t, d in KEYSET_COLUMNS]
            ),
            encryption_configuration=gcp.bigquery.TableEncryptionConfigurationArgs(kms_key_name=args.bigquery_key_id),
            # Losing the keysets loses every ciphertext: never deleted by a plan, in any environment.
            deletion_protection=True,
            labels={**placement.labels, "table-kind": "column-keysets"},
            opts=data_opts(placement, self),
        )
        gcp.bigquery.Job(
            f"{name}-keyset-job",
            project=placement.project_id,
            location=placement.region,
            job_id=keyset_job_id(placement),
            query=gcp.bigquery.JobQueryArgs(
                query=keyset_creation_query(column_kek_uri(placement)),
                use_legacy_sql=False,
                destination_table=gcp.bigquery.JobQueryDestinationTableArgs(
                    project_id=placement.project_id, dataset_id=keys.dataset_id, table_id=keysets.table_id
                ),
                create_disposition="CREATE_NEVER",
                write_disposition="WRITE_EMPTY",
                destination_encryption_configuration=gcp.bigquery.JobQueryDestinationEncryptionConfigurationArgs(
                    kms_key_name=args.bigquery_key_id
                ),
            ),
            labels={**placement.labels, "job-purpose": "column-keysets"},
            opts=child_opts(self, depends_on=[encrypter, keysets]),
        )
        procedure = gcp.bigquery.Routine(
            f"{name}-reidentify",
            project=placement.project_id,
            dataset_id=reidentification.dataset_id,
            routine_id=REIDENTIFY_PROCEDURE,
            routine_type="PROCEDURE",
            language="SQL",
            description="Decrypts the MRN and SSN of 1 to 100 named patients; callable by the re-identification group.",
            arguments=[
                gcp.bigquery.RoutineArgumentArgs(
                    name=PATIENT_IDS_ARGUMENT, mode="IN", data_type=PATIENT_IDS_TYPE, argument_kind="FIXED_TYPE"
                )
            ],
            definition_body=reidentify_body(
                placement.project_id,
                column_keys_dataset(placement),
                dataset_id(placement, "curated"),
                column_kek_uri(placement),
                REIDENTIFIED_TABLE,
            ),
            opts=data_opts(placement, self, depends_on=[keysets]),
        )
        # The procedure reads the keysets and the ciphertext for its callers, who may read neither directly.
        for purpose, dataset in (("keys", keys.dataset_id), ("curated", args.curated_dataset_id)):
            gcp.bigquery.DatasetAccess(
                f"{name}-{purpose}-authorizes-procedure",
                project=placement.project_id,
                dataset_id=dataset,
                routine=gcp.bigquery.DatasetAccessRoutineArgs(
                    project_id=placement.project_id,
                    dataset_id=reidentification.dataset_id,
                    routine_id=procedure.routine_id,
                ),
                opts=child_opts(self),
            )
        gcp.bigquery.DatasetAccess(
            f"{name}-reidentification-readers",
            project=placement.project_id,
            dataset_id=reidentification.dataset_id,
            role="READER",
            group_by_email=args.reidentification_group,
            opts=child_opts(self),
        )
        gcp.projects.IAMMember(
            f"{name}-reidentification-job-user",
            project=placement.project_id,
            role="roles/bigquery.jobUser",
            member=group,
            opts=child_opts(self),
        )
        self.keys_dataset_id = keys.dataset_id
        self.reidentification_dataset_id = reidentification.dataset_id
        self.procedure_id = procedure.routine_id
        register_declared(self)

    def _kek_grant(self, name: str, role: str, member: pulumi.Input[str]) -> gcp.kms.CryptoKeyIAMMember:
        return gcp.kms.CryptoKeyIAMMember(
            name, crypto_key_id=self._args.column_kek_id, role=role, member=member, opts=child_opts(self)
        )

    def _dataset(self, name: str, dataset: str, description: str) -> gcp.bigquery.Dataset:
        placement = self._args.placement
        return gcp.bigquery.Dataset(
            name,
            dataset_id=dataset,
            project=placement.project_id,
            location=placement.region,
            friendly_name=dataset,
            description=description,
            default_encryption_configuration=gcp.bigquery.DatasetDefaultEncryptionConfigurationArgs(
                kms_key_name=self._args.bigquery_key_id
            ),
            # Project owners only, so BigQuery adds no projectReaders/projectWriters default grants.
            accesses=[gcp.bigquery.DatasetAccessArgs(special_group="projectOwners", role="OWNER")],
            max_time_travel_hours="168",
            delete_contents_on_destroy=False,
            labels={**placement.labels, "dataset-purpose": "column-encryption"},
            opts=data_opts(placement, self, ignore_changes=["accesses"]),
        )
