"""Projects, IAM, audit config, org policies, KMS, the perimeter, logging and identities, from the plan.

Each resource is stored as the API prints it (`gcloud ... --format=json`), so the fake CLIs only
look things up. Google's own behaviour that the plan does not show is added where a validator
reads it: the Google APIs Service Agent's Editor grant on every project, a primary version per
symmetric key, audit entries arriving in the SIEM bucket.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pipeline.simulate.world.model import CREATED, Env, Resources, later, now, number


def projects(env: Env) -> dict[str, Any]:
    return {
        project: {
            "createTime": CREATED,
            "lifecycleState": "ACTIVE",
            "name": project,
            "parent": {"id": "318204417725", "type": "folder"},
            "projectId": project,
            "projectNumber": env.number(project),
        }
        for project in (env.project, env.security_project, env.siem_project)
    }


def iam_policies(env: Env, plan: Resources) -> dict[str, Any]:
    """Project IAM policies (bindings and auditConfigs) of the three projects."""
    members: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for grant in plan.of("gcp:projects/iAMMember:IAMMember"):
        members[str(grant["project"])][str(grant["role"])].add(str(grant["member"]))
    members[env.project]["roles/editor"].add(f"serviceAccount:{env.project_number}@cloudservices.gserviceaccount.com")
    audit: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for config in plan.of("gcp:projects/iAMAuditConfig:IAMAuditConfig"):
        audit[str(config["project"])].append(
            {
                "service": config["service"],
                "auditLogConfigs": [
                    {
                        "logType": c["logType"],
                        **({"exemptedMembers": c["exemptedMembers"]} if c.get("exemptedMembers") else {}),
                    }
                    for c in config.get("auditLogConfigs") or []
                ],
            }
        )
    policies = {}
    for project in (env.project, env.security_project, env.siem_project):
        bindings = [{"role": role, "members": sorted(m)} for role, m in sorted(members[project].items())]
        policies[project] = {"bindings": bindings, "etag": "BwYxSimQ0c4=", "version": 1}
        if audit[project]:
            policies[project]["auditConfigs"] = audit[project]
    return policies


def _boolean_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """The engine's "TRUE"/"FALSE" strings as the Org Policy API's booleans."""
    out = dict(rule)
    for key in ("enforce", "denyAll", "allowAll"):
        if key in out:
            out[key] = str(out[key]).upper() == "TRUE"
    return out


def org_policies(plan: Resources) -> dict[str, Any]:
    """Effective policies at the project, keyed by constraint (`gcloud org-policies describe --effective`)."""
    policies = {}
    for policy in plan.of("gcp:orgpolicy/policy:Policy"):
        constraint = str(policy["name"]).rsplit("/", maxsplit=1)[-1]
        spec = dict(policy.get("spec") or {})
        spec["rules"] = [_boolean_rule(r) for r in spec.get("rules") or []]
        policies[constraint] = {"name": policy["name"], "spec": spec}
    return policies


def kms(plan: Resources) -> dict[str, Any]:
    keyrings = {}
    for ring in plan.of("gcp:kms/keyRing:KeyRing"):
        path = f"projects/{ring['project']}/locations/{ring['location']}/keyRings/{ring['name']}"
        keyrings[path] = {"createTime": CREATED, "name": path}
    keys = {}
    for key in plan.of("gcp:kms/cryptoKey:CryptoKey"):
        path = f"{key['keyRing']}/cryptoKeys/{key['name']}"
        template = dict(key.get("versionTemplate") or {"algorithm": "GOOGLE_SYMMETRIC_ENCRYPTION"})
        template.setdefault("protectionLevel", "SOFTWARE")
        shaped: dict[str, Any] = {
            "createTime": CREATED,
            "labels": dict(key.get("labels") or {}),
            "name": path,
            "purpose": key.get("purpose", "ENCRYPT_DECRYPT"),
            "versionTemplate": template,
        }
        if key.get("destroyScheduledDuration"):
            shaped["destroyScheduledDuration"] = key["destroyScheduledDuration"]
        if shaped["purpose"] == "ENCRYPT_DECRYPT":
            shaped["primary"] = {
                **template,
                "createTime": CREATED,
                "generateTime": CREATED,
                "name": f"{path}/cryptoKeyVersions/1",
                "state": "ENABLED",
            }
            if key.get("rotationPeriod"):
                shaped["rotationPeriod"] = key["rotationPeriod"]
                shaped["nextRotationTime"] = later(float(str(key["rotationPeriod"]).rstrip("s")) / 86400)
        keys[path] = shaped
    return {"keyrings": keyrings, "keys": keys}


# useExplicitDryRunSpec: dev's perimeter is dry-run (spec only), and the inventories compare it.
PERIMETER_FIELDS = ("name", "title", "perimeterType", "status", "spec", "useExplicitDryRunSpec")


def perimeters(plan: Resources) -> dict[str, Any]:
    found = {}
    for perimeter in plan.of("gcp:accesscontextmanager/servicePerimeter:ServicePerimeter"):
        shaped = {k: v for k, v in perimeter.items() if k in PERIMETER_FIELDS}
        shaped.setdefault("title", str(perimeter["name"]).rsplit("/", maxsplit=1)[-1])
        found[str(perimeter["name"])] = shaped
    return found


def logging(env: Env, plan: Resources) -> dict[str, Any]:
    sinks: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for sink in plan.of("gcp:logging/projectSink:ProjectSink"):
        shaped = {k: sink[k] for k in ("name", "destination", "filter", "description") if k in sink}
        shaped["disabled"] = bool(sink.get("disabled", False))
        shaped["exclusions"] = list(sink.get("exclusions") or [])
        shaped["writerIdentity"] = (
            f"serviceAccount:service-{env.number(str(sink['project']))}@gcp-sa-logging.iam.gserviceaccount.com"
        )
        sinks[str(sink["project"])].append(shaped)
    buckets = {}
    for bucket in plan.of("gcp:logging/projectBucketConfig:ProjectBucketConfig"):
        path = f"projects/{bucket['project']}/locations/{bucket['location']}/buckets/{bucket['bucketId']}"
        buckets[path] = {
            "name": path,
            "description": bucket.get("description", ""),
            "lifecycleState": "ACTIVE",
            "locked": bool(bucket.get("locked", False)),
            "retentionDays": number(bucket.get("retentionDays", 30)),
            "cmekSettings": dict(bucket.get("cmekSettings") or {}),
            "createTime": CREATED,
        }
    metrics: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for metric in plan.of("gcp:logging/metric:Metric"):
        shaped = {k: metric[k] for k in ("name", "filter", "description", "metricDescriptor") if k in metric}
        shaped["disabled"] = bool(metric.get("disabled", False))
        metrics[str(metric["project"])].append(shaped)
    # Audit entries keep arriving in every SIEM bucket a sink routes to (the last day's traffic).
    entries = [
        {
            "logName": f"projects/{env.project}/logs/cloudaudit.googleapis.com%2Factivity",
            "timestamp": now(),
            "insertId": "sim-audit-1",
            "resource": {"type": "project", "labels": {"project_id": env.project}},
        }
    ]
    return {"sinks": dict(sinks), "buckets": buckets, "metrics": dict(metrics), "auditEntries": entries}


def identities(env: Env, plan: Resources) -> dict[str, Any]:
    accounts = []
    for account in plan.of("gcp:serviceaccount/account:Account"):
        project = str(account.get("project") or env.project)
        email = f"{account['accountId']}@{project}.iam.gserviceaccount.com"
        accounts.append(
            {
                "displayName": account.get("displayName", ""),
                "email": email,
                "name": f"projects/{project}/serviceAccounts/{email}",
                "projectId": project,
                "uniqueId": env.number(email) + "00000000",
            }
        )
    # Every account has its Google-managed system key; none has a user-managed one.
    keys = {
        a["email"]: [{"keyType": "SYSTEM_MANAGED", "name": f"{a['name']}/keys/sim{index:04d}"}]
        for index, a in enumerate(accounts)
    }
    secrets = {}
    described = []
    for secret in plan.of("gcp:secretmanager/secret:Secret"):
        path = f"projects/{secret['project']}/secrets/{secret['secretId']}"
        secrets[path] = [{"createTime": CREATED, "name": f"{path}/versions/1", "state": "ENABLED"}]
        # `gcloud secrets list --format=json`: the Secret resource, replication as planned.
        described.append(
            {
                "createTime": CREATED,
                "name": path,
                "replication": secret.get("replication") or {"automatic": {}},
                **({"labels": dict(secret["labels"])} if secret.get("labels") else {}),
            }
        )
    return {"serviceAccounts": accounts, "accountKeys": keys, "secretVersions": secrets, "secrets": described}
