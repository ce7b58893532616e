"""MrnHmacSecret: each test states one property of the MRN hashing key's secret and its one reader."""

from __future__ import annotations

import functools

from infra.naming import mrn_hmac_secret_id
from infra.rules import Resource
from tests.conftest import find, planned
from tests.infra.recording import config_for, only, protected_names
from tests.infra.security.builders import DATAPROC, SECRETS_KEY, build_mrn_hmac_secret, built_mrn_hmac_secret

SECRET = "gcp:secretmanager/secret:Secret"
SECRET_MEMBER = "gcp:secretmanager/secretIamMember:SecretIamMember"
SECRET_VERSION = "gcp:secretmanager/secretVersion:SecretVersion"


def secret(environment: str = "prod") -> Resource:
    return only(list(built_mrn_hmac_secret(environment)), SECRET)


def test_secret_is_named_by_the_naming_contract(stack: str) -> None:
    assert secret(stack).inputs["secretId"] == f"hipaa-{stack}-mrn-hmac-key"
    assert mrn_hmac_secret_id(config_for(stack)) == f"hipaa-{stack}-mrn-hmac-key"
    assert secret(stack).inputs["project"] == config_for(stack).project_id


def test_one_replica_in_the_platform_region_encrypted_with_the_secrets_key() -> None:
    assert secret().inputs["replication"] == {
        "userManaged": {
            "replicas": [{"location": "us-central1", "customerManagedEncryption": {"kmsKeyName": SECRETS_KEY}}]
        }
    }


def test_destroyed_versions_stay_recoverable_longest_in_prod() -> None:
    assert [secret(env).inputs["versionDestroyTtl"] for env in ("dev", "staging", "prod")] == [
        "86400s",
        "604800s",
        "2592000s",
    ]


def test_labels_carry_the_platform_labels_and_the_purpose() -> None:
    labels = secret().inputs["labels"]
    assert labels["compliance"] == "hipaa" and labels["environment"] == "prod"
    assert labels["secret-purpose"] == "mrn-hmac-key"


def test_protected_in_prod_and_destroyable_in_dev() -> None:
    assert protected_names(functools.partial(build_mrn_hmac_secret, "prod"))["mrn-hmac-secret"] is True
    assert protected_names(functools.partial(build_mrn_hmac_secret, "dev"))["mrn-hmac-secret"] is False
    assert secret("prod").inputs["deletionProtection"] is True
    assert secret("dev").inputs["deletionProtection"] is False


def test_only_the_dataproc_account_may_read_it_and_only_this_secret() -> None:
    grant = only(list(built_mrn_hmac_secret("prod")), SECRET_MEMBER)
    assert grant.inputs["role"] == "roles/secretmanager.secretAccessor"
    assert grant.inputs["member"] == DATAPROC
    assert grant.inputs["secretId"] == "hipaa-prod-mrn-hmac-key"


def test_no_secret_version_so_the_key_never_enters_state() -> None:
    assert [r for r in built_mrn_hmac_secret("prod") if r.type == SECRET_VERSION] == []


def test_the_platform_grants_the_secret_to_its_dataproc_account(stack: str) -> None:
    resources = planned(stack)
    secrets = [r for r in find(resources, SECRET) if r.inputs["secretId"] == f"hipaa-{stack}-mrn-hmac-key"]
    assert len(secrets) == 1
    grants = [r for r in find(resources, SECRET_MEMBER) if r.inputs["secretId"] == f"hipaa-{stack}-mrn-hmac-key"]
    assert [g.inputs["member"] for g in grants] == [
        f"serviceAccount:hipaa-{stack}-dataproc@{config_for(stack).project_id}.iam.gserviceaccount.com"
    ]
    assert (
        secrets[0]
        .inputs["replication"]["userManaged"]["replicas"][0]["customerManagedEncryption"]["kmsKeyName"]
        .endswith("/cryptoKeys/secrets-cmek")
    )
