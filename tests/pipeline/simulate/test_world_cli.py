"""The fake CLIs' rules: strict parsing, unmodelled commands, and the services' own refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.simulate.standins import MODEL_STAND_IN, model_object
from pipeline.simulate.world import state as world_state
from pipeline.simulate.world.svc_storage import crc32c
from tests.pipeline.simulate.worlds import BUILD_ID, STEP_IMAGE, World, copy_world, make_world


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> World:
    return make_world(tmp_path_factory.mktemp("template"), "prod")


@pytest.fixture
def world(template: World, tmp_path: Path) -> World:
    return copy_world(template, tmp_path)


def test_an_unmodelled_command_fails_loudly_and_is_recorded(world: World) -> None:
    answer = world.call("gcloud", "sql", "instances", "list")
    assert answer.code == 1 and "fake world: unmodelled command: gcloud sql instances list" in answer.err
    assert world_state.journal(world.path, world_state.UNMODELLED)[0]["argv"] == ["sql", "instances", "list"]


def test_a_flag_the_real_parser_refuses_exits_2(world: World) -> None:
    answer = world.call("gcloud", "kms", "keys", "list", "--keyring", world.keyring, "--not-a-flag")
    assert answer.code == 2 and "unrecognized arguments: --not-a-flag" in answer.err


def test_binauthz_sign_and_create_is_beta_only(world: World) -> None:
    image = "us-central1-docker.pkg.dev/nwh-analytics-prd/hipaa-prod-images/hipaa-api@sha256:" + "ab" * 32
    attestor = "projects/nwh-analytics-prd/attestors/hipaa-prod-pipeline"
    version = f"{world.keyring}/cryptoKeys/image-signing/cryptoKeyVersions/1"
    flags = ["--artifact-url", image, "--attestor", attestor, "--keyversion", version, "--project", world.project]
    ga = world.call("gcloud", "container", "binauthz", "attestations", "sign-and-create", *flags)
    assert ga.code == 2 and "Invalid choice: 'sign-and-create'" in ga.err
    assert world.call("gcloud", "beta", "container", "binauthz", "attestations", "sign-and-create", *flags).code == 0
    listed = world.call(
        "gcloud",
        "container",
        "binauthz",
        "attestations",
        "list",
        "--attestor",
        attestor,
        "--artifact-url",
        image,
        "--project",
        world.project,
        "--format=json",
    )
    assert listed.json[0]["resourceUri"] == f"https://{image}"


def test_builds_describe_reads_the_region_and_the_approval(world: World) -> None:
    build = world.call("gcloud", "builds", "describe", BUILD_ID, "--region", "us-central1", "--format=json")
    assert build.json["approval"]["state"] == "APPROVED"
    pool = world.call(
        "gcloud", "builds", "describe", BUILD_ID, "--region=us-central1", "--format=value(options.pool.name)"
    )
    assert pool.out.strip().endswith("/workerPools/hipaa-prod-build-pool")
    # The projection require_prod_approval reads (no jq on verify-release's image).
    state = world.call(
        "gcloud", "builds", "describe", BUILD_ID, "--region", "us-central1", "--format=value(approval.state)"
    )
    assert state.out == "APPROVED\n"
    assert world.call("gcloud", "builds", "describe", BUILD_ID, "--format=json").code == 1  # a regional build


def test_logging_read_filters_the_build_log(world: World) -> None:
    entries = [
        {
            "resource": {"type": "build", "labels": {"build_id": BUILD_ID, "project_id": world.project}},
            "textPayload": "a",
        },
        {
            "resource": {"type": "build", "labels": {"build_id": "other", "project_id": world.project}},
            "textPayload": "b",
        },
    ]
    (world.path / "build-log.jsonl").write_text("".join(json.dumps(e) + "\n" for e in entries), encoding="utf-8")
    query = f'resource.type="build" AND resource.labels.build_id="{BUILD_ID}"'
    answer = world.call(
        "gcloud", "logging", "read", query, f"--project={world.project}", "--order=asc", "--format=json"
    )
    assert [e["textPayload"] for e in answer.json] == ["a"]
    assert world.call("gcloud", "logging", "read", "severity>=ERROR", f"--project={world.project}").code == 1


def test_storage_keeps_generations_in_a_versioned_bucket_with_real_hashes(world: World, tmp_path: Path) -> None:
    assert crc32c(b"123456789") == 0xE3069283
    probe = "gs://nwh-analytics-prd-backups/probe.txt"
    for text in ("one", "two"):
        (tmp_path / "f").write_text(text, encoding="utf-8")
        assert world.call("gcloud", "storage", "cp", str(tmp_path / "f"), probe).code == 0
    versions = world.call("gcloud", "storage", "objects", "list", probe, "--format=json").json
    assert len(versions) == 2
    oldest = min(versions, key=lambda v: int(v["generation"]))
    assert world.call("gcloud", "storage", "cat", f"{probe}#{oldest['generation']}").out == "one"


def test_bq_answers_the_scripts_query_shapes_and_refuses_others(world: World) -> None:
    table = "`nwh-analytics-prd.hipaa_prod_deidentified.facility_monthly_encounters`"
    count = world.call(
        "bq",
        "--project_id=nwh-analytics-prd",
        "query",
        "--format=json",
        "--use_legacy_sql=false",
        "SELECT COUNT(*) AS row_count FROM " + table + " WHERE encounter_count IS NOT NULL",  # noqa: S608 - fixed text
    )
    assert int(count.json[0]["row_count"]) >= 10
    other = world.call(
        "bq", "--project_id=nwh-analytics-prd", "query", "--format=json", "--nouse_legacy_sql", "SELECT 1"
    )
    assert other.code == 1 and "unmodelled query" in other.err


def test_docker_push_needs_credentials_and_respects_immutable_tags(world: World, tmp_path: Path) -> None:
    context = tmp_path / "ctx"
    context.mkdir()
    registry = "us-central1-docker.pkg.dev/nwh-analytics-prd"
    (context / "Dockerfile").write_text(
        f"FROM {registry}/hipaa-prod-gcr-mirror/distroless/static:nonroot\n", encoding="utf-8"
    )
    ref = f"{registry}/hipaa-prod-images/hipaa-api:abc1234-b1"
    assert world.call("docker", "build", "-t", ref, str(context)).code == 0
    assert "Unauthenticated" in world.call("docker", "push", ref).err
    world.call("gcloud", "auth", "configure-docker", "us-central1-docker.pkg.dev", "--quiet")
    assert world.call("docker", "push", ref).code == 0
    assert "immutable" in world.call("docker", "push", ref).err
    (context / "Dockerfile").write_text("FROM docker.io/library/python:3.11\n", encoding="utf-8")
    assert "not in this environment's Artifact Registry" in world.call("docker", "build", "-t", ref, str(context)).err


def test_a_tag_is_per_image_and_a_step_image_is_a_base_the_worker_has(world: World, tmp_path: Path) -> None:
    context = tmp_path / "ctx"
    context.mkdir()
    (context / "Dockerfile").write_text("ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n", encoding="utf-8")
    world.call("gcloud", "auth", "configure-docker", "us-central1-docker.pkg.dev", "--quiet")
    repository = "us-central1-docker.pkg.dev/nwh-analytics-prd/hipaa-prod-images"
    for image in ("hipaa-api", "phi-scanner"):  # one build tag, two images of one immutable-tag repository
        ref = f"{repository}/{image}:abc1234-b1"
        built = world.call("docker", "build", "--build-arg", f"BASE_IMAGE={STEP_IMAGE}", "-t", ref, str(context))
        assert built.code == 0, built.err
        assert world.call("docker", "push", ref).code == 0
    other = world.call("docker", "build", "--build-arg", "BASE_IMAGE=gcr.io/other/image:1", "-t", ref, str(context))
    assert "not in this environment's Artifact Registry" in other.err


def test_storage_cp_to_dash_writes_the_object_to_stdout(world: World) -> None:
    wheel = model_object("nwh-analytics-prd")
    answer = world.call("gcloud", "storage", "cp", wheel, "-")
    assert answer.code == 0 and answer.out.encode() == MODEL_STAND_IN


def test_trivy_reports_and_exits_with_the_findings_code(world: World, tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("pyyaml==6.0.4\n", encoding="utf-8")
    with world_state.locked(world.path) as state:
        state["scanners"]["vulnerabilities"].append(
            {"VulnerabilityID": "CVE-1", "PkgName": "pyyaml", "Severity": "HIGH"}
        )
    mirror = "us-central1-docker.pkg.dev/nwh-analytics-prd/hipaa-prod-ghcr-mirror/aquasecurity"
    flags = [
        "--severity",
        "HIGH,CRITICAL",
        "--exit-code",
        "5",
        "--format",
        "json",
        "--db-repository",
        f"{mirror}/trivy-db",
        "--java-db-repository",
        f"{mirror}/trivy-java-db",
        "--output",
        str(tmp_path / "r.json"),
    ]
    assert world.call("trivy", "fs", "--scanners", "vuln", *flags, str(tmp_path)).code == 5
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["Results"][0]["Vulnerabilities"][0]["VulnerabilityID"] == "CVE-1"


def connect(world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """kubectl credentials for prod's cluster, as deploy-gke-hipaa.sh gets them."""
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "kubeconfig"))
    world.call(
        "gcloud",
        "container",
        "clusters",
        "get-credentials",
        "hipaa-prod-gke",
        "--project=nwh-analytics-prd",
        "--region=us-central1",
        "--dns-endpoint",
    )


def test_kubectl_needs_credentials_and_enforces_the_restricted_profile(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "kubeconfig"))
    assert "connection to the server" in world.call("kubectl", "get", "namespaces", "-o", "json").err
    connect(world, tmp_path, monkeypatch)
    namespace = {
        "kind": "Namespace",
        "metadata": {"name": "ns", "labels": {"pod-security.kubernetes.io/enforce": "restricted"}},
    }
    pod = {"containers": [{"name": "c", "image": "i", "securityContext": {"privileged": True}}]}
    deployment = {
        "kind": "Deployment",
        "metadata": {"name": "d", "namespace": "ns"},
        "spec": {"template": {"spec": pod}},
    }
    (tmp_path / "a.json").write_text(json.dumps({"kind": "List", "items": [namespace]}), encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps({"kind": "List", "items": [deployment]}), encoding="utf-8")
    assert world.call("kubectl", "apply", "--server-side", "-f", str(tmp_path / "a.json")).code == 0
    refused = world.call("kubectl", "apply", "--server-side", "-f", str(tmp_path / "b.json"))
    assert refused.code == 1 and 'violates PodSecurity "restricted"' in refused.err


def test_prowler_fails_a_key_that_rotates_too_slowly(world: World, tmp_path: Path) -> None:
    with world_state.locked(world.path) as state:
        next(k for p, k in state["kms"]["keys"].items() if p.endswith("storage-cmek"))["rotationPeriod"] = "34560000s"
    out = tmp_path / "out"
    code = world.call(
        "prowler",
        "gcp",
        "--project-id",
        world.project,
        "--compliance",
        "hipaa_gcp",
        "--output-formats",
        "json-ocsf",
        "--output-directory",
        str(out),
        "--output-filename",
        "p",
        "--no-banner",
    ).code
    findings = json.loads((out / "p.ocsf.json").read_text(encoding="utf-8"))
    failed = [f["resources"][0]["uid"] for f in findings if f["status_code"] == "FAIL"]
    assert code == 3 and len(failed) == 1 and failed[0].endswith("/cryptoKeys/storage-cmek")


def test_zap_reaches_only_a_service_the_cluster_serves(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    connect(world, tmp_path, monkeypatch)
    namespace = {"kind": "Namespace", "metadata": {"name": "api"}}
    service = {
        "kind": "Service",
        "metadata": {"name": "api", "namespace": "api"},
        "spec": {"type": "LoadBalancer", "ports": [{"name": "http", "port": 80}]},
    }
    (tmp_path / "objects.json").write_text(
        json.dumps({"kind": "List", "items": [namespace, service]}), encoding="utf-8"
    )
    (tmp_path / "rules.tsv").write_text("10021\tWARN\n", encoding="utf-8")
    scan = ["-c", str(tmp_path / "rules.tsv"), "-J", str(tmp_path / "report.json")]
    assert world.call("zap-baseline.py", "-t", "http://api.api.svc.cluster.local:80", *scan).code == 3
    assert world.call("kubectl", "apply", "--server-side", "-f", str(tmp_path / "objects.json")).code == 0
    live = json.loads(world.call("kubectl", "get", "service", "api", "-n", "api", "-o", "json").out)
    address = live["status"]["loadBalancer"]["ingress"][0]["ip"]
    assert address.startswith("10.30.")  # in prod's private subnet
    clean = world.call("zap-baseline.py", "-t", f"http://{address}:80", *scan)
    assert clean.code == 0 and "FAIL-NEW: 0" in clean.out
    # The cluster's own names never resolve outside it, where the build's ZAP runs.
    assert world.call("zap-baseline.py", "-t", "http://api.api.svc.cluster.local:80", *scan).code == 3


def test_help_on_a_modelled_command_is_answered_as_the_real_cli_does(world: World) -> None:
    """`docker build --help` prints help and exits 0 without a daemon (the README test runs it in
    the unit-tests step, where docker is the toolchain's); help is never an unmodelled command."""
    answer = world.call("docker", "build", "--help")
    assert answer.code == 0 and answer.out.startswith("Usage: docker build")
    assert world.call("gcloud", "kms", "keys", "list", "--help").code == 0
    assert world_state.journal(world.path, world_state.UNMODELLED) == []
    # Help on a command the world does not model is still unmodelled, and a flag after `--` is an argument.
    assert world.call("docker", "volume", "ls", "--help").code == 1
    job = ["gs://no-bucket/job.py", "--region", "us-central1", "--cluster", "no-cluster", "--", "--help"]
    assert "Usage" not in world.call("gcloud", "dataproc", "jobs", "submit", "pyspark", *job).out


@pytest.mark.parametrize(
    ("gateway_class", "programmed"), [("gke-l7-rilb", "True"), ("gke-l7-made-up", "Unknown"), ("istio", "Unknown")]
)
def test_a_gateway_is_programmed_by_gkes_controller_for_gkes_classes_only(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gateway_class: str, programmed: str
) -> None:
    connect(world, tmp_path, monkeypatch)
    gateway = {
        "kind": "Gateway",
        "metadata": {"name": "edge", "namespace": "api"},
        "spec": {"gatewayClassName": gateway_class, "listeners": [{"name": "https", "protocol": "HTTPS"}]},
    }
    objects = {"kind": "List", "items": [{"kind": "Namespace", "metadata": {"name": "api"}}, gateway]}
    (tmp_path / "objects.json").write_text(json.dumps(objects), encoding="utf-8")
    assert world.call("kubectl", "apply", "--server-side", "-f", str(tmp_path / "objects.json")).code == 0
    live = json.loads(world.call("kubectl", "get", "gateway", "edge", "-n", "api", "-o", "json").out)
    assert {c["type"]: c["status"] for c in live["status"]["conditions"]}["Programmed"] == programmed
    assert [a["value"].startswith("10.30.") for a in live["status"]["addresses"]] == (
        [True] if programmed == "True" else []
    )


@pytest.mark.parametrize(
    "case",
    [
        ("gke-l7-rilb", "api", True, True),
        ("gke-l7-made-up", "api", True, False),
        ("gke-l7-rilb", "no-such-service", True, False),
        ("gke-l7-rilb", "api", False, False),
    ],
    ids=["served", "class-not-gkes", "route-to-nothing", "name-not-peered-to-the-pool"],
)
def test_zap_reaches_the_api_through_a_programmed_gateway_routing_to_a_service(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: tuple[str, str, bool, bool]
) -> None:
    """deploy-gke hands on `https://<listener hostname>`: it answers once GKE programs the Gateway and
    an HTTPRoute attached to it sends traffic to a Service that exists, and the pool resolves the
    name only through the plan's peered DNS domain."""
    gateway_class, backend, peered, served = case
    connect(world, tmp_path, monkeypatch)
    assert world.state()["network"]["peeredDnsDomains"] == ["hipaa-prod.internal."]
    if not peered:
        with world_state.locked(world.path) as state:
            state["network"]["peeredDnsDomains"] = []
    host = "api.hipaa-prod.internal"
    items = [
        {"kind": "Namespace", "metadata": {"name": "api"}},
        {"kind": "Service", "metadata": {"name": "api", "namespace": "api"}, "spec": {"ports": [{"port": 8080}]}},
        {
            "kind": "Gateway",
            "metadata": {"name": "edge", "namespace": "api"},
            "spec": {
                "gatewayClassName": gateway_class,
                "listeners": [{"name": "https", "protocol": "HTTPS", "hostname": host, "port": 443}],
            },
        },
        {
            "kind": "HTTPRoute",
            "metadata": {"name": "api", "namespace": "api"},
            "spec": {"parentRefs": [{"name": "edge"}], "rules": [{"backendRefs": [{"name": backend, "port": 8080}]}]},
        },
    ]
    (tmp_path / "objects.json").write_text(json.dumps({"kind": "List", "items": items}), encoding="utf-8")
    (tmp_path / "rules.tsv").write_text("10021\tWARN\n", encoding="utf-8")
    scan = ["-c", str(tmp_path / "rules.tsv"), "-J", str(tmp_path / "report.json")]
    assert world.call("kubectl", "apply", "--server-side", "-f", str(tmp_path / "objects.json")).code == 0
    answer = world.call("zap-api-scan.py", "-t", f"https://{host}/openapi.json", "-f", "openapi", *scan)
    assert (answer.code == 0) is served
    assert ("Failed to access" in answer.err) is not served
