"""Secret Manager rules: the component passes every rule; each rule fails on a violating resource."""

from __future__ import annotations

from typing import Any

import pytest

from infra.rules import Resource, evaluate
from infra.rules.secrets import RULES, SECRET
from tests.infra.recording import changed
from tests.infra.security.builders import built_mrn_hmac_secret

REPLICA = "replication.userManaged.replicas"
OTHER_KEY = "projects/nwh-analytics-prd/locations/us-east1/keyRings/hipaa-prod-keyring/cryptoKeys/secrets-cmek"


def ids(resources: list[Resource], environment: str = "prod") -> set[str]:
    return {f.rule_id for f in evaluate(resources, environment, RULES)}


def secret(environment: str = "prod") -> Resource:
    return next(r for r in built_mrn_hmac_secret(environment) if r.type == SECRET)


def replica(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = dict(secret().inputs["replication"]["userManaged"]["replicas"][0])
    base.update(changes)
    return base


def test_component_is_compliant_in_every_environment(stack: str) -> None:
    assert ids(list(built_mrn_hmac_secret(stack)), stack) == set()


@pytest.mark.parametrize(
    ("path", "value", "rules"),
    [
        (f"{REPLICA}.0.customerManagedEncryption", None, {"SEC-01"}),
        ("replication", {"auto": {}}, {"SEC-01", "SEC-02"}),
        ("replication", {"userManaged": {"replicas": []}}, {"SEC-01", "SEC-02"}),
        (
            REPLICA,
            [replica(), replica(location="us-east1", customerManagedEncryption={"kmsKeyName": OTHER_KEY})],
            {"SEC-02"},
        ),
        (f"{REPLICA}.0.location", "us", {"SEC-02"}),
        (f"{REPLICA}.0.location", "us-east1", {"SEC-02"}),
    ],
)
def test_violation_is_caught(path: str, value: Any, rules: set[str]) -> None:
    assert ids([changed(secret(), path, value)]) == rules


def test_unprotected_secret_fails_in_prod_only() -> None:
    unprotected = Resource(SECRET, "s", "urn:s", secret().inputs, protect=False)
    assert ids([unprotected]) == {"SEC-04"}
    assert ids([unprotected], "dev") == set()


@pytest.mark.parametrize("type_token", ["gcp:projects/iAMMember:IAMMember", "gcp:projects/iAMBinding:IAMBinding"])
def test_project_level_secret_accessor_fails(type_token: str) -> None:
    grant = Resource(
        type_token, "g", "urn:g", {"role": "roles/secretmanager.secretAccessor", "member": "serviceAccount:a@b"}
    )
    assert ids([grant]) == {"SEC-03"}


def test_secret_level_accessor_and_other_project_roles_pass() -> None:
    per_secret = next(
        r for r in built_mrn_hmac_secret("prod") if r.type == "gcp:secretmanager/secretIamMember:SecretIamMember"
    )
    project_role = Resource("gcp:projects/iAMMember:IAMMember", "g", "urn:g", {"role": "roles/dataproc.worker"})
    assert ids([per_secret, project_role]) == set()
