"""Cloud Storage buckets and BigQuery (datasets, tables, views, row access policies, rows) from the plan.

Shapes: `gcloud storage buckets describe --format=json` (snake_case keys, upper-case location) and
the BigQuery REST resources bq prints. The Spark job's two output tables are not in the plan (the
job creates them); the world starts with them as the previous build left them.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from pipeline.simulate.world import model_catalog, rows
from pipeline.simulate.world.model import Env, Resources, labels

JOB_OUTPUTS = {
    "encounters_safe_harbor": [
        ("patient_key", "STRING"),
        ("facility_id", "STRING"),
        ("patient_zip3", "STRING"),
        ("age_years", "INT64"),
        ("admit_year", "INT64"),
        ("discharge_year", "INT64"),
        ("length_of_stay_days", "INT64"),
        ("encounter_class", "STRING"),
        ("primary_diagnosis_code", "STRING"),
    ],
    "facility_monthly_encounters": [
        ("facility_id", "STRING"),
        ("service_month", "DATE"),
        ("patient_zip3", "STRING"),
        ("encounter_count", "INT64"),
        ("patient_count", "INT64"),
        ("mean_length_of_stay_days", "FLOAT64"),
    ],
}


def buckets(env: Env, plan: Resources) -> dict[str, Any]:
    found = {}
    for bucket in plan.of("gcp:storage/bucket:Bucket"):
        name = str(bucket["name"])
        encryption = bucket.get("encryption") or {}
        shaped: dict[str, Any] = {
            "creation_time": "2026-01-12T10:06:40+0000",
            "default_storage_class": bucket.get("storageClass", "STANDARD"),
            "labels": labels(bucket),
            "location": str(bucket.get("location", env.region)).upper(),
            "location_type": "region",
            "metageneration": 1,
            "name": name,
            "public_access_prevention": bucket.get("publicAccessPrevention", "inherited"),
            "storage_url": f"gs://{name}/",
            "uniform_bucket_level_access": bool(bucket.get("uniformBucketLevelAccess", False)),
            "versioning_enabled": bool((bucket.get("versioning") or {}).get("enabled", False)),
        }
        if encryption.get("defaultKmsKeyName"):
            shaped["default_kms_key"] = encryption["defaultKmsKeyName"]
        retention = bucket.get("retentionPolicy")
        if retention:
            shaped["retention_policy"] = {
                "isLocked": bool(retention.get("isLocked", False)),
                "retentionPeriod": str(retention.get("retentionPeriod")),
                "effectiveTime": "2026-01-12T10:06:40.611000+00:00",
            }
        found[name] = shaped
    return found


def bucket_projects(env: Env, plan: Resources) -> dict[str, str]:
    """Which project owns each bucket (`gcloud storage buckets list --project` lists only its own)."""
    return {str(b["name"]): str(b.get("project") or env.project) for b in plan.of("gcp:storage/bucket:Bucket")}


def bucket_policies(env: Env, plan: Resources, names: list[str]) -> dict[str, Any]:
    number = env.project_number
    policies: dict[str, dict[str, set[str]]] = {
        name: {
            "roles/storage.legacyBucketOwner": {f"projectEditor:{env.project}", f"projectOwner:{env.project}"},
            "roles/storage.legacyBucketReader": {f"projectViewer:{env.project}"},
        }
        for name in names
    }
    for grant in plan.of("gcp:storage/bucketIAMMember:BucketIAMMember"):
        policies.setdefault(str(grant["bucket"]), {}).setdefault(str(grant["role"]), set()).add(str(grant["member"]))
    return {
        name: {
            "bindings": [{"role": r, "members": sorted(m)} for r, m in sorted(roles.items())],
            "etag": f"CA{number[-4:]}=",
        }
        for name, roles in policies.items()
    }


def _access_entry(grant: dict[str, Any]) -> dict[str, Any]:
    for kind in ("view", "dataset", "routine"):
        if kind in grant:
            return {kind: dict(grant[kind])}
    fields = ("role", "userByEmail", "groupByEmail", "specialGroup", "iamMember", "domain")
    return {k: grant[k] for k in fields if k in grant}


def _role(dataset_id: str) -> str:
    return dataset_id.rsplit("_", maxsplit=1)[-1]


def bigquery(env: Env, plan: Resources) -> dict[str, Any]:
    datasets: dict[str, Any] = {}
    for dataset in plan.of("gcp:bigquery/dataset:Dataset"):
        project, dataset_id = str(dataset["project"]), str(dataset["datasetId"])
        datasets[f"{project}:{dataset_id}"] = {
            "access": [_access_entry(a) for a in dataset.get("accesses") or []],
            "creationTime": "1768212400000",
            "datasetReference": {"datasetId": dataset_id, "projectId": project},
            "defaultEncryptionConfiguration": dict(dataset.get("defaultEncryptionConfiguration") or {}),
            "id": f"{project}:{dataset_id}",
            "kind": "bigquery#dataset",
            "labels": labels(dataset),
            "location": dataset.get("location", env.region),
            "type": "DEFAULT",
        }
    for grant in plan.of("gcp:bigquery/datasetAccess:DatasetAccess"):
        key = f"{grant['project']}:{grant['datasetId']}"
        if key in datasets:
            datasets[key]["access"].append(_access_entry(dict(grant)))
    tag_paths = model_catalog.tag_paths(env, plan)
    tables: dict[str, Any] = {}
    for table in plan.of("gcp:bigquery/table:Table"):
        project, dataset_id, table_id = str(table["project"]), str(table["datasetId"]), str(table["tableId"])
        schema = json.loads(table["schema"]) if table.get("schema") else []
        for column in schema:
            if column.get("policyTags"):
                column["policyTags"] = {"names": [tag_paths[n] for n in column["policyTags"]["names"]]}
        shaped = _table(project, dataset_id, table_id, "VIEW" if table.get("view") else "TABLE", schema, env=env)
        if table.get("encryptionConfiguration"):
            shaped["encryptionConfiguration"] = dict(table["encryptionConfiguration"])
        if table.get("view"):
            shaped["view"] = dict(table["view"])
        shaped["rows"] = rows.for_table(_role(dataset_id), table_id)
        tables[f"{project}:{dataset_id}.{table_id}"] = shaped
    deidentified = f"hipaa_{env.environment}_deidentified"
    for table_id, columns in JOB_OUTPUTS.items():
        schema = [{"name": n, "type": t, "mode": "NULLABLE"} for n, t in columns]
        shaped = _table(env.project, deidentified, table_id, "TABLE", schema, env=env)
        shaped["encryptionConfiguration"] = {"kmsKeyName": env.key("bigquery-cmek")}
        shaped["rows"] = rows.for_table("deidentified", table_id)
        tables[f"{env.project}:{deidentified}.{table_id}"] = shaped
    policies: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for policy in plan.of("gcp:bigquery/rowAccessPolicy:RowAccessPolicy"):
        key = f"{policy['project']}:{policy['datasetId']}.{policy['tableId']}"
        policies[key].append(
            {
                "creationTime": "2026-01-12T10:09:12.000Z",
                "filterPredicate": policy["filterPredicate"],
                "grantees": list(policy.get("grantees") or []),
                "lastModifiedTime": "2026-01-12T10:09:12.000Z",
                "rowAccessPolicyReference": {
                    "datasetId": policy["datasetId"],
                    "policyId": policy["policyId"],
                    "projectId": policy["project"],
                    "tableId": policy["tableId"],
                },
            }
        )
    return {
        "datasets": datasets,
        "tables": tables,
        "rowAccessPolicies": dict(policies),
        "models": {},
        "routines": model_catalog.routines(plan),
    }


def _table(project: str, dataset: str, table: str, kind: str, schema: list[Any], *, env: Env) -> dict[str, Any]:
    return {
        "creationTime": "1768212400000",
        "id": f"{project}:{dataset}.{table}",
        "kind": "bigquery#table",
        "location": env.region,
        "schema": {"fields": schema},
        "tableReference": {"datasetId": dataset, "projectId": project, "tableId": table},
        "type": kind,
    }
