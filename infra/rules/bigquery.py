"""Rules for BigQuery datasets, tables and dataset access: CMEK, explicit least-privilege access, recoverable.

Column, row and view rules (BQ-09 onwards) live in `bigquery_governance.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from infra.rules import Context, Resource, Rule, dig

DATASET = "gcp:bigquery/dataset:Dataset"
DATASET_ACCESS = "gcp:bigquery/datasetAccess:DatasetAccess"
DATASET_MEMBER = "gcp:bigquery/datasetIamMember:DatasetIamMember"
DATASET_BINDING = "gcp:bigquery/datasetIamBinding:DatasetIamBinding"
TABLE = "gcp:bigquery/table:Table"
PUBLIC_MEMBERS = ("allUsers", "allAuthenticatedUsers")
# Dataset ACL groups that mirror the basic project roles; BigQuery adds them when no access list is set.
BASIC_ROLE_GROUPS = ("projectReaders", "projectWriters")
DEIDENTIFIED_SUFFIX = "_deidentified"
TIME_TRAVEL_HOURS = 168
ACCESS = "45 CFR 164.312(a)(1)"
BACKUP = "45 CFR 164.308(a)(7)(ii)(A)"


def is_view(resource: Resource) -> bool:
    return bool(dig(resource.inputs, "view.query"))


def dataset_cmek(resource: Resource, _: Context) -> str | None:
    if not dig(resource.inputs, "defaultEncryptionConfiguration.kmsKeyName"):
        return "dataset has no default CMEK key (defaultEncryptionConfiguration.kmsKeyName)"
    return None


def explicit_access_list(resource: Resource, _: Context) -> str | None:
    entries = resource.inputs.get("accesses") or []
    if not entries:
        return "dataset sets no access list, so BigQuery grants project viewers and editors data access"
    basic = sorted({str(e.get("specialGroup")) for e in entries if e.get("specialGroup") in BASIC_ROLE_GROUPS})
    return f"dataset grants basic-role groups {', '.join(basic)}" if basic else None


def _public_in_entry(entry: Mapping[str, Any]) -> str | None:
    for key in ("specialGroup", "iamMember", "member"):
        if entry.get(key) in PUBLIC_MEMBERS:
            return str(entry[key])
    if entry.get("domain"):
        return f"domain:{entry['domain']}"
    return None


def no_public_dataset_access(resource: Resource, _: Context) -> str | None:
    inputs = resource.inputs
    if resource.type == DATASET:
        entries: list[Mapping[str, Any]] = list(inputs.get("accesses") or [])
    elif resource.type == DATASET_BINDING:
        entries = [{"member": m} for m in inputs.get("members") or []]
    else:
        entries = [inputs]
    public = sorted({p for p in map(_public_in_entry, entries) if p})
    return f"dataset access granted to {', '.join(public)}" if public else None


def keeps_contents_in_prod(resource: Resource, context: Context) -> str | None:
    if context.is_prod and resource.inputs.get("deleteContentsOnDestroy") is not False:
        return "prod dataset would be destroyed with its tables (deleteContentsOnDestroy is not false)"
    if context.is_prod and not resource.protect:
        return "prod dataset is not protected against deletion (protect=True)"
    return None


def full_time_travel(resource: Resource, _: Context) -> str | None:
    hours = resource.inputs.get("maxTimeTravelHours")
    if str(hours) != str(TIME_TRAVEL_HOURS):
        return f"time travel window is {hours or 'unset'} hours, not the full {TIME_TRAVEL_HOURS}"
    return None


def table_cmek(resource: Resource, _: Context) -> str | None:
    if is_view(resource):
        return None  # a view stores no data
    if not dig(resource.inputs, "encryptionConfiguration.kmsKeyName"):
        return "table has no CMEK key (encryptionConfiguration.kmsKeyName)"
    return None


def deletion_protected_in_prod(resource: Resource, context: Context) -> str | None:
    if context.is_prod and resource.inputs.get("deletionProtection") is not True:
        return "prod table has no deletion protection"
    if context.is_prod and not resource.protect:
        return "prod table is not protected against deletion (protect=True)"
    return None


def _authorized_targets(resource: Resource) -> list[tuple[str, str]]:
    """(kind, dataset id) of every view or dataset this resource authorizes to read a dataset."""
    inputs = resource.inputs
    entries = list(inputs.get("accesses") or []) if resource.type == DATASET else [inputs]
    targets = []
    for entry in entries:
        if dig(entry, "view.datasetId"):
            targets.append(("view", str(dig(entry, "view.datasetId"))))
        for path in ("dataset.dataset.datasetId", "authorizedDataset.dataset.datasetId"):
            if dig(entry, path):
                targets.append(("dataset", str(dig(entry, path))))
    return targets


def views_only_from_deidentified(resource: Resource, _: Context) -> str | None:
    wrong = [f"{kind} in {dataset}" for kind, dataset in _authorized_targets(resource)]
    wrong = [w for w in wrong if not w.endswith(DEIDENTIFIED_SUFFIX)]
    return f"authorizes {', '.join(wrong)}; only de-identified views may be authorized" if wrong else None


RULES = [
    Rule("BQ-01", "45 CFR 164.312(a)(2)(iv)", "datasets default to a CMEK key", (DATASET,), dataset_cmek),
    Rule(
        "BQ-02",
        "45 CFR 164.308(a)(4)(ii)(B)",
        "datasets set an explicit access list without the basic-role groups",
        (DATASET,),
        explicit_access_list,
    ),
    Rule(
        "BQ-03",
        ACCESS,
        "no dataset access for allUsers, allAuthenticatedUsers or a whole domain",
        (DATASET, DATASET_ACCESS, DATASET_MEMBER, DATASET_BINDING),
        no_public_dataset_access,
    ),
    Rule(
        "BQ-04",
        BACKUP,
        "prod datasets are not destroyed with their tables; that provider-only guard is backed by Pulumi protect",
        (DATASET,),
        keeps_contents_in_prod,
    ),
    Rule("BQ-05", BACKUP, "datasets keep the full 7-day time travel window", (DATASET,), full_time_travel),
    Rule("BQ-06", "45 CFR 164.312(a)(2)(iv)", "tables are encrypted with a CMEK key", (TABLE,), table_cmek),
    Rule(
        "BQ-07",
        BACKUP,
        "prod tables and views have deletion protection; that provider-only guard is backed by Pulumi protect",
        (TABLE,),
        deletion_protected_in_prod,
    ),
    Rule(
        "BQ-08",
        ACCESS,
        "only views in the de-identified dataset are authorized on other datasets",
        (DATASET, DATASET_ACCESS),
        views_only_from_deidentified,
    ),
]
