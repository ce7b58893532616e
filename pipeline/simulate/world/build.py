"""The compliant world of one stack: the plan's resources as the APIs print them, and what a running
environment also holds (the build being simulated, the bootstrap state bucket, the mirrored scanner
databases, the spaCy model wheel's stand-in, the job outputs and model an earlier build left).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline.simulate.standins import MODEL_STAND_IN, model_object
from pipeline.simulate.world import model_catalog, model_compute, model_data, model_security, svc_dataproc
from pipeline.simulate.world import state as world_state
from pipeline.simulate.world.bundles import safety_database, semgrep_bundle
from pipeline.simulate.world.call import Call
from pipeline.simulate.world.model import Env, Resources, labels
from pipeline.simulate.world.svc_storage import write_object


def _dataproc(env: Env, plan: Resources) -> dict[str, Any]:
    policies = [
        f"projects/{p['project']}/regions/{p.get('location', env.region)}/autoscalingPolicies/{p['policyId']}"
        for p in plan.of("gcp:dataproc/autoscalingPolicy:AutoscalingPolicy")
    ]
    clusters = {}
    for cluster in plan.of("gcp:dataproc/cluster:Cluster"):
        config = cluster.get("clusterConfig") or {}
        gce = config.get("gceClusterConfig") or {}
        spec = {
            "image": (config.get("softwareConfig") or {}).get("imageVersion", "2.2-debian12"),
            "internal": bool(gce.get("internalIpOnly")),
            "kms_key": (config.get("encryptionConfig") or {}).get("kmsKeyName"),
            "shielded": dict(gce.get("shieldedInstanceConfig") or {}),
            "account": gce.get("serviceAccount"),
            "subnet": str(gce.get("subnetwork", "")).rsplit("/", maxsplit=1)[-1],
            "gateway": bool((config.get("endpointConfig") or {}).get("enableHttpPortAccess")),
            "idle_ttl": (config.get("lifecycleConfig") or {}).get("idleDeleteTtl"),
            "staging": config.get("stagingBucket"),
            "temp": config.get("tempBucket"),
            "policy": policies[0] if (config.get("autoscalingConfig") or {}).get("policyUri") and policies else None,
            "kerberos": bool(((config.get("securityConfig") or {}).get("kerberosConfig") or {}).get("enableKerberos")),
            "masters": int(float((config.get("masterConfig") or {}).get("numInstances", 1))),
            "labels": labels(cluster),
            "metadata": dict(gce.get("metadata") or {}),
            "tags": list(gce.get("tags") or []),
        }
        region = str(cluster.get("region", env.region))
        clusters[str(cluster["name"])] = svc_dataproc.shape(str(cluster["project"]), region, str(cluster["name"]), spec)
    return {"clusters": clusters, "policies": policies, "jobs": {}}


def _delivery(env: Env, plan: Resources) -> dict[str, Any]:
    repositories = {}
    for repo in plan.of("gcp:artifactregistry/repository:Repository"):
        repositories[f"{repo['project']}/{repo['location']}/{repo['repositoryId']}"] = {
            "format": repo.get("format"),
            "mode": repo.get("mode", "STANDARD_REPOSITORY"),
            "immutableTags": bool((repo.get("dockerConfig") or {}).get("immutableTags")),
            "kmsKeyName": repo.get("kmsKeyName"),
        }
    attestors = {
        f"projects/{a['project']}/attestors/{a['name']}": (
            f"projects/{a['project']}/notes/{a['attestationAuthorityNote']['noteReference']}"
        )
        for a in plan.of("gcp:binaryauthorization/attestor:Attestor")
    }
    channels: dict[str, list[Any]] = {}
    names = {}
    for resource in plan.named("gcp:monitoring/notificationChannel:NotificationChannel"):
        project = str(resource.inputs["project"])
        name = f"projects/{project}/notificationChannels/{env.number(resource.name)}"
        names[project] = name
        shaped = {k: v for k, v in resource.inputs.items() if k not in ("project", "forceDelete")}
        channels.setdefault(project, []).append({**shaped, "name": name})
    policies: dict[str, list[Any]] = {}
    for index, policy in enumerate(plan.of("gcp:monitoring/alertPolicy:AlertPolicy")):
        project = str(policy["project"])
        shaped = {k: v for k, v in policy.items() if k != "project"}
        shaped["notificationChannels"] = [names.get(project, "")]
        shaped["name"] = f"projects/{project}/alertPolicies/{4100 + index}"
        shaped.setdefault("enabled", True)
        policies.setdefault(project, []).append(shaped)
    topics = {
        f"projects/{t['project']}/topics/{t['name']}": {
            "name": f"projects/{t['project']}/topics/{t['name']}",
            "kmsKeyName": t.get("kmsKeyName"),
            "labels": labels(t),
        }
        for t in plan.of("gcp:pubsub/topic:Topic")
    }
    return {
        "artifactRegistry": {"repositories": repositories, "images": {}},
        "binauthz": {"attestors": attestors, "attestations": []},
        "monitoring": {"channels": channels, "policies": policies},
        "pubsub": {"topics": topics, "messages": []},
    }


def build_state(
    plan: Resources, env: Env, build: Mapping[str, Any], extract: Mapping[str, Any], *, pulled: Sequence[str] = ()
) -> dict[str, Any]:
    buckets = model_data.buckets(env, plan)
    dataproc = _dataproc(env, plan)
    nodes = [
        n
        for c in dataproc["clusters"].values()
        for g in ("masterConfig", "workerConfig")
        for n in c["config"][g]["instanceNames"]
    ]
    iam = model_security.identities(env, plan)
    state: dict[str, Any] = {
        "env": {
            "environment": env.environment,
            "project": env.project,
            "project_number": env.project_number,
            "security_project": env.security_project,
            "siem_project": env.siem_project,
            "region": env.region,
        },
        "projects": model_security.projects(env),
        "iamPolicies": model_security.iam_policies(env, plan),
        "orgPolicies": model_security.org_policies(plan),
        "kms": {**model_security.kms(plan), "policies": model_catalog.key_policies(plan)},
        "perimeters": model_security.perimeters(plan),
        "logging": model_security.logging(env, plan),
        "serviceAccounts": iam["serviceAccounts"],
        "accountKeys": iam["accountKeys"],
        "secretVersions": iam["secretVersions"],
        "secrets": iam["secrets"],
        "storage": {
            "buckets": buckets,
            "projects": model_data.bucket_projects(env, plan),
            "iam": model_data.bucket_policies(env, plan, list(buckets)),
            "objects": {},
        },
        "bigquery": model_data.bigquery(env, plan),
        "catalog": model_catalog.catalog(env, plan),
        "network": model_compute.network(env, plan),
        "machines": model_compute.machines(env, plan, nodes),
        "gke": {"clusters": model_compute.gke(env, plan), "objects": {}, "serviceUrls": []},
        "dataproc": dataproc,
        "vertex": model_compute.vertex(env, plan),
        "builds": {str(build["id"]): dict(build)},
        "docker": {
            "extract": dict(extract),
            "containers": {},
            "images": {},
            "credentialHelpers": [],
            "pulled": list(pulled),
        },
        "scanners": {"vulnerabilities": [], "zapAlerts": [], "signatures": []},
        "pulumi": {"backend": None},
        **_delivery(env, plan),
    }
    state_bucket = f"{env.security_project}-pulumi-state"  # made by the bootstrap, outside the program
    state["storage"]["projects"][state_bucket] = env.security_project
    state["storage"]["buckets"][state_bucket] = {
        **next(iter(buckets.values())),
        "labels": {},
        "name": state_bucket,
        "storage_url": f"gs://{state_bucket}/",
    }
    return state


def create(
    world: Path,
    plan: Resources,
    env: Env,
    build: Mapping[str, Any],
    extract: Mapping[str, Any],
    *,
    pulled: Sequence[str] = (),
) -> dict[str, Any]:
    """Write the world's state and its bootstrap objects (mirrored scanner data, the model wheel's
    stand-in) under `world`."""
    state = build_state(plan, env, build, extract, pulled=pulled)
    world_state.save(world, state)
    call = Call(world, "simulator", (), [])
    artifacts = f"gs://{env.project}-artifacts"
    for name, content in {
        **semgrep_bundle(time.time()),
        **{f"safety-db/{k}": v for k, v in safety_database(time.time()).items()},
    }.items():
        write_object(call, state, f"{artifacts}/{name}", content.encode("utf-8"))
    write_object(call, state, model_object(env.project), MODEL_STAND_IN)
    # The operator encrypts and uploads the Kerberos root password before a secure cluster is created
    # (README, "Running it for real"): the object the planned cluster names, synthetic ciphertext here.
    for cluster in plan.of("gcp:dataproc/cluster:Cluster"):
        kerberos = (((cluster.get("clusterConfig") or {}).get("securityConfig") or {}).get("kerberosConfig")) or {}
        if kerberos.get("rootPrincipalPasswordUri"):
            write_object(call, state, str(kerberos["rootPrincipalPasswordUri"]), b"simulated KMS ciphertext\n")
    world_state.save(world, state)
    return state
