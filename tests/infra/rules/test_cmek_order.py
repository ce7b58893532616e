"""CMK-02: a resource that names a key is created only after the grant that lets its agent use it."""

from __future__ import annotations

import dataclasses

from infra.plan.mocks import planned_project_numbers, project_number
from infra.rules import Resource, evaluate
from infra.rules.cmek_order import RULES
from tests.conftest import planned

STORAGE_KEY_GRANT = "kms-storage-users"


def problems(resources: list[Resource] | tuple[Resource, ...], *, numbers: bool = True) -> list[str]:
    known = planned_project_numbers(r.inputs.get("project") for r in resources) if numbers else {}
    return [f.message for f in evaluate(resources, "prod", RULES, project_numbers=known)]


def without_dependencies(resources: tuple[Resource, ...], *names: str) -> list[Resource]:
    """The plan with the named resources waiting for nothing (a depends_on dropped, an input hard-coded)."""
    return [dataclasses.replace(r, dependencies=()) if r.name in names else r for r in resources]


def test_every_stack_creates_each_encrypted_resource_after_its_key_grant(stack: str) -> None:
    assert problems(planned(stack)) == []
    assert problems(planned(stack), numbers=False) == []


def test_the_plan_records_what_the_phi_bucket_waits_for() -> None:
    bucket = next(r for r in planned("prod") if r.name == "storage-phi-raw")
    assert {urn.rsplit("::", 1)[-1] for urn in bucket.dependencies} == {
        "storage-access-logs",
        "storage-access-logs-writer",
        "kms-storage",
        STORAGE_KEY_GRANT,
    }


def test_a_bucket_created_alongside_its_key_grant_fails() -> None:
    resources = without_dependencies(planned("prod"), "storage-phi-raw")
    agent = f"serviceAccount:service-{project_number('nwh-analytics-prd')}@gs-project-accounts.iam.gserviceaccount.com"
    [problem] = problems(resources)
    assert problem.startswith(f"storage-phi-raw.encryption.defaultKmsKeyName: does not wait for {STORAGE_KEY_GRANT}")
    assert f"to {agent};" in problem
    # Without project numbers (a real preview) the agent is known by its service's domain.
    [problem] = problems(resources, numbers=False)
    assert "to @gs-project-accounts.iam.gserviceaccount.com;" in problem


def test_waiting_through_another_resource_counts() -> None:
    """storage-phi-raw waits for the access-log bucket, which waits for the grant: that is enough."""
    plan = planned("prod")
    grant = next(r for r in plan if r.name == STORAGE_KEY_GRANT)
    key = next(r for r in plan if r.name == "kms-storage")
    resources = [
        dataclasses.replace(r, dependencies=tuple(d for d in r.dependencies if d not in {grant.urn, key.urn}))
        if r.name == "storage-phi-raw"
        else r
        for r in plan
    ]
    assert problems(resources) == []


def test_a_dataproc_cluster_waits_for_the_agents_and_its_accounts_grants() -> None:
    found = problems(without_dependencies(planned("prod"), "dataproc-cluster"))
    # The Compute Engine and Dataproc agents (disks), and the cluster's account (Kerberos password).
    assert [p.split(": does not wait for ")[1].split(",")[0] for p in found] == [
        "kms-compute-users",
        "kms-compute-users",
        "dataproc-support-kerberos-key-decrypter",
    ]
    assert "@dataproc-accounts.iam.gserviceaccount.com;" in found[1]


def test_a_missing_grant_is_left_to_cmk01() -> None:
    resources = [r for r in planned("prod") if r.name != STORAGE_KEY_GRANT]
    assert problems(without_dependencies(tuple(resources), "storage-phi-raw")) == []


def test_a_plan_without_any_dependency_cannot_be_judged() -> None:
    resources = [dataclasses.replace(r, dependencies=()) for r in planned("prod")]
    assert problems(resources) == [
        "the plan records no dependencies between resources, so the order of key grants is unknown"
    ]


def test_a_plan_without_key_uses_needs_no_dependencies() -> None:
    grants_only = [dataclasses.replace(r, dependencies=()) for r in planned("prod") if r.type.startswith("gcp:kms/")]
    assert problems(grants_only) == []
