"""scripts/validate-access-controls.sh and the allow-lists it reads (security/iam-allowlist/)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.scripts.access_controls_fixtures import (
    ACCOUNTS,
    ALLOWLISTS,
    BUCKETS,
    DATASETS,
    GATE,
    SCRIPT,
    STEM,
    compliant,
    grant,
    run,
)
from tests.scripts.fakes import FakeTools
from tests.scripts.gcloud_fixtures import (
    PROJECT,
    PROJECT_NUMBER,
    Scenario,
    failed,
    failed_closed,
    load,
    passed,
    usage_failed,
    violated,
)
from tests.scripts.inventory_world import COUNTS, planned, scope

USAGE = "validate-access-controls.sh ENV PROJECT_ID ALLOWLIST_FILE"


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_compliant_project_passes_against_the_shipped_allowlist(tools: FakeTools, env: str) -> None:
    evidence = passed(run(tools, compliant(env), env=env), GATE)
    # 18 (role, member) grants (17 where no release approver), 8 service accounts (7 planned, the
    # drift scheduler's among them, and Google's default), 8 buckets (9 in prod: the Kerberos
    # password's), 7 datasets
    assert evidence["checked"] == {"dev": 40, "staging": 40, "prod": 42}[env]
    assert tools.called("gcloud", "iam", "service-accounts", "keys", "list", "--managed-by", "user")
    inventory = evidence["inventory"]
    assert {k: inventory[k] for k in COUNTS} == planned(env, GATE)
    # prod plans one bucket more, the Kerberos password's (its account reads it: 3 properties)
    expected = {"dev": (22, 31), "staging": (22, 31), "prod": (23, 34)}[env]
    assert (inventory["expected"], inventory["properties"]) == expected


def test_an_account_nobody_planned_fails_and_a_deleted_one_is_missing(tools: FakeTools) -> None:
    scenario = compliant()
    stray = f"etl-by-hand@{PROJECT}.iam.gserviceaccount.com"
    scenario["accounts"] = [a for a in scenario["accounts"] if a["email"] != ACCOUNTS[2]]
    scenario["accounts"].append({**scenario["accounts"][0], "email": stray})
    scenario.add(stray, "gcloud", ["service-accounts", "keys", "list", "--iam-account", stray], [])
    evidence = failed(run(tools, scenario), GATE)
    assert evidence["violations"] == [
        f"service account {ACCOUNTS[2]}: planned but not found",
        f"service account {stray}: not in the inventory (unmanaged)",
    ]


def test_a_bucket_whose_public_access_prevention_differs_from_the_plan_fails(tools: FakeTools) -> None:
    scenario = compliant()
    bucket = next(b for b in scenario["buckets"] if b["name"] == BUCKETS[0])
    bucket.update(public_access_prevention="inherited", uniform_bucket_level_access=False)
    assert failed(run(tools, scenario), GATE)["violations"] == [
        f"bucket {BUCKETS[0]}: public_access_prevention is inherited, the inventory expects enforced",
        f"bucket {BUCKETS[0]}: uniform_bucket_level_access is false, the inventory expects true",
    ]


def test_an_empty_bucket_listing_where_buckets_are_planned_is_a_tool_error(tools: FakeTools) -> None:
    scenario = compliant()
    scenario["buckets"] = []
    result = run(tools, scenario)
    failed(result, GATE)
    assert result.reason == f"{SCRIPT}: FAIL: buckets of {PROJECT}: listed nothing, but the inventory plans 9 bucket(s)"


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_shipped_allowlists_have_the_documented_shape(tools: FakeTools, env: str) -> None:
    # The shape is checked before any call; a valid file gets as far as asking gcloud.
    scenario = compliant(env).break_answer("iam", "error")
    result = run(tools, scenario, env=env)
    assert result.returncode == 1 and f"IAM policy of {scope(env)['project']}: gcloud failed (exit 1)" in result.reason


def _public(s: Scenario) -> None:
    grant(s, "roles/storage.objectViewer", "allUsers")
    s[BUCKETS[1]]["bindings"].append({"members": ["allAuthenticatedUsers"], "role": "roles/storage.objectViewer"})
    s[DATASETS[0]]["access"].append({"role": "READER", "specialGroup": "allAuthenticatedUsers"})
    s[DATASETS[1]]["access"].append({"iamMember": "allUsers", "role": "roles/bigquery.dataViewer"})


def _foreign_agent(s: Scenario) -> None:
    grant(s, "roles/bigquery.admin", "serviceAccount:hipaa-prod-dataproc@nwh-analytics-prd.iam.gserviceaccount.com")
    grant(s, "roles/container.serviceAgent", "serviceAccount:service-1@container-engine-robot.example.com")
    grant(s, "roles/dataproc.worker", "deleted:serviceAccount:old-etl@nwh-analytics-prd.iam.gserviceaccount.com?uid=1")


def _primitive(s: Scenario) -> None:
    grant(s, "roles/editor", "group:prod-data-engineers@northwind-health.example")
    grant(s, "roles/viewer", f"serviceAccount:{PROJECT_NUMBER}-compute@developer.gserviceaccount.com")
    grant(s, "roles/owner", f"serviceAccount:{PROJECT_NUMBER}@cloudservices.gserviceaccount.com")  # editor only


def _user_key(s: Scenario) -> None:
    s[ACCOUNTS[0]] = load(STEM, "user-managed-keys")


VIOLATIONS: dict[str, tuple[Callable[[Scenario], None], list[str]]] = {
    "public-members": (
        _public,
        [
            f"project {PROJECT}: roles/storage.objectViewer granted to allUsers",
            f"bucket {BUCKETS[1]}: roles/storage.objectViewer granted to allAuthenticatedUsers",
            f"dataset {DATASETS[0]}: READER granted to allAuthenticatedUsers",
            f"dataset {DATASETS[1]}: roles/bigquery.dataViewer granted to allUsers",
        ],
    ),
    "primitive-roles": (
        _primitive,
        [
            f"project {PROJECT}: primitive role roles/editor held by group:prod-data-engineers@northwind-health.example"
            " (only break-glass groups may)",
            f"project {PROJECT}: primitive role roles/viewer held by serviceAccount:{PROJECT_NUMBER}"
            "-compute@developer.gserviceaccount.com (only break-glass groups may)",
            f"project {PROJECT}: primitive role roles/owner held by serviceAccount:{PROJECT_NUMBER}"
            "@cloudservices.gserviceaccount.com (only break-glass groups may)",
        ],
    ),
    "individual-users": (
        lambda s: grant(s, "roles/bigquery.dataViewer", "user:analyst-7@northwind-health.example"),
        [f"project {PROJECT}: user user:analyst-7@northwind-health.example is not in the allow-list"],
    ),
    "bindings-outside-allowlist": (
        _foreign_agent,
        [
            f"project {PROJECT}: binding roles/bigquery.admin to serviceAccount:hipaa-prod-dataproc@{PROJECT}"
            ".iam.gserviceaccount.com is not in the allow-list",
            f"project {PROJECT}: binding roles/container.serviceAgent to "
            "serviceAccount:service-1@container-engine-robot.example.com is not in the allow-list",
            f"project {PROJECT}: binding roles/dataproc.worker to deleted:serviceAccount:old-etl@{PROJECT}"
            ".iam.gserviceaccount.com?uid=1 is not in the allow-list",
        ],
    ),
    "user-managed-keys": (_user_key, [f"service account {ACCOUNTS[0]}: 1 user-managed key(s)"]),
}


@pytest.mark.parametrize("family", VIOLATIONS)
def test_each_broken_rule_fails_naming_the_resource(tools: FakeTools, family: str) -> None:
    change, expected = VIOLATIONS[family]
    scenario = compliant()
    change(scenario)
    assert violated(run(tools, scenario), GATE, expected[0]) == expected


def test_a_dev_allowlist_may_name_users(tools: FakeTools, tmp_path: Path) -> None:
    allowlist = json.loads((ALLOWLISTS / "dev.json").read_text())
    allowlist["users"] = ["user:analyst-7@northwind-health.example"]
    allowlist["bindings"].append({"role": "roles/bigquery.dataViewer", "members": allowlist["users"], "reason": "t"})
    path = tmp_path / "dev.json"
    path.write_text(json.dumps(allowlist))
    scenario = compliant("dev")
    grant(scenario, "roles/bigquery.dataViewer", "user:analyst-7@northwind-health.example")
    passed(run(tools, scenario, path, env="dev"), GATE)


@pytest.mark.parametrize(
    ("answer", "how", "what"),
    [
        ("iam", "error", f"IAM policy of {PROJECT}"),
        (ACCOUNTS[1], "empty", f"keys of {ACCOUNTS[1]}"),
        (BUCKETS[0], "malformed", f"IAM policy of bucket {BUCKETS[0]}"),
    ],
)
def test_tool_failure_empty_or_malformed_output_fails_closed(
    tools: FakeTools, answer: str, how: str, what: str
) -> None:
    scenario = compliant().break_answer(answer, how)
    failed_closed(run(tools, scenario), GATE, what, scenario.answers[answer].tool, how)


BAD_ALLOWLISTS: dict[str, tuple[Callable[[dict[str, Any]], object], str]] = {
    "unknown-key": (lambda a: a.update(bindngs=[]), "unknown key bindngs"),
    "other-environment": (lambda a: a.update(environment="staging"), 'environment must be "prod"'),
    "users-in-prod": (
        lambda a: a.update(users=["user:analyst-7@northwind-health.example"]),
        "users must be empty in prod: humans get access through groups",
    ),
    "break-glass-user": (
        lambda a: a.update(break_glass_groups=["user:root@northwind-health.example"]),
        "break_glass_groups must be a list of group:EMAIL",
    ),
    "primitive-binding": (
        lambda a: a["bindings"].append({"role": "roles/owner", "members": ["group:x@example.com"], "reason": "r"}),
        "is a primitive role: use break_glass_groups",
    ),
    "exception-for-another-account": (
        lambda a: a["primitive_role_exceptions"][0].update(member="serviceAccount:etl@nwh.iam.gserviceaccount.com"),
        "primitive_role_exceptions may only hold roles/editor for the Google APIs Service Agent",
    ),
    "missing-reason": (lambda a: a["bindings"][0].pop("reason"), "bindings[0] must have role, members and reason"),
    "wildcard-user": (
        lambda a: a["bindings"][0].update(members=["user:*@northwind-health.example"]),
        "bindings[0].members: no wildcards in user members",
    ),
    "no-bindings": (lambda a: a.update(bindings=[]), "bindings must be a non-empty list"),
}


@pytest.mark.parametrize("case", BAD_ALLOWLISTS)
def test_malformed_allowlist_exits_2_naming_the_problem(tools: FakeTools, tmp_path: Path, case: str) -> None:
    change, problem = BAD_ALLOWLISTS[case]
    allowlist = json.loads((ALLOWLISTS / "prod.json").read_text())
    change(allowlist)
    path = tmp_path / "allowlist.json"
    path.write_text(json.dumps(allowlist))
    result = tools.run(SCRIPT, "prod", PROJECT, str(path))
    usage_failed(result, USAGE)
    assert f"ALLOWLIST_FILE='{path}': " in result.stderr and problem in result.stderr


@pytest.mark.parametrize("content", ["{not json", "[]"])
def test_allowlist_that_is_not_a_json_object_exits_2(tools: FakeTools, tmp_path: Path, content: str) -> None:
    path = tmp_path / "allowlist.json"
    path.write_text(content)
    usage_failed(tools.run(SCRIPT, "prod", PROJECT, str(path)), USAGE)


@pytest.mark.parametrize(
    "args",
    [("prod", PROJECT), ("uat", PROJECT, "security/iam-allowlist/prod.json"), ("prod", PROJECT, "no/such/file.json")],
)
def test_missing_or_malformed_arguments_exit_2(tools: FakeTools, args: tuple[str, ...]) -> None:
    usage_failed(tools.run(SCRIPT, *args), USAGE)
