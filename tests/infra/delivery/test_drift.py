"""DriftCheck: the daily drift trigger, its Cloud Scheduler job and the job's account; and rules DRF-01..05."""

from __future__ import annotations

import functools
from typing import Any

import pytest

from infra.delivery.drift import DRIFT_SCHEDULES, DriftCheck, DriftCheckArgs, drift_substitutions, run_uri
from infra.rules import Resource, evaluate
from infra.rules.delivery import DRIFT_FILE
from infra.rules.delivery import RULES as DELIVERY_RULES
from infra.rules.drift import DRIFT_SUBSTITUTION_KEYS, JOB, RULES
from pipeline.contract import DRIFT_CONFIG_NAME
from pipeline.drift_definition import DRIFT_SUBSTITUTION_KEYS as DECLARED
from tests.infra.delivery.builders import HASH, built_delivery, substitutions
from tests.infra.recording import changed, config_for, only, record

TRIGGER = "gcp:cloudbuild/trigger:Trigger"
ACCOUNT = "gcp:serviceaccount/account:Account"
PROJECT_MEMBER = "gcp:projects/iAMMember:IAMMember"
SA_MEMBER = "gcp:serviceaccount/iAMMember:IAMMember"


def build_account(environment: str) -> str:
    project = config_for(environment).project_id
    return f"projects/{project}/serviceAccounts/hipaa-{environment}-cloudbuild@{project}.iam.gserviceaccount.com"


def drift_args(environment: str, source_ref: str = "refs/heads/main") -> DriftCheckArgs:
    config = config_for(environment)
    return DriftCheckArgs(
        placement=config.placement,
        repo_owner=config.repo_owner,
        repo_name=config.repo_name,
        source_ref=source_ref,
        build_account_id=build_account(environment),
        substitutions=substitutions(environment),
        drift_hash=HASH,
    )


@functools.cache
def built_drift(environment: str, source_ref: str = "refs/heads/main") -> tuple[Resource, ...]:
    return tuple(record(lambda: DriftCheck("drift", drift_args(environment, source_ref))))


def planned(environment: str = "prod") -> list[Resource]:
    """The drift resources with the pipeline's own trigger and identities, as the platform plans them."""
    return [*built_delivery(environment), *built_drift(environment)]


def ids(resources: list[Resource], environment: str = "prod") -> set[str]:
    return {f.rule_id for f in evaluate(resources, environment, [*RULES, *DELIVERY_RULES])}


def drift_trigger(environment: str = "prod") -> Resource:
    return only(list(built_drift(environment)), TRIGGER)


def replaced(resources: list[Resource], new: Resource) -> list[Resource]:
    return [new if r.urn == new.urn else r for r in resources]


def test_the_rules_and_the_pipeline_agree_on_the_drift_build() -> None:
    assert DRIFT_FILE == DRIFT_CONFIG_NAME
    assert set(DECLARED) == DRIFT_SUBSTITUTION_KEYS


def test_every_stack_passes_the_drift_and_delivery_rules(stack: str) -> None:
    assert ids(planned(stack), stack) == set()


def test_the_trigger_builds_the_drift_file_at_the_recorded_ref_as_the_build_account() -> None:
    inputs = dict(drift_trigger().inputs)
    repository = "https://github.com/" + f"{config_for('prod').repo_owner}/{config_for('prod').repo_name}"
    assert inputs["gitFileSource"] == {
        "path": DRIFT_CONFIG_NAME,
        "uri": repository,
        "revision": "refs/heads/main",
        "repoType": "GITHUB",
    }
    assert inputs["sourceToBuild"] == {"uri": repository, "ref": "refs/heads/main", "repoType": "GITHUB"}
    assert inputs["serviceAccount"] == build_account("prod")
    assert set(inputs["substitutions"]) == DRIFT_SUBSTITUTION_KEYS
    assert "github" not in inputs and inputs["approvalConfig"] == {"approvalRequired": False}
    tagged = only(list(built_drift("prod", "refs/tags/v1.2.3")), TRIGGER).inputs
    assert tagged["sourceToBuild"]["ref"] == tagged["gitFileSource"]["revision"] == "refs/tags/v1.2.3"


def test_drift_build_logs_never_go_to_github() -> None:
    # The drift build's log lists resource URNs and diffs: it stays in the project's log bucket.
    assert drift_trigger().inputs["includeBuildLogs"] == "INCLUDE_BUILD_LOGS_UNSPECIFIED"


def test_drift_trigger_is_tagged_with_the_drift_files_hash() -> None:
    # Like the pipeline's trigger: one pointing at an older drift.cloudbuild.yaml shows as drift.
    assert drift_trigger().inputs["tags"] == ["hipaa", "prod", "drift", f"drift-{HASH[:16]}"]


def test_the_job_runs_the_trigger_daily_as_its_own_account() -> None:
    resources = list(built_drift("staging"))
    job = only(resources, JOB).inputs
    trigger_id = job["httpTarget"]["uri"].rsplit("/", 1)[1].removesuffix(":run")
    config = config_for("staging")
    assert job["httpTarget"]["uri"] == run_uri(config.project_id, config.region, trigger_id)
    assert job["schedule"] == DRIFT_SCHEDULES["staging"] and job["timeZone"] == "Etc/UTC"
    account = only(resources, ACCOUNT).inputs["accountId"]
    assert job["httpTarget"]["oauthToken"]["serviceAccountEmail"].startswith(f"{account}@")
    assert only(resources, PROJECT_MEMBER).inputs["role"] == "roles/cloudbuild.builds.editor"
    acts_as = only(resources, SA_MEMBER).inputs
    assert (acts_as["role"], acts_as["serviceAccountId"]) == ("roles/iam.serviceAccountUser", build_account("staging"))


def test_three_stacks_never_refresh_at_the_same_time() -> None:
    assert len(set(DRIFT_SCHEDULES.values())) == 3


def test_args_refuse_a_bad_hash_or_ref_and_substitutions_must_cover_the_drift_build() -> None:
    with pytest.raises(ValueError, match="not a sha256"):
        DriftCheckArgs(**{**drift_args("dev").__dict__, "drift_hash": "abc"})
    with pytest.raises(ValueError, match="not a full git ref"):
        DriftCheckArgs(**{**drift_args("dev").__dict__, "source_ref": "main"})
    with pytest.raises(ValueError, match="_SECURITY_PROJECT_ID"):
        drift_substitutions({"_ENVIRONMENT": "dev", "_ARTIFACT_REGISTRY": "a", "_DATAPROC_REGION": "r"})


@pytest.mark.parametrize(
    ("kind", "path", "value", "rule"),
    [
        (TRIGGER, "github", {"owner": "o", "name": "n", "push": {"branch": "^main$"}}, "DRF-02"),
        (TRIGGER, "sourceToBuild.ref", "refs/tags/v9.9.9", "DRF-02"),
        (TRIGGER, "sourceToBuild.ref", "refs/heads/feature", "DRF-02"),
        (TRIGGER, "substitutions._GKE_CLUSTER", "c", "DRF-02"),
        (TRIGGER, "substitutions._ENVIRONMENT", "dev", "DRF-02"),
        (TRIGGER, "disabled", True, "DRF-02"),
        (TRIGGER, "serviceAccount", "projects/p/serviceAccounts/other@p.iam.gserviceaccount.com", "DRF-03"),
        (JOB, "schedule", "0 */6 * * *", "DRF-04"),
        (JOB, "schedule", "0 6 * * 1", "DRF-04"),
        (JOB, "paused", True, "DRF-04"),
        (JOB, "httpTarget.oauthToken", None, "DRF-04"),
        (JOB, "httpTarget.httpMethod", "GET", "DRF-04"),
        (JOB, "httpTarget.uri", "https://cloudbuild.googleapis.com/v1/projects/x/locations/y/triggers/z:run", "DRF-01"),
    ],
)
def test_each_violation_is_caught(kind: str, path: str, value: Any, rule: str) -> None:
    resources = planned()
    original = only([r for r in resources if "DriftCheck" in r.urn], kind)
    assert rule in ids(replaced(resources, changed(original, path, value)))


def test_the_job_may_not_call_as_the_build_account_nor_hold_more_grants() -> None:
    resources = planned()
    job = only(resources, JOB)
    as_build = changed(job, "httpTarget.oauthToken.serviceAccountEmail", build_account("prod").rsplit("/", 1)[1])
    assert "DRF-05" in ids(replaced(resources, as_build))
    grant = only([r for r in resources if "DriftCheck" in r.urn], PROJECT_MEMBER)
    broader = Resource(grant.type, "extra", grant.urn + "-extra", {**grant.inputs, "role": "roles/owner"})
    assert "DRF-05" in ids([*resources, broader])


@pytest.mark.parametrize("count", [0, 2])
def test_exactly_one_drift_trigger_and_one_schedule(count: int) -> None:
    resources = planned()
    trigger = only([r for r in resources if "DriftCheck" in r.urn], TRIGGER)
    others = [r for r in resources if r.urn != trigger.urn]
    copies = [Resource(trigger.type, f"t{i}", f"{trigger.urn}-{i}", trigger.inputs) for i in range(count)]
    assert "DRF-01" in ids(others + copies)
    # The pipeline's own trigger is still counted alone: a drift trigger never satisfies DLV-07.
    assert "DLV-07" not in ids(others + copies)
