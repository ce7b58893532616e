"""scripts/validate-env-hipaa.sh: perimeter, CMEK keys, audit logs, SIEM sink, org policies, no public IPs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.scripts.fakes import FakeTools, Result
from tests.scripts.gcloud_fixtures import (
    KEYRING,
    PERIMETER,
    PROJECT,
    PROJECT_NUMBER,
    SIEM_PROJECT,
    Scenario,
    failed,
    failed_closed,
    load,
    passed,
    project_answers,
    usage_failed,
    violated,
)
from tests.scripts.inventory_world import COUNTS, for_env, key_template, listing, planned, project_numbers, scope

SCRIPT = "validate-env-hipaa.sh"
STEM = "validate-env-hipaa"
GATE = "env-validation"
USAGE = "validate-env-hipaa.sh ENV PROJECT_ID VPC_SC_PERIMETER KMS_KEYRING SIEM_PROJECT_ID"
CONSTRAINTS = sorted(p.stem for p in (Path(__file__).parent / "fixtures" / STEM / "org-policies").glob("*.json"))


def compliant(env: str = "prod") -> Scenario:
    """The environment as its inventory plans it, plus what no plan lists (org policies, VMs)."""
    s = scope(env)
    project, numbers = s["project"], project_numbers(env)
    scenario = project_answers(
        Scenario(), *((p, numbers[p]) for p in (project, s["siem_project"], s["security_project"]))
    )

    def perimeter_template(entry: dict[str, Any]) -> dict[str, Any]:
        recorded: dict[str, Any] = for_env(env, load(STEM, "perimeter"))
        return {k: v for k, v in recorded.items() if k not in ("status", "spec")}

    keys = load(STEM, "keys")
    policy = {**for_env(env, load(STEM, "iam-policy")), "auditConfigs": listing(env, "audit_configs")}
    recorded_sinks = for_env(env, load(STEM, "sinks"))
    sinks = [*recorded_sinks[:2], *listing(env, "sinks", recorded_sinks[2])]  # Google's two, then ours
    perimeter = listing(env, "perimeters", perimeter_template)[0]
    scenario.add("perimeter", "gcloud", ["perimeters", "describe", s["perimeter"]], perimeter)
    keyring = listing(env, "keyrings", for_env(env, load(STEM, "keyring")))[0]
    scenario.add("keyring", "gcloud", ["kms", "keyrings", "describe", s["keyring"]], keyring)
    scenario.add(
        "keys",
        "gcloud",
        ["kms", "keys", "list", "--keyring", s["keyring"]],
        listing(env, "keys", key_template(keys[0], keys[-1])),
    )
    scenario.add("iam", "gcloud", ["projects", "get-iam-policy", project], policy)
    scenario.add("sinks", "gcloud", ["logging", "sinks", "list", "--project", project], sinks)
    for constraint in CONSTRAINTS:
        answer = for_env(env, load(STEM, f"org-policies/{constraint}"))
        scenario.add(constraint, "gcloud", ["org-policies", "describe", constraint, "--effective"], answer)
    instances = for_env(env, load(STEM, "instances"))
    scenario.add("instances", "gcloud", ["compute", "instances", "list", "--project", project], instances)
    return scenario


def run(tools: FakeTools, scenario: Scenario, env: str = "prod") -> Result:
    scenario.install(tools)
    s = scope(env)
    return tools.run(SCRIPT, env, s["project"], s["perimeter"], s["keyring"], s["siem_project"])


def key(scenario: Scenario, purpose: str) -> dict[str, Any]:
    found: dict[str, Any] = next(k for k in scenario["keys"] if k["name"].endswith(f"/{purpose}-cmek"))
    return found


def siem_sink(scenario: Scenario) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in scenario["sinks"] if s["name"].endswith("-siem-sink"))
    return found


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_compliant_environment_passes_with_every_check_counted(tools: FakeTools, env: str) -> None:
    evidence = passed(run(tools, compliant(env), env), GATE)
    # perimeter, membership and the required services, keyring and the CMEK keys, audit config, sink,
    # 14 org policies, 2 VMs (the column keysets' KEK joined the keys)
    assert evidence["checked"] == 42
    assert evidence["environment"] == env and evidence["tool"] == "gcloud/jq"
    assert tools.called("gcloud", "projects", "describe", scope(env)["project"], "--format=json")
    assert all(tools.called("gcloud", "org-policies", "describe", c, "--effective") for c in CONSTRAINTS)
    inventory = evidence["inventory"]
    assert {k: inventory[k] for k in COUNTS} == planned(env, GATE)
    assert (inventory["expected"], inventory["properties"]) == (17, 59)


def test_dev_tolerates_a_dry_run_perimeter_and_software_keys_and_deny_all_cmek_passes(tools: FakeTools) -> None:
    scenario = compliant("dev")
    assert "spec" in scenario["perimeter"] and key(scenario, "storage")["primary"]["protectionLevel"] == "SOFTWARE"
    scenario["gcp.restrictNonCmekServices"]["spec"]["rules"] = [{"denyAll": True}]  # CMEK for every service
    result = run(tools, scenario, env="dev")
    assert {k: v for k, v in passed(result, GATE)["inventory"].items() if k in COUNTS} == planned("dev", GATE)
    assert "dry-run configuration only, tolerated in dev" in result.stderr


def test_a_key_nobody_planned_fails_and_one_whose_versions_are_destroyed_does_not(tools: FakeTools) -> None:
    scenario = compliant()
    stray = {**key(scenario, "storage"), "name": f"{KEYRING}/cryptoKeys/by-hand"}
    retired = {k: v for k, v in stray.items() if k != "primary"} | {"name": f"{KEYRING}/cryptoKeys/retired"}
    scenario["keys"] += [stray, retired]
    assert failed(run(tools, scenario), GATE)["violations"] == [
        f"key {KEYRING}/cryptoKeys/by-hand: not in the inventory (unmanaged)"
    ]


def test_a_key_whose_protection_level_differs_from_the_plan_fails(tools: FakeTools) -> None:
    scenario = compliant()
    key(scenario, "vertex")["versionTemplate"]["protectionLevel"] = "SOFTWARE"
    assert failed(run(tools, scenario), GATE)["violations"] == [
        f"key {KEYRING}/cryptoKeys/vertex-cmek: versionTemplate.protectionLevel is SOFTWARE, the inventory expects HSM"
    ]


def test_an_empty_key_listing_is_a_tool_error(tools: FakeTools) -> None:
    scenario = compliant()
    scenario["keys"] = []
    result = run(tools, scenario)
    evidence = failed(result, GATE)
    assert result.reason == f"{SCRIPT}: FAIL: keys of {KEYRING}: listed nothing, but the inventory plans 12 key(s)"
    assert f"key {KEYRING}/cryptoKeys/storage-cmek: missing" in evidence["violations"]


def test_a_dry_run_perimeter_in_prod_fails_by_rule_and_against_the_plan(tools: FakeTools) -> None:
    scenario = compliant()
    scenario["perimeter"].update(spec=scenario["perimeter"].pop("status"), useExplicitDryRunSpec=True)
    result = run(tools, scenario)
    violations = violated(
        result, GATE, f"perimeter {PERIMETER}: dry-run configuration only, not enforced (tolerated in dev only)"
    )
    assert f"perimeter {PERIMETER}: useExplicitDryRunSpec is true, the inventory expects false" in violations
    assert result.tools.evidence_of(GATE)["inventory"]["mismatched"] == 1


def _leaky_perimeter(s: Scenario) -> None:
    s["perimeter"]["status"]["resources"] = ["projects/999999999999"]
    s["perimeter"]["status"]["restrictedServices"].remove("secretmanager.googleapis.com")


def _weak_keys(s: Scenario) -> None:
    s["keys"].remove(key(s, "gke"))
    key(s, "storage")["primary"]["state"] = "DISABLED"
    key(s, "bigquery")["primary"]["protectionLevel"] = "SOFTWARE"


def _partial_audit(s: Scenario) -> None:
    configs = s["iam"]["auditConfigs"][0]["auditLogConfigs"]
    configs.pop(1)  # DATA_READ
    configs[1]["exemptedMembers"] = ["serviceAccount:etl@nwh-analytics-prd.iam.gserviceaccount.com"]


def _no_audit_trail(s: Scenario) -> None:
    _partial_audit(s)
    _no_usable_siem_sink(s)


def _weak_org_policies(s: Scenario) -> None:
    s["compute.requireOsLogin"]["spec"]["rules"] = [{"enforce": False}]
    s["storage.publicAccessPrevention"]["spec"]["rules"] = [{"condition": {"expression": "true"}, "enforce": True}]
    s["compute.vmExternalIpAccess"]["spec"]["rules"] = [{"allowAll": True}]
    s["gcp.resourceLocations"]["spec"]["rules"] = [{"allowAll": True}]
    s["gcp.restrictNonCmekServices"]["spec"]["rules"] = [
        {"values": {"deniedValues": ["is:storage.googleapis.com", "compute.googleapis.com", "dataproc.googleapis.com"]}}
    ]


def _no_usable_siem_sink(s: Scenario) -> None:
    siem_sink(s)["disabled"] = True
    lookalike = "logging.googleapis.com/projects/nwh-siem-prd-copy/locations/global/buckets/audit"
    s["sinks"].append({**siem_sink(s), "name": "lookalike", "disabled": False, "destination": lookalike})


def _public_vm(s: Scenario) -> None:
    s["instances"][0]["networkInterfaces"][0]["accessConfigs"] = [
        {"kind": "compute#accessConfig", "name": "External NAT", "type": "ONE_TO_ONE_NAT"}
    ]
    s["instances"][1]["networkInterfaces"][0]["ipv6AccessConfigs"] = [{"type": "DIRECT_IPV6"}]


# One run per rule family; every rule broken in it must be reported, and nothing else.
VIOLATIONS: dict[str, tuple[Callable[[Scenario], object], list[str]]] = {
    "perimeter-bridge": (
        lambda s: s["perimeter"].update(perimeterType="PERIMETER_TYPE_BRIDGE"),
        [f"perimeter {PERIMETER}: is a bridge, not a regular perimeter"],
    ),
    "perimeter-contents": (
        _leaky_perimeter,
        [
            f"perimeter {PERIMETER}: does not contain project number {PROJECT_NUMBER}",
            f"perimeter {PERIMETER}: does not restrict secretmanager.googleapis.com",
            f"perimeter {PERIMETER}: status.resources lacks projects/{PROJECT_NUMBER}; has extra projects/999999999999",
            f"perimeter {PERIMETER}: status.restrictedServices lacks secretmanager.googleapis.com",
        ],
    ),
    "cmek-keys": (
        _weak_keys,
        [
            "key storage-cmek: primary version is DISABLED, not ENABLED",
            "key bigquery-cmek: protection level SOFTWARE, prod requires HSM",
            f"key {KEYRING}/cryptoKeys/gke-cmek: missing",
            f"key {KEYRING}/cryptoKeys/gke-cmek: planned but not found",
        ],
    ),
    "audit-logging-and-siem-sink": (
        _no_audit_trail,
        [
            f"project {PROJECT}: audit log DATA_READ is not enabled for allServices",
            f"project {PROJECT}: 1 member(s) exempted from audit logging",
            f"project {PROJECT}: no enabled log sink to the SIEM project {SIEM_PROJECT}",
            "audit config allServices: auditLogConfigs differs from the inventory",
            "log sink lookalike: not in the inventory (unmanaged)",
        ],
    ),
    "org-policies": (
        _weak_org_policies,
        [
            f"org policy compute.requireOsLogin: not enforced at project {PROJECT}",
            f"org policy storage.publicAccessPrevention: not enforced at project {PROJECT}",
            f"org policy compute.vmExternalIpAccess: does not deny all at project {PROJECT}",
            f"org policy gcp.resourceLocations: resource locations are not restricted at project {PROJECT}",
            "org policy gcp.restrictNonCmekServices: does not require CMEK for aiplatform.googleapis.com, "
            "artifactregistry.googleapis.com, bigquery.googleapis.com, container.googleapis.com, "
            "pubsub.googleapis.com, secretmanager.googleapis.com",
        ],
    ),
    "public-ips": (
        _public_vm,
        [
            "instance hipaa-prod-dataproc-m (us-central1-a): has an external IP",
            "instance gke-hipaa-prod-gke-hipaa-prod-pool-3f9a1c2e-x7k2 (us-central1-b): has an external IP",
        ],
    ),
}


@pytest.mark.parametrize("family", VIOLATIONS)
def test_each_broken_rule_fails_naming_the_resource(tools: FakeTools, family: str) -> None:
    change, expected = VIOLATIONS[family]
    scenario = compliant()
    change(scenario)
    assert sorted(violated(run(tools, scenario), GATE, expected[0])) == sorted(expected)


@pytest.mark.parametrize(
    ("answer", "how", "what"),
    [
        ("perimeter", "error", f"perimeter {PERIMETER}"),
        ("keys", "empty", f"keys of {KEYRING}"),
        ("compute.requireOsLogin", "malformed", "org policy compute.requireOsLogin"),
    ],
)
def test_tool_failure_empty_or_malformed_output_fails_closed(
    tools: FakeTools, answer: str, how: str, what: str
) -> None:
    scenario = compliant().break_answer(answer, how)
    failed_closed(run(tools, scenario), GATE, what, scenario.answers[answer].tool, how)


def test_missing_keyring_fails(tools: FakeTools) -> None:
    scenario = compliant()
    scenario.answers["keyring"].exit = 1
    scenario.answers["keyring"].stderr = f"ERROR: (gcloud.kms.keyrings.describe) NOT_FOUND: {KEYRING} not found.\n"
    result = run(tools, scenario)
    failed(result, GATE)
    assert result.reason.startswith(f"{SCRIPT}: FAIL: keyring {KEYRING}: gcloud failed (exit 1): ERROR")


def test_unexpected_shape_fails_without_echoing_values(tools: FakeTools) -> None:
    scenario = compliant()
    scenario["keys"] = ["projects/nwh-analytics-prd/patient-7781"]
    result = run(tools, scenario)
    failed(result, GATE)
    assert result.reason.endswith(f"keys of {KEYRING}: unexpected JSON shape")
    assert "patient-7781" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("prod", PROJECT, PERIMETER, KEYRING),
        ("qa", PROJECT, PERIMETER, KEYRING, SIEM_PROJECT),
        ("prod", "Bad_Project", PERIMETER, KEYRING, SIEM_PROJECT),
        ("prod", PROJECT, "hipaa_prod_perimeter", KEYRING, SIEM_PROJECT),
        ("prod", PROJECT, PERIMETER, "hipaa-prod-keyring", SIEM_PROJECT),
        ("prod", PROJECT, PERIMETER, KEYRING, ""),
        ("prod", PROJECT, PERIMETER, KEYRING, PROJECT),
    ],
)
def test_missing_or_malformed_arguments_exit_2(tools: FakeTools, args: tuple[str, ...]) -> None:
    usage_failed(tools.run(SCRIPT, *args), USAGE)
