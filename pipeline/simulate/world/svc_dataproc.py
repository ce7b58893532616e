"""gcloud dataproc: clusters (create, update, delete, list, describe) and PySpark jobs.

A cluster is stored as `clusters describe --format=json` prints it, whether the plan made it or a
script created it from flags. A submitted job is checked as Dataproc would check it (cluster
running, main file and py-files in Cloud Storage, the HMAC key version enabled, the BigQuery key
existing); the job's Spark computation is not run: a job that passes the checks ends DONE.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from pipeline.simulate.world.args import parse
from pipeline.simulate.world.call import Call, RefusedError, Table
from pipeline.simulate.world.model import COMPUTE, now
from pipeline.simulate.world.svc_storage import split

IMAGE_PATCH = {"2.2": "2.2.45", "2.1": "2.1.80", "2.0": "2.0.120"}


def seconds(text: str) -> str:
    match = re.fullmatch(r"([0-9]+)([smhd])", text)
    if not match:
        raise RefusedError(f"invalid duration {text!r}")
    return f"{int(match.group(1)) * {'s': 1, 'm': 60, 'h': 3600, 'd': 86400}[match.group(2)]}s"


def resolve_image(version: str) -> str:
    line, _, os_name = version.partition("-")
    return f"{IMAGE_PATCH.get(line, line)}-{os_name}" if os_name else IMAGE_PATCH.get(line, line)


def shape(project: str, region: str, name: str, spec: dict[str, Any]) -> dict[str, Any]:
    """A cluster as the API prints it, from a normalised spec (plan or create flags)."""
    zone = f"{COMPUTE}/projects/{project}/zones/{region}-a"
    masters = [f"{name}-m"] if spec["masters"] == 1 else [f"{name}-m-{i}" for i in range(spec["masters"])]
    config: dict[str, Any] = {
        "configBucket": spec["staging"],
        "tempBucket": spec["temp"],
        "encryptionConfig": {"gcePdKmsKeyName": spec["kms_key"]} if spec["kms_key"] else {},
        "endpointConfig": {"enableHttpPortAccess": spec["gateway"]},
        "gceClusterConfig": {
            "internalIpOnly": spec["internal"],
            "metadata": spec["metadata"],
            "serviceAccount": spec["account"],
            "serviceAccountScopes": ["https://www.googleapis.com/auth/cloud-platform"],
            "shieldedInstanceConfig": spec["shielded"],
            "subnetworkUri": f"{COMPUTE}/projects/{project}/regions/{region}/subnetworks/{spec['subnet']}",
            "tags": spec["tags"],
            "zoneUri": zone,
        },
        "masterConfig": {"instanceNames": masters, "numInstances": len(masters)},
        "softwareConfig": {"imageVersion": resolve_image(spec["image"])},
        "workerConfig": {"instanceNames": [f"{name}-w-{i}" for i in range(2)], "numInstances": 2},
    }
    if spec["policy"]:
        config["autoscalingConfig"] = {"policyUri": f"https://dataproc.googleapis.com/v1/{spec['policy']}"}
    if spec["idle_ttl"]:
        config["lifecycleConfig"] = {"idleDeleteTtl": spec["idle_ttl"]}
    if spec["kerberos"]:
        config["securityConfig"] = {"kerberosConfig": {"enableKerberos": True}}
    return {
        "clusterName": name,
        "clusterUuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{project}/{name}")),
        "config": config,
        "labels": spec["labels"],
        "projectId": project,
        "status": {"state": "RUNNING", "stateStartTime": now()},
    }


def _labels(text: str | None) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in (text or "").split(",") if pair)


def create(call: Call) -> int:
    flags = (
        "--region",
        "--image-version",
        "--subnet",
        "--gce-pd-kms-key",
        "--service-account",
        "--scopes",
        "--metadata",
        "--tags",
        "--bucket",
        "--temp-bucket",
        "--autoscaling-policy",
        "--labels",
        "--kerberos-root-principal-password-uri",
        "--kerberos-kms-key",
        "--delete-max-idle",
        "--delete-max-age",
    )
    switches = (
        "--no-address",
        "--shielded-secure-boot",
        "--shielded-vtpm",
        "--shielded-integrity-monitoring",
        "--enable-kerberos",
    )
    args = parse(call.argv, positional=(1, 1), values=flags, switches=switches)
    project, region, name = args.require("--project"), args.require("--region"), args.positional[0]
    spec = {
        "image": args.value("--image-version", "2.2-debian12"),
        "internal": args.has("--no-address"),
        "kms_key": args.value("--gce-pd-kms-key"),
        "shielded": {
            "enableSecureBoot": args.has("--shielded-secure-boot"),
            "enableVtpm": args.has("--shielded-vtpm"),
            "enableIntegrityMonitoring": args.has("--shielded-integrity-monitoring"),
        },
        "account": args.value("--service-account", f"{project}-compute@developer.gserviceaccount.com"),
        "subnet": args.value("--subnet", "default"),
        "gateway": False,
        "idle_ttl": seconds(str(args.value("--delete-max-idle"))) if args.value("--delete-max-idle") else None,
        "staging": args.value("--bucket"),
        "temp": args.value("--temp-bucket"),
        "policy": args.value("--autoscaling-policy"),
        "kerberos": args.has("--enable-kerberos"),
        "masters": 1,
        "labels": _labels(args.value("--labels")),
        "metadata": dict(pair.split("=", 1) for pair in str(args.value("--metadata", "")).split(",") if pair),
        "tags": str(args.value("--tags", "")).split(",") if args.value("--tags") else [],
    }
    with call.state() as state:
        clusters = state["dataproc"]["clusters"]
        if name in clusters:
            raise RefusedError(
                f"ALREADY_EXISTS: Already exists: Failed to create cluster: "
                f"Cluster projects/{project}/regions/{region}/clusters/{name}"
            )
        for bucket in (spec["staging"], spec["temp"]):
            if bucket and bucket not in state["storage"]["buckets"]:
                raise RefusedError(f"INVALID_ARGUMENT: Bucket {bucket} does not exist")
        if spec["policy"] and spec["policy"] not in state["dataproc"]["policies"]:
            raise RefusedError(f"NOT_FOUND: autoscaling policy {spec['policy']} not found")
        if spec["kerberos"]:
            # The password is a KMS-encrypted Cloud Storage object (KerberosConfig.rootPrincipalPasswordUri).
            uri = str(args.value("--kerberos-root-principal-password-uri", ""))
            bucket, _, password_object = uri.removeprefix("gs://").partition("/")
            if not uri.startswith("gs://") or not state["storage"]["objects"].get(f"{bucket}/{password_object}"):
                raise RefusedError(f"INVALID_ARGUMENT: Kerberos root principal password object {uri!r} not found")
        clusters[name] = shape(project, region, name, spec)
    call.err.write(
        f"Created [https://dataproc.googleapis.com/v1/projects/{project}/regions/{region}/clusters/{name}]\n"
    )
    return 0


def _cluster(state: dict[str, Any], name: str) -> dict[str, Any]:
    cluster = state["dataproc"]["clusters"].get(name)
    if cluster is None:
        raise RefusedError(f"NOT_FOUND: Not found: Cluster {name}")
    return cluster  # type: ignore[no-any-return]


def update(call: Call) -> int:
    args = parse(
        call.argv, positional=(1, 1), values=("--region", "--delete-max-idle"), switches=("--no-delete-max-idle",)
    )
    with call.state() as state:
        config = _cluster(state, args.positional[0])["config"]
        if args.has("--no-delete-max-idle"):
            config.pop("lifecycleConfig", None)
        elif args.value("--delete-max-idle"):
            config["lifecycleConfig"] = {"idleDeleteTtl": seconds(str(args.value("--delete-max-idle")))}
    return 0


def delete(call: Call) -> int:
    args = parse(call.argv, positional=(1, 1), values=("--region",))
    with call.state() as state:
        _cluster(state, args.positional[0])
        del state["dataproc"]["clusters"][args.positional[0]]
    return 0


def describe(call: Call) -> int:
    args = parse(call.argv, positional=(1, 1), values=("--region",))
    with call.state(write=False) as state:
        return call.emit(_cluster(state, args.positional[0]), args.value("--format"))


def list_clusters(call: Call) -> int:
    args = parse(call.argv, values=("--region", "--filter"))
    wanted = re.fullmatch(r"clusterName=([A-Za-z0-9-]+)", args.value("--filter") or "clusterName=")
    with call.state(write=False) as state:
        clusters = [
            c
            for n, c in sorted(state["dataproc"]["clusters"].items())
            if not wanted or not wanted.group(1) or n == wanted.group(1)
        ]
    return call.emit(clusters, args.value("--format"))


def submit_pyspark(call: Call) -> int:
    args = parse(
        call.argv,
        positional=(1, 1),
        values=("--region", "--cluster", "--py-files", "--jars", "--labels"),
        switches=("--async",),
        rest=True,
    )
    job_args = dict(a.removeprefix("--").split("=", 1) for a in args.rest if "=" in a)
    with call.state() as state:
        cluster = _cluster(state, args.require("--cluster"))
        problems = [] if cluster["status"]["state"] == "RUNNING" else ["cluster is not RUNNING"]
        objects = state["storage"]["objects"]
        for url in [args.positional[0], *str(args.value("--py-files", "")).split(",")]:
            if url and "/".join(split(url)[:2]) not in objects:
                problems.append(f"{url} not found")
        version = job_args.get("hmac-key-version", "")
        secret = version.rsplit("/versions/", maxsplit=1)[0]
        if not any(v["name"] == version and v["state"] == "ENABLED" for v in state["secretVersions"].get(secret, [])):
            problems.append("the HMAC key version is not an enabled secret version")
        if job_args.get("kms-key") not in state["kms"]["keys"]:
            problems.append("the BigQuery CMEK key does not exist")
        job_id = uuid.uuid4().hex
        state["dataproc"]["jobs"][job_id] = {
            "reference": {"jobId": job_id, "projectId": args.require("--project")},
            "placement": {"clusterName": args.require("--cluster")},
            "labels": _labels(args.value("--labels")),
            "status": {
                "state": "ERROR" if problems else "DONE",
                "stateStartTime": now(),
                **({"details": "; ".join(problems)} if problems else {}),
            },
        }
        job = state["dataproc"]["jobs"][job_id]
    return call.emit(job, args.value("--format"))


def jobs_describe(call: Call) -> int:
    args = parse(call.argv, positional=(1, 1), values=("--region",))
    with call.state(write=False) as state:
        job = state["dataproc"]["jobs"].get(args.positional[0])
    if job is None:
        raise RefusedError(f"NOT_FOUND: Not found: Job {args.positional[0]}")
    return call.emit(job, args.value("--format"))


def jobs_kill(call: Call) -> int:
    args = parse(call.argv, positional=(1, 1), values=("--region",))
    with call.state() as state:
        job = state["dataproc"]["jobs"].get(args.positional[0])
        if job is None:
            raise RefusedError(f"NOT_FOUND: Not found: Job {args.positional[0]}")
        job["status"]["state"] = (
            "CANCELLED" if job["status"]["state"] not in ("DONE", "ERROR") else job["status"]["state"]
        )
    return 0


COMMANDS: Table = {
    ("dataproc", "clusters", "create"): create,
    ("dataproc", "clusters", "update"): update,
    ("dataproc", "clusters", "delete"): delete,
    ("dataproc", "clusters", "describe"): describe,
    ("dataproc", "clusters", "list"): list_clusters,
    ("dataproc", "jobs", "submit", "pyspark"): submit_pyspark,
    ("dataproc", "jobs", "describe"): jobs_describe,
    ("dataproc", "jobs", "kill"): jobs_kill,
}
