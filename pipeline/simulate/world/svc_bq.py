"""bq: ls, show, query (the shapes of bq_sql.py), cp --snapshot / --restore, rm.

bq's flags may come before the command word (`bq --project_id=P query ...`) or after it; both are
parsed by the same strict rules. Ids are `project:dataset` and `project:dataset.table`.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from pipeline.simulate.world import bq_sql
from pipeline.simulate.world import state as world_state
from pipeline.simulate.world.args import Parsed, parse
from pipeline.simulate.world.call import Call, RefusedError, Table
from pipeline.simulate.world.model import now

BQ_VALUES = ("--project_id", "--format", "--max_results", "--expiration", "--use_legacy_sql", "--location")
BQ_SWITCHES = (
    "--schema",
    "--model",
    "--routine",
    "--row_access_policies",
    "--nouse_cache",
    "--nouse_legacy_sql",
    "--snapshot",
    "--restore",
    "--no_clobber",
    "-f",
    "-t",
    "--force",
    "--table",
    "--quiet",
    "-q",
)


def _args(call: Call, positional: tuple[int, int]) -> Parsed:
    return parse(
        [*call.globals, *call.argv], values=BQ_VALUES, switches=BQ_SWITCHES, positional=positional, gcloud=False
    )


def _split(ident: str, default_project: str | None) -> tuple[str, str, str | None]:
    project, sep, rest = ident.partition(":")
    if not sep:
        if default_project is None:
            raise RefusedError(f"Invalid identifier '{ident}': no project")
        project, rest = default_project, ident
    dataset, _, table = rest.partition(".")
    return project, dataset, table or None


def ls(call: Call) -> int:
    args = _args(call, (0, 1))
    with call.state(write=False) as state:
        bigquery = state["bigquery"]
        if not args.positional:
            project = args.require("--project_id")
            found: list[Any] = [
                {k: d[k] for k in ("datasetReference", "id", "kind", "labels", "location")}
                for key, d in sorted(bigquery["datasets"].items())
                if key.startswith(project + ":")
            ]
        else:
            project, dataset, table = _split(args.positional[0], args.value("--project_id"))
            if args.has("--row_access_policies"):
                if f"{project}:{dataset}.{table}" not in bigquery["tables"]:
                    raise RefusedError(f"Not found: Table {project}:{dataset}.{table}")
                found = bigquery["rowAccessPolicies"].get(f"{project}:{dataset}.{table}", [])
                if not found:
                    call.out.write("No row access policies found.\n")
                    return 0
            else:
                if f"{project}:{dataset}" not in bigquery["datasets"]:
                    raise RefusedError(f"Not found: Dataset {project}:{dataset}")
                prefix = f"{project}:{dataset}."
                found = [
                    {k: t[k] for k in ("creationTime", "id", "kind", "tableReference", "type")}
                    for key, t in sorted(bigquery["tables"].items())
                    if key.startswith(prefix)
                ]
    return call.emit(found, args.value("--format"))


def show(call: Call) -> int:
    args = _args(call, (1, 1))
    project, dataset, table = _split(args.positional[0], args.value("--project_id"))
    with call.state(write=False) as state:
        bigquery = state["bigquery"]
        if args.has("--routine"):
            routine = bigquery["routines"].get(f"{project}:{dataset}.{table}")
            if routine is None:
                raise RefusedError(f"Not found: Routine {project}:{dataset}.{table}")
            return call.emit(routine, args.value("--format"))
        if args.has("--model"):
            model = bigquery["models"].get(f"{project}:{dataset}.{table}")
            if model is None:
                raise RefusedError(f"Not found: Model {project}:{dataset}.{table}")
            return call.emit(model, args.value("--format"))
        if table is None:
            found = bigquery["datasets"].get(f"{project}:{dataset}")
            if found is None:
                raise RefusedError(f"Not found: Dataset {project}:{dataset}")
            return call.emit(found, args.value("--format"))
        found = bigquery["tables"].get(f"{project}:{dataset}.{table}")
        if found is None:
            raise RefusedError(f"Not found: Table {project}:{dataset}.{table}")
        if args.has("--schema"):
            return call.emit(found["schema"]["fields"], args.value("--format"))
        return call.emit({k: v for k, v in found.items() if k != "rows"}, args.value("--format"))


def _rows(state: dict[str, Any], project: str, dataset: str, table: str) -> list[dict[str, Any]]:
    found = state["bigquery"]["tables"].get(f"{project}:{dataset}.{table}")
    if found is None:
        raise RefusedError(f"Not found: Table {project}:{dataset}.{table}")
    return list(found.get("rows") or [])


def query(call: Call) -> int:
    args = _args(call, (1, 1))
    sql = args.positional[0]
    if args.value("--use_legacy_sql", "false") != "false" and not args.has("--nouse_legacy_sql"):
        raise RefusedError("the scripts' queries are standard SQL; legacy SQL is not modelled")
    with call.state() as state:
        if match := bq_sql.COUNT_ROWS.match(sql):
            rows = _rows(state, match["project"], match["dataset"], match["table"])
            result: Any = [{"row_count": str(sum(1 for r in rows if r.get(match["column"]) is not None))}]
        elif match := bq_sql.FINGERPRINT.match(sql):
            rows = _rows(state, match["project"], match["dataset"], match["table"])
            result = [{"row_count": str(len(rows)), "checksum": str(bq_sql.fingerprint(rows)) if rows else None}]
        elif match := bq_sql.CREATE_MODEL.match(sql):
            result = train(state, match)
        elif match := bq_sql.EVALUATE.match(sql):
            project, dataset, model = match["model"].split(".")
            found = state["bigquery"]["models"].get(f"{project}:{dataset}.{model}")
            if found is None:
                raise RefusedError(f"Not found: Model {project}:{dataset}.{model}")
            result = [{k: str(v) for k, v in found["_evaluation"].items()}]
        else:
            world_state.append(
                call.world, world_state.UNMODELLED, {"tool": "bq", "argv": ["query", sql[:200]], "at": 0}
            )
            call.err.write("fake world: unmodelled query: " + " ".join(sql.split())[:200] + "\n")
            return 1
    return call.emit(result, args.value("--format"))


def train(state: dict[str, Any], match: Any) -> list[Any]:
    project, dataset, model = match["model"].split(".")
    options = bq_sql.options(match["options"])
    rows = [
        r
        for r in _rows(state, match["project"], match["dataset"], match["table"])
        if r.get(match["column"]) is not None
    ]
    if len(rows) < 2:
        raise RefusedError("Not enough training data")
    key = options.get("kms_key_name")
    if key and key not in state["kms"]["keys"]:
        raise RefusedError(f"Cloud KMS key {key} not found")
    metrics = bq_sql.linear_regression(
        [bq_sql.numeric_features(r) for r in rows], [float(r["encounter_count"]) for r in rows]
    )
    vertex_id = options.get("vertex_ai_model_id")
    state["bigquery"]["models"][f"{project}:{dataset}.{model}"] = {
        "modelReference": {"projectId": project, "datasetId": dataset, "modelId": model},
        "modelType": options.get("model_type", "").upper(),
        "trainingRuns": [{"startTime": now(), **({"vertexAiModelId": vertex_id} if vertex_id else {})}],
        **({"encryptionConfiguration": {"kmsKeyName": key}} if key else {}),
        "_evaluation": metrics,
    }
    if vertex_id and options.get("model_registry", "").upper() == "VERTEX_AI":
        models = [m for m in state["vertex"]["models"] if m["displayName"] != vertex_id]
        number = state["projects"][project]["projectNumber"]
        models.append(
            {
                "displayName": vertex_id,
                "name": f"projects/{number}/locations/{state['env']['region']}/models/{vertex_id}",
                "encryptionSpec": {"kmsKeyName": key} if key else {},
                "versionId": "1",
            }
        )
        state["vertex"]["models"] = models
    return []


def copy_table(call: Call) -> int:
    args = _args(call, (2, 2))
    source, target = (_split(a, args.value("--project_id")) for a in args.positional)
    with call.state() as state:
        tables = state["bigquery"]["tables"]
        source_key, target_key = f"{source[0]}:{source[1]}.{source[2]}", f"{target[0]}:{target[1]}.{target[2]}"
        if source_key not in tables:
            raise RefusedError(f"Not found: Table {source_key}")
        if target_key in tables and args.has("--no_clobber"):
            raise RefusedError(f"Table '{target_key}' already exists, skipping")
        dataset = state["bigquery"]["datasets"].get(f"{target[0]}:{target[1]}")
        if dataset is None:
            raise RefusedError(f"Not found: Dataset {target[0]}:{target[1]}")
        copied = copy.deepcopy(tables[source_key])
        copied["id"], copied["tableReference"] = (
            target_key,
            {"projectId": target[0], "datasetId": target[1], "tableId": target[2]},
        )
        copied["type"] = "SNAPSHOT" if args.has("--snapshot") else "TABLE"
        copied.pop("snapshotDefinition", None)
        if args.has("--snapshot"):
            copied["snapshotDefinition"] = {
                "baseTableReference": tables[source_key]["tableReference"],
                "snapshotTime": now(),
            }
        key = (dataset.get("defaultEncryptionConfiguration") or {}).get("kmsKeyName")
        copied.pop("encryptionConfiguration", None)
        if key:
            copied["encryptionConfiguration"] = {"kmsKeyName": key}
        tables[target_key] = copied
    call.out.write(json.dumps({"status": {"state": "DONE"}}) + "\n")
    return 0


def rm(call: Call) -> int:
    args = _args(call, (1, 1))
    project, dataset, table = _split(args.positional[0], args.value("--project_id"))
    with call.state() as state:
        if state["bigquery"]["tables"].pop(f"{project}:{dataset}.{table}", None) is None and not args.has("-f"):
            raise RefusedError(f"Not found: Table {project}:{dataset}.{table}")
    return 0


COMMANDS: Table = {("ls",): ls, ("show",): show, ("query",): query, ("cp",): copy_table, ("rm",): rm}
