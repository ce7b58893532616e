"""The IAM allow-lists are generated from each stack's plan and cover every project grant in it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pulumi.output import Unknown
from pulumi.runtime.rpc import UNKNOWN

import infra.__main__ as cli
from infra.config import ConfigError, build_config
from infra.plan import allowlist
from infra.plan.allowlist import AllowlistError, allowed, build_allowlist, pattern_matches, render
from infra.plan.allowlist_grants import IAM_BINDING, IAM_MEMBER, IAM_POLICY, project_grants
from infra.plan.mocks import project_number
from infra.plan.service_agents import SERVICE, SERVICE_AGENTS
from infra.rules import Resource
from tests.conftest import planned
from tests.infra.recording import config_for, raw
from tests.scripts.access_controls_fixtures import GATE, compliant
from tests.scripts.access_controls_fixtures import run as run_gate
from tests.scripts.fakes import FakeTools
from tests.scripts.gcloud_fixtures import PROJECT, PROJECT_NUMBER, passed

CONFIG = config_for("prod")
NUMBER = project_number(CONFIG.project_id)
AGENT_ROLES = {agent.role for agent in SERVICE_AGENTS}


def generated(stack: str) -> dict[str, Any]:
    return build_allowlist(planned(stack), config_for(stack))


def resource(type_token: str, name: str = "grant", **inputs: Any) -> Resource:
    urn = f"urn:pulumi:prod::hipaa::hipaa:platform:HipaaPlatform$hipaa:test:Widget${type_token}::{name}"
    return Resource(type=type_token, name=name, urn=urn, inputs={"project": CONFIG.project_id, **inputs})


def member(value: object, name: str = "grant") -> Resource:
    return resource(IAM_MEMBER, name, role="roles/logging.viewer", member=value)


@pytest.mark.parametrize("stack_name", ["dev", "staging", "prod"])
def test_committed_allowlist_is_the_generated_one(stack_name: str) -> None:
    committed = (allowlist.ALLOWLIST_DIR / f"{stack_name}.json").read_text(encoding="utf-8")
    assert committed == render(generated(stack_name)), "run make allowlist"


def test_every_project_grant_of_the_plan_is_allowed(stack: str) -> None:
    listed = generated(stack)
    grants = project_grants(planned(stack), config_for(stack))
    assert len(grants) >= 40
    assert [g for g in grants if not allowed(listed, g.role, g.member)] == []


def test_names_the_real_pipeline_accounts_not_invented_ones() -> None:
    members = {m for entry in generated("prod")["bindings"] for m in entry["members"]}
    domain = "nwh-analytics-prd.iam.gserviceaccount.com"
    assert f"serviceAccount:hipaa-prod-cloudbuild@{domain}" in members
    assert f"serviceAccount:hipaa-prod-deployer@{domain}" in members
    assert not any("hipaa-prod-build@" in m for m in members)


def test_grants_elsewhere_are_left_out() -> None:
    resources = planned("prod")
    siem = [r for r in resources if r.type == IAM_MEMBER and r.inputs["project"] == CONFIG.siem_project_id]
    on_keys = {r.inputs["role"] for r in resources if r.type == "gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding"}
    assert {r.inputs["role"] for r in siem} >= {"roles/logging.bucketWriter"} and on_keys
    roles = {entry["role"] for entry in generated("prod")["bindings"]}
    assert "roles/logging.bucketWriter" not in roles
    assert not on_keys & roles


def test_members_sharing_a_role_are_one_entry_and_everything_is_sorted() -> None:
    bindings = generated("prod")["bindings"]
    assert [b["role"] for b in bindings] == sorted({b["role"] for b in bindings})
    assert all(b["members"] == sorted(set(b["members"])) for b in bindings)
    log_writer = next(b for b in bindings if b["role"] == "roles/logging.logWriter")
    assert [m.split("@")[0] for m in log_writer["members"]] == [
        "serviceAccount:hipaa-prod-cloudbuild",
        "serviceAccount:hipaa-prod-gke-nodes",
        "serviceAccount:hipaa-prod-workbench",
    ]


def test_each_reason_names_what_grants_it() -> None:
    bindings = {b["role"]: b["reason"] for b in generated("prod")["bindings"]}
    assert bindings["roles/cloudbuild.builds.approver"] == (
        "Pulumi resource delivery-iam-approvers (hipaa:delivery:DeliveryIdentities)"
    )
    assert "gke-nodes-logging-logWriter (hipaa:compute:Gke)" in bindings["roles/logging.logWriter"]
    assert "gcp:container/cluster:Cluster" in bindings["roles/container.serviceAgent"]
    assert len(set(bindings.values())) > len(bindings) * 0.9


def test_service_agents_of_the_apis_the_plan_uses() -> None:
    entries = {b["role"]: b["members"] for b in generated("prod")["bindings"] if b["role"] in AGENT_ROLES}
    assert len(entries) == 12
    assert entries["roles/container.serviceAgent"] == [
        "serviceAccount:service-*@container-engine-robot.iam.gserviceaccount.com"
    ]
    assert entries["roles/dataproc.serviceAgent"] == [
        "serviceAccount:service-*@dataproc-accounts.iam.gserviceaccount.com"
    ]


def test_only_used_apis_bring_their_agent() -> None:
    plan = [
        resource("gcp:container/cluster:Cluster", "gke"),
        resource(SERVICE, "enable-pubsub", service="pubsub.googleapis.com"),
        resource(SERVICE, "enable-secrets", service="secretmanager.googleapis.com"),  # no project role
        resource("gcp:dataproc/cluster:Cluster", "elsewhere", project=CONFIG.siem_project_id),
        member(f"group:{CONFIG.security_group}"),
    ]
    roles = [b["role"] for b in build_allowlist(plan, CONFIG)["bindings"]]
    assert roles == ["roles/container.serviceAgent", "roles/logging.viewer", "roles/pubsub.serviceAgent"]


def test_break_glass_editor_exception_and_no_users() -> None:
    document = generated("prod")
    assert document["break_glass_groups"] == ["group:prod-break-glass@northwind-health.example"]
    assert document["users"] == []
    assert [(e["role"], e["member"]) for e in document["primitive_role_exceptions"]] == [
        ("roles/editor", "serviceAccount:*@cloudservices.gserviceaccount.com")
    ]


def test_break_glass_groups_differ_per_stack() -> None:
    groups = {build_config(s, raw(s)).break_glass_group for s in ("dev", "staging", "prod")}
    assert len(groups) == 3


def test_break_glass_group_must_be_a_group_email() -> None:
    values = {**raw("prod"), "breakGlassGroup": "group:root"}
    with pytest.raises(ConfigError, match=r"hipaa:breakGlassGroup=group:root is not a valid group email"):
        build_config("prod", values)


@pytest.mark.parametrize(
    ("planned_member", "pattern"),
    [
        (
            f"serviceAccount:service-{NUMBER}@gcp-sa-logging.iam.gserviceaccount.com",
            "serviceAccount:service-*@gcp-sa-logging.iam.gserviceaccount.com",
        ),
        (f"serviceAccount:{NUMBER}@cloudbuild.gserviceaccount.com", "serviceAccount:*@cloudbuild.gserviceaccount.com"),
        (
            f"serviceAccount:{NUMBER}-compute@developer.gserviceaccount.com",
            "serviceAccount:*-compute@developer.gserviceaccount.com",
        ),
        (
            f"serviceAccount:etl-runner@{CONFIG.security_project_id}.iam.gserviceaccount.com",
            f"serviceAccount:etl-runner@{CONFIG.security_project_id}.iam.gserviceaccount.com",
        ),
        ("domain:northwind-health.example", "domain:northwind-health.example"),
    ],
)
def test_mocked_members_map_back_to_patterns(planned_member: str, pattern: str) -> None:
    bindings = build_allowlist([member(planned_member)], CONFIG)["bindings"]
    assert bindings[0]["members"] == [pattern]
    assert allowed({**build_allowlist([member(planned_member)], CONFIG)}, "roles/logging.viewer", planned_member)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (Unknown(), "member is unknown in the offline plan"),  # type: ignore[no-untyped-call]
        (UNKNOWN, "member is unknown in the offline plan"),
        ("user:alice@northwind-health.example", "is a user; grant roles to a group"),
        ("principalSet://iam.googleapis.com/locations/global/workforcePools/p/*", "cannot classify member"),
        ("serviceAccount:etl@mock-project.iam.gserviceaccount.com", "cannot classify member"),
        (
            f"serviceAccount:service-{project_number(CONFIG.siem_project_id)}@gcp-sa-logging.iam.gserviceaccount.com",
            f"is a Google-managed account of {CONFIG.siem_project_id}; its number is unknown offline",
        ),
    ],
)
def test_a_member_it_cannot_classify_stops_the_generator(value: object, problem: str) -> None:
    with pytest.raises(AllowlistError, match=r"^odd-grant: ") as error:
        build_allowlist([member(value, "odd-grant")], CONFIG)
    assert problem in str(error.value)


def test_bindings_and_policies_are_read_too() -> None:
    policy = {"bindings": [{"role": "roles/dns.reader", "members": [f"group:{CONFIG.engineer_group}"]}]}
    plan = [
        resource(IAM_BINDING, "binding", role="roles/viewer.other", members=[f"group:{CONFIG.analyst_group}"]),
        resource(IAM_POLICY, "policy", policyData=json.dumps(policy)),
    ]
    grants = [(g.role, g.member, g.source) for g in project_grants(plan, CONFIG)]
    assert grants == [
        ("roles/viewer.other", f"group:{CONFIG.analyst_group}", "binding (hipaa:test:Widget)"),
        ("roles/dns.reader", f"group:{CONFIG.engineer_group}", "policy (hipaa:test:Widget)"),
    ]
    with pytest.raises(AllowlistError, match=r"^bad: policyData is not a readable IAM policy"):
        project_grants([resource(IAM_POLICY, "bad", policyData="{")], CONFIG)


def test_a_planned_primitive_role_is_refused() -> None:
    plan = [resource(IAM_MEMBER, role="roles/editor", member=f"group:{CONFIG.engineer_group}")]
    with pytest.raises(AllowlistError, match="primitive role roles/editor"):
        build_allowlist(plan, CONFIG)


@pytest.mark.parametrize(
    ("pattern", "candidate", "matches"),
    [
        (
            "serviceAccount:service-*@gcp-sa-pubsub.iam.gserviceaccount.com",
            f"serviceAccount:service-{NUMBER}@gcp-sa-pubsub.iam.gserviceaccount.com",
            True,
        ),
        (
            "serviceAccount:service-*@gcp-sa-pubsub.iam.gserviceaccount.com",
            "serviceAccount:service-1@x.com@gcp-sa-pubsub.iam.gserviceaccount.com",
            False,
        ),
        (
            "serviceAccount:service-*@gcp-sa-pubsub.iam.gserviceaccount.com",
            "serviceAccount:service-1@gcp-sa-pubsubXiam.gserviceaccount.com",
            False,
        ),
        ("serviceAccount:*@cloudservices.gserviceaccount.com", "user:*@cloudservices.gserviceaccount.com", False),
        ("group:a@b.example", "group:a@b.example.evil", False),
    ],
)
def test_pattern_rule_of_the_readme(pattern: str, candidate: str, matches: bool) -> None:
    assert pattern_matches(pattern, candidate) is matches


def test_allowed_follows_the_gate() -> None:
    listed = generated("prod")
    cloudservices = f"serviceAccount:{PROJECT_NUMBER}@cloudservices.gserviceaccount.com"
    assert allowed(listed, "roles/owner", "group:prod-break-glass@northwind-health.example")
    assert allowed(listed, "roles/editor", cloudservices)
    assert not allowed(listed, "roles/owner", cloudservices)
    assert not allowed(listed, "roles/logging.logWriter", "allUsers")
    assert not allowed(listed, "roles/logging.logWriter", "user:alice@northwind-health.example")
    assert not allowed(
        listed, "roles/storage.admin", "serviceAccount:hipaa-prod-cloudbuild@nwh-analytics-prd.iam.gserviceaccount.com"
    )


def policy_from_plan() -> tuple[dict[str, Any], int]:
    """The IAM policy a project deployed from the prod plan has: its grants, Google's agents, break glass."""
    listed = generated("prod")
    pairs = {(g.role, g.member.replace(NUMBER, PROJECT_NUMBER)) for g in project_grants(planned("prod"), CONFIG)}
    for entry in listed["bindings"]:
        if entry["role"] in AGENT_ROLES:
            pairs.add((entry["role"], entry["members"][0].replace("*", PROJECT_NUMBER)))
    pairs.add(("roles/editor", f"serviceAccount:{PROJECT_NUMBER}@cloudservices.gserviceaccount.com"))
    pairs.add(("roles/owner", listed["break_glass_groups"][0]))
    roles = sorted({role for role, _ in pairs})
    bindings = [{"role": role, "members": sorted(m for r, m in pairs if r == role)} for role in roles]
    return {"bindings": bindings, "etag": "BwYkQ3v1x2E=", "version": 1}, len(pairs)


def test_validate_access_controls_accepts_the_generated_list(tmp_path: Path) -> None:
    assert CONFIG.project_id == PROJECT
    path = tmp_path / "prod.json"
    path.write_text(render(generated("prod")), encoding="utf-8")
    policy, grants = policy_from_plan()
    scenario = compliant()
    scenario["iam"].clear()
    scenario["iam"].update(policy)
    evidence = passed(run_gate(FakeTools(tmp_path / "tools"), scenario, path), GATE)
    # every grant, every account, bucket and dataset the committed inventory expects, and Google's
    # default Compute Engine account (listed and checked, not unmanaged: access_controls_fixtures)
    assert evidence["inventory"]["expected"] == evidence["inventory"]["found"] > 0
    assert evidence["checked"] == grants + evidence["inventory"]["expected"] + 1


@pytest.fixture
def cli_on_shared_plans(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The CLI over the session's plans, writing to a scratch allow-list directory."""
    monkeypatch.setattr(cli, "planned_resources", lambda stack: list(planned(stack)))
    monkeypatch.setattr(allowlist, "ALLOWLIST_DIR", tmp_path)
    return tmp_path


def test_check_passes_on_a_fresh_file_and_detects_drift(
    cli_on_shared_plans: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["allowlist", "--stack", "dev"]) == 0
    assert cli.main(["allowlist", "--stack", "dev", "--check"]) == 0
    path = cli_on_shared_plans / "dev.json"
    edited = json.loads(path.read_text())
    edited["bindings"][0]["members"].append("group:someone@northwind-health.example")
    path.write_text(render(edited))
    capsys.readouterr()
    assert cli.main(["allowlist", "--stack", "dev", "--check"]) == 1
    error = capsys.readouterr().err
    assert error == f"{path}: differs from the allow-list generated from the plan; run make allowlist\n"


def test_check_fails_on_a_missing_file(cli_on_shared_plans: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["allowlist", "--stack", "staging", "--check"]) == 1
    assert capsys.readouterr().err == f"{cli_on_shared_plans / 'staging.json'}: missing; run make allowlist\n"


@pytest.mark.parametrize("argv", [["allowlist"], ["allowlist", "--stack", "qa"], ["allowlist", "--stack", "dev", "-x"]])
def test_bad_arguments_exit_2(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main(argv)
    assert stop.value.code == 2
