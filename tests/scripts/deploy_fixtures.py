"""Recorded-shape answers of gcloud, kubectl, bq and pulumi for the deploying scripts' tests.

The JSON files under `fixtures/<script-stem>/` are shaped exactly like the tools print them (field
names and nesting from the Google API references and the tools' own formatters) and hold synthetic
values only, written for the dev environment. `load` re-targets them to another environment;
`with_value` and `without` derive the violating variants a test needs from a compliant answer.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from tests.scripts.fakes import FakeTools, Result

FIXTURES = Path(__file__).parent / "fixtures"
PROJECTS = {"dev": "nwh-analytics-dev", "staging": "nwh-analytics-stg", "prod": "nwh-analytics-prd"}
REGION = "us-central1"
# Driver output a job could print: it must never reach the build log or the evidence.
DRIVER_LINE = "SYNTHETIC-MRN-0000417 Jane Testpatient"
WHEEL = "gs://nwh-analytics-dev-artifacts/wheels/hipaa_jobs-1.4.0-py3-none-any.whl"


def keyring(environment: str) -> str:
    return f"projects/{PROJECTS[environment]}/locations/{REGION}/keyRings/hipaa-{environment}-keyring"


def load_text(stem: str, filename: str, environment: str = "dev") -> str:
    """fixtures/<stem>/<filename>, with the dev project and resource names moved to `environment`."""
    text = (FIXTURES / stem / filename).read_text(encoding="utf-8")
    text = text.replace(PROJECTS["dev"], PROJECTS[environment]).replace(
        "urn:pulumi:dev::", f"urn:pulumi:{environment}::"
    )
    return text.replace("hipaa-dev-", f"hipaa-{environment}-").replace("hipaa_dev_", f"hipaa_{environment}_")


def load(stem: str, name: str, environment: str = "dev") -> Any:
    """fixtures/<stem>/<name>.json as JSON, moved to `environment` like `load_text`."""
    return json.loads(load_text(stem, f"{name}.json", environment))


def _walk_to(document: Any, path: str) -> tuple[Any, str | int]:
    *parents, last = [int(part) if part.isdigit() else part for part in path.split(".")]
    node = document
    for part in parents:
        node = node[part]
    return node, last


def with_value(document: Any, path: str, value: Any) -> Any:
    """A copy of `document` with the value at a dotted path (`config.a.0.b`) replaced."""
    changed = copy.deepcopy(document)
    node, last = _walk_to(changed, path)
    node[last] = value
    return changed


def without(document: Any, path: str) -> Any:
    """A copy of `document` without the key at a dotted path."""
    changed = copy.deepcopy(document)
    node, last = _walk_to(changed, path)
    del node[last]
    return changed


def secure_mode_in_prod(cluster: Any, environment: str) -> Any:
    """A prod cluster runs in secure mode (Kerberos), as infra/compute/dataproc.py creates it."""
    if environment != "prod":
        return cluster
    return with_value(cluster, "config.securityConfig", {"kerberosConfig": {"enableKerberos": True}})


def kerberos_password_object(environment: str) -> dict[str, Any]:
    """`gcloud storage objects describe --format=json` of the KMS-encrypted Kerberos root password (metadata only)."""
    bucket = f"{PROJECTS[environment]}-dataproc-kerberos"
    return {
        "bucket": bucket,
        "name": "root-principal-password.encrypted",
        "size": 113,
        "content_type": "application/octet-stream",
        "storage_url": f"gs://{bucket}/root-principal-password.encrypted#1700000000000000",
        "kms_key": f"{keyring(environment)}/cryptoKeys/storage-cmek/cryptoKeyVersions/1",
    }


def dataproc_cluster(stem: str, environment: str, *, idle_ttl: str | None = None) -> Any:
    """A compliant `clusters describe`; the lifecycle block matches what the environment expects."""
    cluster = secure_mode_in_prod(load(stem, "cluster", environment), environment)
    if idle_ttl is None:
        return without(cluster, "config.lifecycleConfig")
    return with_value(cluster, "config.lifecycleConfig.idleDeleteTtl", idle_ttl)


def wheel_hand_off(tools: FakeTools, uri: str = WHEEL) -> str:
    """$OUTPUT_DIR with the spark-wheel hand-off the build step writes; returns OUTPUT_DIR."""
    outputs = tools.root / "outputs"
    outputs.mkdir(exist_ok=True)
    (outputs / "spark-wheel").write_text(uri + "\n", encoding="utf-8")
    return str(outputs)


def assert_no_data_leak(*texts: str) -> None:
    for text in texts:
        assert DRIVER_LINE not in text, "driver output reached the log or the evidence"


def manifest_set(target: Path, mutate: Callable[[list[dict[str, Any]]], None] | None = None) -> Path:
    """The compliant synthetic manifests (fixtures/deploy-gke-hipaa/manifests), changed by `mutate`,
    written to `target` as one multi-document YAML file; returns the directory."""
    documents: list[dict[str, Any]] = []
    for path in sorted((FIXTURES / "deploy-gke-hipaa" / "manifests").glob("*.yaml")):
        documents.extend(d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d)
    if mutate is not None:
        mutate(documents)
    target.mkdir(parents=True, exist_ok=True)
    (target / "api.yaml").write_text(yaml.safe_dump_all(documents, sort_keys=False), encoding="utf-8")
    return target


def find(documents: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    return next(d for d in documents if d["kind"] == kind and d["metadata"]["name"] == name)


DROP = object()  # as an edit's value: delete the key (or, with an empty path, the whole object)
Edit = tuple[str, str, tuple[str | int, ...], Any]


def edited(edits: list[Edit]) -> Callable[[list[dict[str, Any]]], None]:
    """A manifest mutation for `manifest_set`: (kind, name, path, value) edits; a list index one past
    the end appends."""

    def apply(documents: list[dict[str, Any]]) -> None:
        for kind, name, path, value in edits:
            target = find(documents, kind, name)
            if not path:
                documents.remove(target)
                continue
            node: Any = target
            for part in path[:-1]:
                node = node.setdefault(part, {}) if isinstance(node, dict) else node[part]
            last = path[-1]
            if value is DROP:
                del node[last]
            elif isinstance(node, list) and last == len(node):
                node.append(value)
            else:
                node[last] = value

    return apply


GKE_DIGEST = "4f1c0b7e9a2d3c5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6"
GKE_IMAGE = f"us-central1-docker.pkg.dev/nwh-analytics-dev/hipaa-dev-images/hipaa-api@sha256:{GKE_DIGEST}"


def rendered_manifests(tools: FakeTools) -> list[dict[str, Any]]:
    """The manifest set deploy-gke-hipaa.sh rendered and applied ($OUTPUT_DIR/gke-manifests.json)."""
    documents: list[dict[str, Any]] = json.loads((tools.root / "outputs" / "gke-manifests.json").read_text())
    return documents


def gke_answers(
    tools: FakeTools, *, pods: Any = None, service: Any = None, namespaces: Any = None, policies: Any = None
) -> None:
    """gcloud and kubectl as deploy-gke-hipaa.sh meets them on a healthy cluster."""
    tools.on(
        "gcloud",
        ["container", "clusters", "get-credentials"],
        stderr="Fetching cluster endpoint and auth data.\nkubeconfig entry generated for hipaa-dev-gke.\n",
    )
    tools.on(
        "kubectl",
        ["apply", "--dry-run=server"],
        stdout="deployment.apps/hipaa-api serverside-applied (server dry run)\n",
    )
    tools.on("kubectl", ["apply", "--server-side"], stdout="deployment.apps/hipaa-api serverside-applied\n")
    tools.on("kubectl", ["rollout", "status"], stdout='deployment "hipaa-api" successfully rolled out\n')
    tools.on("kubectl", ["rollout", "undo"], stdout="deployment.apps/hipaa-api rolled back\n")
    live_namespaces = load("deploy-gke-hipaa", "live-namespaces") if namespaces is None else namespaces
    tools.on("kubectl", ["get", "namespaces"], stdout=live_namespaces)
    live_policies = load("deploy-gke-hipaa", "live-networkpolicies") if policies is None else policies
    tools.on("kubectl", ["get", "networkpolicies"], stdout=live_policies)
    tools.on("kubectl", ["get", "pods"], stdout=load("deploy-gke-hipaa", "pods") if pods is None else pods)
    tools.on("kubectl", ["get", "service"], stdout=load("deploy-gke-hipaa", "service") if service is None else service)


def gke_deploy(
    tools: FakeTools,
    environment: str = "dev",
    mutate: Callable[[list[dict[str, Any]]], None] | None = None,
    image: str = GKE_IMAGE,
    manifests: Path | None = None,
    **env: str,
) -> Result:
    """Runs deploy-gke-hipaa.sh on the synthetic manifest set (changed by `mutate`), or on `manifests`."""
    if manifests is None:
        manifests = manifest_set(tools.root / "manifests", mutate)
    arguments = (environment, PROJECTS[environment], f"hipaa-{environment}-gke", REGION, str(manifests), image)
    return tools.run("deploy-gke-hipaa.sh", *arguments, env={"OUTPUT_DIR": str(tools.root / "outputs"), **env})


def backup_names(environment: str = "dev") -> dict[str, str]:
    project = PROJECTS[environment]
    backups = f"{project}:hipaa_{environment}_backups"
    return {
        "curated": f"{project}:hipaa_{environment}_curated",
        "backups": backups,
        "snapshot": f"{backups}.claims_snap_b123",
        "restored": f"{backups}.claims_restore_b123",
        "probe": f"gs://{project}-raw/backup-restore-test/b123/probe.txt",
        "disk_snapshot": f"hipaa-{environment}-master-restore-test-b123",
    }


def backup_answers(tools: FakeTools, environment: str = "dev", **override: Any) -> None:
    """Every call test-backup-restore.sh makes, answered from the fixtures unless `override` names the answer."""

    def fixture(name: str) -> Any:
        key = name.replace("-", "_")
        return override[key] if key in override else load("test-backup-restore", name, environment)

    n = backup_names(environment)
    tools.on("bq", ["show", "--format=json", n["curated"]], stdout=fixture("dataset"))
    tools.on("bq", ["show", "--format=json", n["backups"]], stdout=fixture("backups-dataset"))
    tools.on("bq", ["ls", "--format=json"], stdout=fixture("tables"))
    tools.on("bq", ["cp", "--snapshot"], stdout="Table snapshot created.\n")
    tools.on("bq", ["cp", "--restore"], stdout="Table restored.\n")
    tools.on("bq", ["show", "--format=json", n["snapshot"]], stdout=fixture("snapshot"))
    tools.on("bq", ["show", "--format=json", n["restored"]], stdout=fixture("restored"))
    tools.on("bq", ["query", "--format=json"], stdout=fixture("fingerprint"))
    tools.on("bq", ["rm", "-f", "-t"])
    tools.on("gcloud", ["storage", "buckets", "describe"], stdout=fixture("bucket"))
    tools.on("gcloud", ["storage", "cp"], stderr="Copying file://v1 to gs://...\n  Completed files 1/1\n")
    tools.on("gcloud", ["storage", "objects", "list"], stdout=fixture("probe-versions"))
    tools.on("gcloud", ["storage", "objects", "describe"], stdout=fixture("probe-restored"))
    tools.on("gcloud", ["storage", "rm", "--all-versions"], stderr="Removing objects:\n")
    tools.on("gcloud", ["dataproc", "clusters", "describe"], stdout=fixture("cluster"))
    tools.on("gcloud", ["compute", "instances", "describe"], stdout=fixture("master-instance"))
    tools.on(
        "gcloud",
        ["compute", "disks", "snapshot"],
        stderr="Creating snapshot(s) hipaa-dev-master-restore-test-b123...done.\n",
    )
    tools.on("gcloud", ["compute", "snapshots", "describe"], stdout=fixture("disk-snapshot"))
    tools.on("gcloud", ["compute", "snapshots", "delete"], stderr="Deleted [...].\n")
