"""scripts/validate-vpcsc-egress.sh: egress only to the SIEM and security projects, restricted services, no internet."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.scripts.fakes import PROJECT_ROOT, FakeTools, Result
from tests.scripts.gcloud_fixtures import (
    PERIMETER,
    PROJECT,
    PROJECT_NUMBER,
    SECURITY_PROJECT,
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
from tests.scripts.inventory_world import COUNTS, for_env, listing, planned, project_numbers, scope

SCRIPT = "validate-vpcsc-egress.sh"
STEM = "validate-vpcsc-egress"
GATE = "vpcsc-egress"
USAGE = "validate-vpcsc-egress.sh ENV PROJECT_ID VPC_SC_PERIMETER SIEM_PROJECT_ID SECURITY_PROJECT_ID"
ARGS = (PROJECT, PERIMETER, SIEM_PROJECT, SECURITY_PROJECT)
RULE_FIELDS = ("allowed", "denied", "sourceRanges", "destinationRanges", "targetTags", "description")


def compliant(env: str = "prod") -> Scenario:
    """The perimeter and the network as the inventory plans them, plus the subnet route GCP adds."""
    s = scope(env)
    project, numbers = s["project"], project_numbers(env)
    scenario = Scenario()
    project_answers(scenario, *((p, numbers[p]) for p in (project, s["siem_project"], s["security_project"])))

    def perimeter_template(entry: dict[str, Any]) -> dict[str, Any]:
        recorded: dict[str, Any] = for_env(env, load(STEM, "perimeter"))
        return {k: v for k, v in recorded.items() if k not in ("status", "spec")}

    perimeter = listing(env, "perimeters", perimeter_template)[0]
    scenario.add("perimeter", "gcloud", ["perimeters", "describe", s["perimeter"]], perimeter)
    networks = listing(env, "networks", for_env(env, load(STEM, "networks"))[0])
    scenario.add("networks", "gcloud", ["compute", "networks", "list", "--project", project], networks)
    recorded_routes = for_env(env, load(STEM, "routes"))
    routes = [*listing(env, "routes", recorded_routes[0]), *recorded_routes[1:]]
    scenario.add("routes", "gcloud", ["compute", "routes", "list", "--project", project], routes)
    rule = {k: v for k, v in for_env(env, load(STEM, "firewalls"))[0].items() if k not in RULE_FIELDS}
    scenario.add("firewalls", "gcloud", ["compute", "firewall-rules", "list"], listing(env, "firewalls", rule))
    return scenario


def facts(name: str) -> str:
    """A value of scripts/lib/facts.sh, as the gate sources it."""
    script = f'source scripts/lib/facts.sh && printf %s "${name}"'
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT).stdout


def run(tools: FakeTools, scenario: Scenario, env: str = "prod") -> Result:
    scenario.install(tools)
    s = scope(env)
    return tools.run(SCRIPT, env, s["project"], s["perimeter"], s["siem_project"], s["security_project"])


def egress(scenario: Scenario, index: int) -> dict[str, Any]:
    rule: dict[str, Any] = scenario["perimeter"]["status"]["egressPolicies"][index]
    return rule


def firewall(scenario: Scenario, name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(r for r in scenario["firewalls"] if r["name"] == name)
    return found


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_compliant_perimeter_and_network_pass(tools: FakeTools, env: str) -> None:
    evidence = passed(run(tools, compliant(env), env), GATE)
    # perimeter 1 + membership 1 + required services, 4 egress rules + accessible services, 1 network,
    # 2 routes (the planned one and the subnet's), 6 firewall rules
    assert evidence["checked"] == 2 + len(json.loads(facts("REQUIRED_RESTRICTED_SERVICES"))) + 5 + 1 + 2 + 6
    inventory = evidence["inventory"]
    assert {k: inventory[k] for k in COUNTS} == planned(env, GATE)
    assert (inventory["expected"], inventory["properties"]) == (9, 55)


def test_dev_judges_a_dry_run_perimeter_by_its_spec(tools: FakeTools) -> None:
    scenario = compliant("dev")
    spec = scenario["perimeter"]["spec"]  # dev plans a dry run
    spec["egressPolicies"][0]["egressTo"]["resources"] = ["*"]
    result = run(tools, scenario, env="dev")
    assert sorted(violated(result, GATE, "egress rule audit-log-sink-to-siem: allows all resources (*)")) == [
        "egress rule audit-log-sink-to-siem: allows all resources (*)",
        f"perimeter {scope('dev')['perimeter']}: spec.egressPolicies differs from the inventory",
    ]
    assert "dry-run configuration only, tolerated in dev" in result.stderr


def test_a_dry_run_perimeter_in_prod_fails_by_rule_and_against_the_plan(tools: FakeTools) -> None:
    scenario = compliant()
    scenario["perimeter"].update(spec=scenario["perimeter"].pop("status"), useExplicitDryRunSpec=True)
    result = run(tools, scenario)
    violations = violated(
        result, GATE, f"perimeter {PERIMETER}: dry-run configuration only, not enforced (tolerated in dev only)"
    )
    assert f"perimeter {PERIMETER}: useExplicitDryRunSpec is true, the inventory expects false" in violations
    assert f"perimeter {PERIMETER}: status.resources lacks projects/{PROJECT_NUMBER}" in violations
    assert result.tools.evidence_of(GATE)["inventory"]["mismatched"] == 1


def test_a_deleted_deny_rule_is_missing_and_a_stray_network_unmanaged(tools: FakeTools) -> None:
    scenario = compliant("staging")
    project = scope("staging")["project"]
    scenario["firewalls"].remove(firewall(scenario, "hipaa-staging-deny-all-egress"))
    scenario["networks"].append({**scenario["networks"][0], "name": "shadow", "selfLink": f"{project}/shadow"})
    assert sorted(
        violated(run(tools, scenario, "staging"), GATE, "network shadow: not in the inventory (unmanaged)")
    ) == [
        "firewall rule hipaa-staging-deny-all-egress: planned but not found",
        "network hipaa-staging-vpc: no deny-all egress firewall rule to 0.0.0.0/0",
        "network shadow: no deny-all egress firewall rule to 0.0.0.0/0",
        "network shadow: not in the inventory (unmanaged)",
    ]


def test_a_rule_whose_ranges_differ_from_the_plan_fails(tools: FakeTools) -> None:
    scenario = compliant()
    firewall(scenario, "hipaa-prod-allow-internal-egress")["destinationRanges"].append("10.99.0.0/16")
    expected = "firewall rule hipaa-prod-allow-internal-egress: destinationRanges has extra 10.99.0.0/16"
    assert violated(run(tools, scenario), GATE, expected) == [expected]


def test_an_empty_network_listing_is_a_tool_error(tools: FakeTools) -> None:
    scenario = compliant()
    scenario["networks"] = []
    result = run(tools, scenario)
    failed(result, GATE)
    assert (
        result.reason == f"{SCRIPT}: FAIL: networks of {PROJECT}: listed nothing, but the inventory plans 1 network(s)"
    )


def _wide_egress(s: Scenario) -> None:
    egress(s, 0)["egressTo"]["resources"] = ["*"]
    egress(s, 1)["egressTo"]["resources"].append("projects/555000111222")
    egress(s, 1)["egressTo"]["operations"].append({"methodSelectors": [{"method": "*"}], "serviceName": "*"})
    untitled: dict[str, Any] = {
        "egressFrom": {"identityType": "ANY_IDENTITY"},
        "egressTo": {
            "externalResources": ["s3://partner-exports"],
            "operations": [{"serviceName": "bigquery.googleapis.com"}],
        },
    }
    s["perimeter"]["status"]["egressPolicies"].append(untitled)


def _open_accessible_services(s: Scenario) -> None:
    s["perimeter"]["status"]["vpcAccessibleServices"]["allowedServices"].append("translate.googleapis.com")


def _internet_path(s: Scenario) -> None:
    s["routes"].append(
        {
            **s["routes"][0],
            "name": "default-route-0a1b2c3d4e5f6a7b",
            "destRange": "0.0.0.0/0",
            "description": "Default route to the Internet.",
        }
    )
    firewall(s, "hipaa-prod-deny-all-egress")["disabled"] = True
    s["firewalls"].append(
        {
            **firewall(s, "hipaa-prod-allow-restricted-apis-egress"),
            "name": "hipaa-prod-allow-https-out",
            "destinationRanges": ["0.0.0.0/0"],
        }
    )


EGRESS_DIFFERS = f"perimeter {PERIMETER}: status.egressPolicies differs from the inventory"
ACCESSIBLE = f"perimeter {PERIMETER}: status.vpcAccessibleServices"
# One run per rule family: the rule's own violations, then what the inventory comparison adds.
VIOLATIONS: dict[str, tuple[Callable[[Scenario], object], list[str]]] = {
    "egress-rules": (
        _wide_egress,
        [
            "egress rule audit-log-sink-to-siem: allows all resources (*)",
            "egress rule notifications-to-security: destination projects/555000111222 "
            "is neither the SIEM nor the security project",
            "egress rule notifications-to-security: allows all services (*)",
            "egress rule #5: allows resources outside Google Cloud",
            "egress rule #5: allows ANY_IDENTITY instead of named identities",
            EGRESS_DIFFERS,
        ],
    ),
    "accessible-services-unrestricted": (
        lambda s: s["perimeter"]["status"]["vpcAccessibleServices"].update(enableRestriction=False, allowedServices=[]),
        [
            f"perimeter {PERIMETER}: VPC accessible services are not restricted",
            f"{ACCESSIBLE}.allowedServices lacks RESTRICTED-SERVICES",
            f"{ACCESSIBLE}.enableRestriction is false, the inventory expects true",
        ],
    ),
    "accessible-service-outside-perimeter": (
        _open_accessible_services,
        [
            f"perimeter {PERIMETER}: VPC accessible service translate.googleapis.com is not a restricted service",
            f"{ACCESSIBLE}.allowedServices has extra translate.googleapis.com",
        ],
    ),
    "internet-path": (
        _internet_path,
        [
            "network hipaa-prod-vpc: route default-route-0a1b2c3d4e5f6a7b sends 0.0.0.0/0 to the internet gateway",
            "network hipaa-prod-vpc: no deny-all egress firewall rule to 0.0.0.0/0",
            "firewall hipaa-prod-allow-https-out: allows egress to 0.0.0.0/0",
            "firewall rule hipaa-prod-deny-all-egress: disabled is true, the inventory expects false",
        ],
    ),
}


@pytest.mark.parametrize("family", VIOLATIONS)
def test_each_broken_rule_fails_naming_the_resource(tools: FakeTools, family: str) -> None:
    change, expected = VIOLATIONS[family]
    scenario = compliant()
    change(scenario)
    assert sorted(violated(run(tools, scenario), GATE, expected[0])) == sorted(expected)


def test_a_deny_rule_scoped_to_tags_is_not_deny_all(tools: FakeTools) -> None:
    scenario = compliant()
    firewall(scenario, "hipaa-prod-deny-all-egress")["targetTags"] = ["dataproc"]
    violated(run(tools, scenario), GATE, "network hipaa-prod-vpc: no deny-all egress firewall rule to 0.0.0.0/0")


@pytest.mark.parametrize(
    ("answer", "how", "what"),
    [
        (f"project {SIEM_PROJECT}", "error", f"project {SIEM_PROJECT}"),
        ("perimeter", "empty", f"perimeter {PERIMETER}"),
        ("firewalls", "malformed", f"firewall rules of {PROJECT}"),
    ],
)
def test_tool_failure_empty_or_malformed_output_fails_closed(
    tools: FakeTools, answer: str, how: str, what: str
) -> None:
    scenario = compliant().break_answer(answer, how)
    failed_closed(run(tools, scenario), GATE, what, scenario.answers[answer].tool, how)


def test_a_project_without_a_number_fails(tools: FakeTools) -> None:
    scenario = compliant()
    del scenario[f"project {SECURITY_PROJECT}"]["projectNumber"]
    result = run(tools, scenario)
    failed(result, GATE)
    assert result.reason.endswith(f"project {SECURITY_PROJECT}: gcloud printed no projectNumber")


@pytest.mark.parametrize(
    "args",
    [
        ("prod", PROJECT, PERIMETER, SIEM_PROJECT),
        ("prod", PROJECT, "accessPolicies/x/servicePerimeters/p", SIEM_PROJECT, SECURITY_PROJECT),
        ("prod", PROJECT, PERIMETER, SIEM_PROJECT, PROJECT),
        ("staging", PROJECT, PERIMETER, SIEM_PROJECT, "nwh_security"),
    ],
)
def test_missing_or_malformed_arguments_exit_2(tools: FakeTools, args: tuple[str, ...]) -> None:
    usage_failed(tools.run(SCRIPT, *args), USAGE)
