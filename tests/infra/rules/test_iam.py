"""IAM rules over the whole stack: primitive roles, public principals, service account keys."""

from __future__ import annotations

import pytest

from infra.rules import Resource, evaluate
from infra.rules.iam import RULES


def grant(type_token: str, role: str, **members: object) -> Resource:
    return Resource(type_token, "g", f"urn:pulumi:prod::hipaa::{type_token}::g", {"role": role, **members})


def ids(resources: list[Resource]) -> set[str]:
    return {f.rule_id for f in evaluate(resources, "prod", RULES)}


@pytest.mark.parametrize(
    "type_token",
    [
        "gcp:projects/iAMMember:IAMMember",
        "gcp:projects/iAMBinding:IAMBinding",
        "gcp:storage/bucketIAMMember:BucketIAMMember",
        "gcp:bigquery/datasetIamMember:DatasetIamMember",
        "gcp:pubsub/topicIAMBinding:TopicIAMBinding",
    ],
)
@pytest.mark.parametrize("role", ["roles/owner", "roles/editor", "roles/viewer"])
def test_primitive_role_on_any_grant_fails(type_token: str, role: str) -> None:
    assert ids([grant(type_token, role, member="group:ops@example.com")]) == {"IAM-01"}


@pytest.mark.parametrize("member", ["allUsers", "allAuthenticatedUsers"])
def test_public_principal_fails_as_member_or_in_members(member: str) -> None:
    assert ids([grant("gcp:storage/bucketIAMMember:BucketIAMMember", "roles/storage.objectViewer", member=member)]) == {
        "IAM-02"
    }
    binding = grant("gcp:projects/iAMBinding:IAMBinding", "roles/logging.viewer", members=["group:a@x.com", member])
    assert ids([binding]) == {"IAM-02"}


def test_least_privilege_grant_passes() -> None:
    assert (
        ids([grant("gcp:projects/iAMMember:IAMMember", "roles/logging.logWriter", member="serviceAccount:a@b")])
        == set()
    )


def test_non_iam_resources_are_not_read_as_grants() -> None:
    bucket = Resource("gcp:storage/bucket:Bucket", "b", "urn:b", {"role": "roles/owner", "member": "allUsers"})
    assert ids([bucket]) == set()


def test_service_account_key_fails() -> None:
    key = Resource("gcp:serviceaccount/key:Key", "k", "urn:k", {"serviceAccountId": "sa"})
    assert ids([key]) == {"IAM-03"}
