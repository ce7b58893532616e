"""Warehouse: BigQuery datasets for PHI, de-identified analytics and backups, with row and column security.

raw       landed PHI, read and written by the pipeline only
curated   cleaned PHI (the pipeline's `_BIGQUERY_DATASET`); engineers read it, masked except MRNs
deidentified  authorized views over curated; the only dataset analysts can read
backups   table snapshots and restore-test scratch tables, expiring by default
materialization  where the Spark BigQuery connector materializes what it reads; identified rows, kept a day

Every dataset is CMEK-encrypted and starts from an explicit access list (project owners only), so
BigQuery never adds its default projectReaders/projectWriters grants; each further grant is one
DatasetAccess, which is why the dataset ignores later changes to its own access list.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_gcp as gcp

from infra.config import row_policy_id
from infra.data.warehouse.column_encryption import ColumnEncryption, ColumnEncryptionArgs
from infra.data.warehouse.governance import ColumnGovernance, ColumnGovernanceArgs
from infra.data.warehouse.schema import PARTITION_COLUMN, TABLES, TableSpec, region_predicate, schema_json
from infra.data.warehouse.views import authorized_views
from infra.data.warehouse.warehouse_args import WarehouseArgs
from infra.interface import register_declared
from infra.naming import child_opts, data_opts, dataset_id

DATASET_PURPOSES = {
    "raw": "Landed PHI exactly as received; pipeline access only.",
    "curated": "Cleaned PHI the pipeline jobs and data-quality suites work on.",
    "deidentified": "Authorized views without identifiers; the analysts' only dataset.",
    "backups": "Table snapshots and restore-test scratch tables; they expire by default.",
    "materialization": "Temporary tables the Spark BigQuery connector reads through; they expire after a day.",
}
PHI_DATASETS = ("raw", "curated")
DAY_MS = 86_400_000
# Snapshots and restored scratch tables are PHI copies: they expire unless someone keeps them on purpose.
BACKUP_TABLE_EXPIRATION_DAYS = {"dev": 1, "staging": 7, "prod": 30}
# Materialized reads are identified rows the job needs only while it runs.
MATERIALIZATION_TABLE_EXPIRATION_DAYS = 1
# The longest time travel BigQuery offers: deleted or overwritten rows stay restorable for 7 days.
TIME_TRAVEL_HOURS = "168"
FULL_ACCESS_FILTER = "TRUE"
PROCESSOR_ACCESS = {"raw": "READER", "curated": "WRITER", "deidentified": "WRITER", "materialization": "WRITER"}


def _service_account_email(argument: str, member: str) -> str:
    if not member.startswith("serviceAccount:"):
        raise ValueError(f"{argument}: {member!r} is not a serviceAccount: member")
    return member.removeprefix("serviceAccount:")


def _service_account(member: pulumi.Input[str], argument: str) -> pulumi.Output[str]:
    """The email of a `serviceAccount:` member, for dataset access entries (userByEmail)."""
    return pulumi.Output.from_input(member).apply(lambda m: _service_account_email(argument, m))


class Warehouse(pulumi.ComponentResource):
    """BigQuery datasets for PHI, de-identified analytics and backups, with row and column security."""

    TYPE_TOKEN = "hipaa:data:Warehouse"

    dataset_ids: dict[str, pulumi.Output[str]]
    """Dataset id per purpose, the keys of `DATASET_PURPOSES` (`raw`, `curated`, `deidentified`, ...)."""
    view_ids: dict[str, pulumi.Output[str]]
    """Table id of each authorized view in the de-identified dataset, by view id."""
    taxonomy_name: pulumi.Output[str]
    """The policy tag taxonomy that masks the PHI columns (ColumnGovernance)."""
    reidentification_procedure: pulumi.Output[str]
    """`project.dataset.reidentify_patients`: the only way to read the encrypted columns in clear."""

    def __init__(self, name: str, args: WarehouseArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        self._args = args
        placement = args.placement
        self._datasets: dict[str, gcp.bigquery.Dataset] = {
            purpose: self._dataset(name, purpose, description) for purpose, description in DATASET_PURPOSES.items()
        }
        governance = ColumnGovernance(
            f"{name}-columns",
            ColumnGovernanceArgs(
                placement=placement,
                analyst_group=args.analyst_group,
                engineer_group=args.engineer_group,
                full_readers=[*args.backup_operators, *args.data_processors],
                reidentification_group=args.reidentification_group,
            ),
            opts=child_opts(self),
        )
        engineers = f"group:{args.engineer_group}"
        full_access = {
            "raw": [*args.data_processors],
            "curated": [engineers, *args.backup_operators, *args.data_processors],
        }
        tables: dict[str, gcp.bigquery.Table] = {}
        for purpose in PHI_DATASETS:
            for spec in TABLES:
                table = self._table(name, purpose, spec, governance.policy_tag_names)
                self._row_access(f"{name}-{purpose}-{spec.table_id}", purpose, table, full_access[purpose])
                tables[f"{purpose}.{spec.table_id}"] = table
        views = authorized_views(
            f"{name}-deidentified",
            placement,
            self,
            deidentified=self._datasets["deidentified"],
            curated=self._datasets["curated"],
            sources={spec.table_id: tables[f"curated.{spec.table_id}"] for spec in TABLES},
        )
        encryption = ColumnEncryption(
            f"{name}-encryption",
            ColumnEncryptionArgs(
                placement=placement,
                bigquery_key_id=args.bigquery_key_id,
                column_kek_id=args.column_kek_id,
                curated_dataset_id=self._datasets["curated"].dataset_id,
                reidentification_group=args.reidentification_group,
                keyset_creator=args.keyset_creator,
                loaders=list(args.data_processors),
            ),
            opts=child_opts(self),
        )
        self._grant(name, "curated", "READER", group=args.engineer_group, suffix="engineers")
        self._grant(name, "deidentified", "READER", group=args.analyst_group, suffix="analysts")
        for suffix, group in (("engineers", args.engineer_group), ("analysts", args.analyst_group)):
            # Dataset READER lets a group see tables; running a query is a job billed to the project.
            gcp.projects.IAMMember(
                f"{name}-{suffix}-job-user",
                project=placement.project_id,
                role="roles/bigquery.jobUser",
                member=f"group:{group}",
                opts=child_opts(self),
            )
        for index, member in enumerate(args.backup_operators):
            # Snapshot needs read (tables.createSnapshot) on the source and write in the backups dataset.
            email = _service_account(member, "backup_operators")
            self._grant(name, "curated", "READER", user=email, suffix=f"backup-{index}")
            self._grant(name, "backups", "WRITER", user=email, suffix=f"backup-{index}")
        for index, member in enumerate(args.data_processors):
            # The jobs read what landed in raw, write curated, and publish de-identified tables; the
            # connector stages its reads of curated in the materialization dataset.
            email = _service_account(member, "data_processors")
            for purpose, role in PROCESSOR_ACCESS.items():
                self._grant(name, purpose, role, user=email, suffix=f"processor-{index}")
        for index, member in enumerate(args.model_trainers):
            # CREATE MODEL writes the model into the dataset it reads its training rows from.
            email = _service_account(member, "model_trainers")
            self._grant(name, "deidentified", "WRITER", user=email, suffix=f"trainer-{index}")
        self.dataset_ids = {purpose: dataset.dataset_id for purpose, dataset in self._datasets.items()}
        self.view_ids = {view_id: view.table_id for view_id, view in views.items()}
        self.taxonomy_name = governance.taxonomy_name
        self.reidentification_procedure = pulumi.Output.all(
            encryption.reidentification_dataset_id, encryption.procedure_id
        ).apply(lambda parts: f"{placement.project_id}.{parts[0]}.{parts[1]}")
        register_declared(self)

    def _dataset(self, name: str, purpose: str, description: str) -> gcp.bigquery.Dataset:
        placement = self._args.placement
        expiration = {
            "backups": BACKUP_TABLE_EXPIRATION_DAYS[placement.environment] * DAY_MS,
            "materialization": MATERIALIZATION_TABLE_EXPIRATION_DAYS * DAY_MS,
        }.get(purpose)
        return gcp.bigquery.Dataset(
            f"{name}-{purpose}",
            dataset_id=dataset_id(placement, purpose),
            project=placement.project_id,
            location=placement.region,
            friendly_name=dataset_id(placement, purpose),
            description=description,
            default_encryption_configuration=gcp.bigquery.DatasetDefaultEncryptionConfigurationArgs(
                kms_key_name=self._args.bigquery_key_id
            ),
            accesses=[gcp.bigquery.DatasetAccessArgs(special_group="projectOwners", role="OWNER")],
            default_table_expiration_ms=expiration,
            max_time_travel_hours=TIME_TRAVEL_HOURS,
            delete_contents_on_destroy=not placement.is_prod,
            labels={**placement.labels, "dataset-purpose": purpose},
            opts=data_opts(placement, self, ignore_changes=["accesses"]),
        )

    def _table(
        self, name: str, purpose: str, spec: TableSpec, tag_names: dict[str, pulumi.Output[str]]
    ) -> gcp.bigquery.Table:
        placement = self._args.placement
        return gcp.bigquery.Table(
            f"{name}-{purpose}-{spec.table_id}",
            project=placement.project_id,
            dataset_id=self._datasets[purpose].dataset_id,
            table_id=spec.table_id,
            description=spec.description,
            schema=schema_json(spec, tag_names, purpose),
            time_partitioning=gcp.bigquery.TableTimePartitioningArgs(type="DAY", field=PARTITION_COLUMN),
            # The authorized views expose no partition column, so a required filter would break them.
            require_partition_filter=False,
            clusterings=list(spec.clustering),
            encryption_configuration=gcp.bigquery.TableEncryptionConfigurationArgs(
                kms_key_name=self._args.bigquery_key_id
            ),
            deletion_protection=placement.is_prod,
            labels={**placement.labels, "table-kind": "phi"},
            opts=data_opts(placement, self),
        )

    def _row_access(
        self, name: str, purpose: str, table: gcp.bigquery.Table, full_access: Sequence[pulumi.Input[str]]
    ) -> None:
        """Each analyst group sees its regions; named identities that copy or transform the table see every row."""
        placement = self._args.placement
        # One policy per analyst group; the umbrella analyst group itself is granted no rows, so an
        # analyst in no regional group sees none.
        policies: list[tuple[str, str, list[pulumi.Input[str]]]] = [
            (row_policy_id(group), region_predicate(regions), [f"group:{group}"])
            for group, regions in self._args.analyst_regions
        ]
        if full_access:
            # Copies (snapshots), the Storage Read API and DML all need the TRUE filter.
            policies.append(("full_access", FULL_ACCESS_FILTER, list(full_access)))
        for policy_id, predicate, grantees in policies:
            gcp.bigquery.RowAccessPolicy(
                f"{name}-{policy_id}",
                project=placement.project_id,
                dataset_id=self._datasets[purpose].dataset_id,
                table_id=table.table_id,
                policy_id=policy_id,
                filter_predicate=predicate,
                grantees=grantees,
                opts=data_opts(placement, self),
            )

    def _grant(
        self,
        name: str,
        purpose: str,
        role: str,
        *,
        suffix: str,
        group: str | None = None,
        user: pulumi.Input[str] | None = None,
    ) -> None:
        gcp.bigquery.DatasetAccess(
            f"{name}-{purpose}-{suffix}",
            project=self._args.placement.project_id,
            dataset_id=self._datasets[purpose].dataset_id,
            role=role,
            group_by_email=group,
            user_by_email=user,
            opts=child_opts(self),
        )
