"""scripts/validate-vpcsc-egress.sh: egress only to the SIEM and security projects, restricted services, no internet."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.scripts.fakes import FakeTools, Result
from tests.scripts.gcloud_fixtures import (
    PERIMETER,
    PROJECT,
    PROJECT_NUMBER,
    SECURITY_NUMBER,
    SECURITY_PROJECT,
    SIEM_NUMBER,
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

SCRIPT = "validate-vpcsc-egress.sh"
STEM = "validate-vpcsc-egress"
GATE = "vpcsc-egress"
USAGE = "validate-vpcsc-egress.sh ENV PROJECT_ID VPC_SC_PERIMETER SIEM_PROJECT_ID SECURITY_PROJECT_ID"
ARGS = (PROJECT, PERIMETER, SIEM_PROJECT, SECURITY_PROJECT)


def compliant() -> Scenario:
    scenario = Scenario()
    project_answers(
        scenario, (PROJECT, PROJECT_NUMBER), (SIEM_PROJECT, SIEM_NUMBER), (SECURITY_PROJECT, SECURITY_NUMBER)
    )
    scenario.add("perimeter", "gcloud", ["perimeters", "describe", PERIMETER], load(STEM, "perimeter"))
    scenario.add("networks", "gcloud", ["compute", "networks", "list", "--project", PROJECT], load(STEM, "networks"))
    scenario.add("routes", "gcloud", ["compute", "routes", "list", "--project", PROJECT], load(STEM, "routes"))
    scenario.add("firewalls", "gcloud", ["compute", "firewall-rules", "list"], load(STEM, "firewalls"))
    return scenario


def run(tools: FakeTools, scenario: Scenario, env: str = "prod") -> Result:
    scenario.install(tools)
    return tools.run(SCRIPT, env, *ARGS)


def egress(scenario: Scenario, index: int) -> dict[str, Any]:
    rule: dict[str, Any] = scenario["perimeter"]["status"]["egressPolicies"][index]
    return rule


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


def test_compliant_perimeter_and_network_pass(tools: FakeTools) -> None:
    evidence = passed(run(tools, compliant()), GATE)
    # perimeter 1 + membership 1 + 11 services, 2 egress rules + accessible services, 1 network, 2 routes, 4 rules
    assert evidence["checked"] == 23


def test_dev_judges_a_dry_run_perimeter_by_its_spec(tools: FakeTools) -> None:
    scenario = compliant()
    perimeter = scenario["perimeter"]
    perimeter["spec"], perimeter["useExplicitDryRunSpec"] = perimeter.pop("status"), True
    perimeter["spec"]["egressPolicies"][0]["egressTo"]["resources"] = ["*"]
    result = run(tools, scenario, env="dev")
    violated(result, GATE, "egress rule audit logs to the SIEM project: allows all resources (*)")
    assert "dry-run configuration only, tolerated in dev" in result.stderr


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
    s["firewalls"][0]["disabled"] = True
    s["firewalls"].append(
        {**s["firewalls"][1], "name": "hipaa-prod-allow-https-out", "destinationRanges": ["0.0.0.0/0"]}
    )


VIOLATIONS: dict[str, tuple[Callable[[Scenario], object], list[str]]] = {
    "dry-run-only-in-prod": (
        lambda s: s["perimeter"].update(spec=s["perimeter"].pop("status"), useExplicitDryRunSpec=True),
        [f"perimeter {PERIMETER}: dry-run configuration only, not enforced (tolerated in dev only)"],
    ),
    "egress-rules": (
        _wide_egress,
        [
            "egress rule audit logs to the SIEM project: allows all resources (*)",
            "egress rule deployment notifications to the security project: destination projects/555000111222 "
            "is neither the SIEM nor the security project",
            "egress rule deployment notifications to the security project: allows all services (*)",
            "egress rule #3: allows resources outside Google Cloud",
            "egress rule #3: allows ANY_IDENTITY instead of named identities",
        ],
    ),
    "accessible-services-unrestricted": (
        lambda s: s["perimeter"]["status"]["vpcAccessibleServices"].update(enableRestriction=False, allowedServices=[]),
        [f"perimeter {PERIMETER}: VPC accessible services are not restricted"],
    ),
    "accessible-service-outside-perimeter": (
        _open_accessible_services,
        [f"perimeter {PERIMETER}: VPC accessible service translate.googleapis.com is not a restricted service"],
    ),
    "internet-path": (
        _internet_path,
        [
            "network hipaa-prod-vpc: route default-route-0a1b2c3d4e5f6a7b sends 0.0.0.0/0 to the internet gateway",
            "network hipaa-prod-vpc: no deny-all egress firewall rule to 0.0.0.0/0",
            "firewall hipaa-prod-allow-https-out: allows egress to 0.0.0.0/0",
        ],
    ),
}


@pytest.mark.parametrize("family", VIOLATIONS)
def test_each_broken_rule_fails_naming_the_resource(tools: FakeTools, family: str) -> None:
    change, expected = VIOLATIONS[family]
    scenario = compliant()
    change(scenario)
    assert violated(run(tools, scenario), GATE, expected[0]) == expected


def test_a_deny_rule_scoped_to_tags_is_not_deny_all(tools: FakeTools) -> None:
    scenario = compliant()
    scenario["firewalls"][0]["targetTags"] = ["dataproc"]
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
