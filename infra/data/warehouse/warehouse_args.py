"""What the Warehouse component takes: its args, apart so the component module stays one screenful."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

from infra.placement import Placement


@dataclass(frozen=True)
class WarehouseArgs:
    """Members are granted here rather than with DatasetIamMember elsewhere: the provider warns that
    DatasetIamMember and DatasetAccess on one dataset overwrite each other."""

    placement: Placement
    """Environment (dataset ids, expirations, protection), workload project and region (every dataset's), labels."""
    bigquery_key_id: pulumi.Input[str]
    """CMEK key of every dataset and table; pass one that resolves once BigQuery's agent holds it."""
    analyst_group: str
    """Google group of analysts: reads the de-identified dataset only, PHI columns masked."""
    engineer_group: str
    """Google group of data engineers: reads curated (every row, MRNs in clear, other PHI masked)."""
    analyst_regions: tuple[tuple[str, tuple[str, ...]], ...]
    """Row-level security: each analyst group (nested in `analyst_group`) and the facility regions whose
    rows it sees; an analyst in no listed group sees no rows."""
    reidentification_group: str
    """Google group that alone may decrypt the encrypted columns, through the re-identification procedure."""
    column_kek_id: pulumi.Input[str]
    """The KEK wrapping the column keysets (`phi-columns-kek`, Kms.column_kek_id)."""
    keyset_creator: pulumi.Input[str]
    """The member running `pulumi up` (`serviceAccount:EMAIL`): BigQuery wraps new keysets as it."""
    backup_operators: Sequence[pulumi.Input[str]] = ()
    """Members (`serviceAccount:EMAIL`) that snapshot curated tables into the backups dataset."""
    data_processors: Sequence[pulumi.Input[str]] = ()
    """Pipeline job identities (`serviceAccount:EMAIL`) that read raw and write curated (whole rows, clear
    columns), write the de-identified outputs and materialize their reads."""
    model_trainers: Sequence[pulumi.Input[str]] = ()
    """Members (`serviceAccount:EMAIL`) that train BigQuery ML models over the de-identified tables."""
