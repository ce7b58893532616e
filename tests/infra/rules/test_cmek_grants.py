"""CMK-01: every key a planned resource names is held by the agent of the resource's own project."""

from __future__ import annotations

from infra.plan.mocks import planned_project_numbers, project_number
from infra.rules import Resource, evaluate
from infra.rules.cmek_grants import ENCRYPTED_BY, RULES, key_uses
from tests.conftest import planned
from tests.infra.recording import changed, config_for

BINDING = "gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding"
SIEM = config_for("prod").siem_project_id
LOGGING_KEY = "projects/nwh-analytics-prd/locations/us-central1/keyRings/hipaa-prod-keyring/cryptoKeys/logging-cmek"


def problems(resources: list[Resource] | tuple[Resource, ...], *, numbers: bool = True) -> list[str]:
    known = planned_project_numbers(r.inputs.get("project") for r in resources) if numbers else {}
    return [f.message for f in evaluate(resources, "prod", RULES, project_numbers=known)]


def with_members(resources: tuple[Resource, ...], key_suffix: str, members: list[str]) -> list[Resource]:
    """The plan with the binding of one key holding only `members`."""
    return [
        changed(r, "members", members) if r.type == BINDING and r.inputs["cryptoKeyId"].endswith(key_suffix) else r
        for r in resources
    ]


def logging_agent(project: str) -> str:
    return f"serviceAccount:service-{project_number(project)}@gcp-sa-logging.iam.gserviceaccount.com"


def test_every_stack_grants_each_key_to_the_agents_of_the_projects_using_it(stack: str) -> None:
    assert problems(planned(stack)) == []
    assert problems(planned(stack), numbers=False) == []


def test_every_key_use_in_the_plan_is_one_the_rule_knows(stack: str) -> None:
    uses = key_uses(planned(stack))
    assert {(u.resource.type, u.path) for u in uses} <= set(ENCRYPTED_BY)
    # The build-log bucket in the analytics project and the audit log bucket in the SIEM project.
    logging = sorted(u.project for u in uses if u.key.endswith("/logging-cmek"))
    assert len(logging) == 2
    assert logging[0] != logging[1]


def test_build_log_bucket_without_its_own_projects_logging_agent_fails() -> None:
    # Issue 16: only the SIEM project's Cloud Logging agent held the logging key.
    resources = with_members(planned("prod"), "/logging-cmek", [logging_agent(SIEM)])
    assert problems(resources) == [
        f"delivery-build-logs.cmekSettings.kmsKeyName: {logging_agent('nwh-analytics-prd')} "
        f"(project nwh-analytics-prd) does not hold {LOGGING_KEY}"
    ]
    # Without project numbers (a preview) two log buckets in two projects need two logging agents.
    assert len(problems(resources, numbers=False)) == 2


def test_an_agent_of_another_service_or_project_does_not_count() -> None:
    plan = planned("prod")
    storage = next(r for r in plan if r.type == BINDING and r.inputs["cryptoKeyId"].endswith("/storage-cmek"))
    members = list(storage.inputs["members"])
    wrong_project = [m.replace(project_number("nwh-analytics-prd"), project_number(SIEM)) for m in members]
    found = problems(with_members(plan, "/storage-cmek", wrong_project))
    assert found and all("gs-project-accounts" in p for p in found)
    pubsub_for_storage = [m.replace("gs-project-accounts", "gcp-sa-pubsub") for m in members]
    assert problems(with_members(plan, "/storage-cmek", pubsub_for_storage))


def test_dataproc_kerberos_key_needs_the_clusters_account_as_decrypter() -> None:
    plan = planned("prod")
    without = [r for r in plan if not r.name.endswith("kerberos-key-decrypter")]
    assert len(without) == len(plan) - 1
    assert [p for p in problems(without) if "kmsKeyUri" in p] == [
        "dataproc-cluster.clusterConfig.securityConfig.kerberosConfig.kmsKeyUri: the cluster's account "
        "hipaa-prod-dataproc@nwh-analytics-prd.iam.gserviceaccount.com may not decrypt with "
        "projects/nwh-analytics-prd/locations/us-central1/keyRings/hipaa-prod-keyring/cryptoKeys/secrets-cmek"
    ]


def test_a_key_in_a_field_the_rule_does_not_know_fails_closed() -> None:
    plan = list(planned("prod"))
    topic = next(i for i, r in enumerate(plan) if r.type == "gcp:pubsub/topic:Topic")
    plan[topic] = changed(plan[topic], "messageStoragePolicy.kmsKeyName", LOGGING_KEY)
    assert any("which service agent encrypts gcp:pubsub/topic:Topic" in p for p in problems(plan))


def test_a_resource_without_a_project_fails_closed() -> None:
    plan = list(planned("prod"))
    topic = next(i for i, r in enumerate(plan) if r.type == "gcp:pubsub/topic:Topic")
    plan[topic] = changed(plan[topic], "project", None)
    assert any("has no project, so its service agent is unknown" in p for p in problems(plan))
