"""Fixtures for the security components' tests and their rules' tests: args per environment, and each
component built alone under the mock engine (cached: a build is recorded once per environment)."""

from __future__ import annotations

import functools
from collections.abc import Sequence

import pulumi

from infra.naming import build_pool_path, log_bucket_path
from infra.rules import Resource
from infra.security.audit_logging import AuditLogging, AuditLoggingArgs
from infra.security.kms import KmsArgs
from infra.security.monitoring import Monitoring, MonitoringArgs
from infra.security.mrn_hmac_secret import MrnHmacSecret, MrnHmacSecretArgs
from infra.security.org_policies import OrgPolicies, OrgPoliciesArgs
from infra.security.perimeter import Perimeter, PerimeterArgs
from tests.infra.recording import config_for, record

LOGGING_KEY = "projects/{project}/locations/us-central1/keyRings/hipaa-{env}-keyring/cryptoKeys/logging-cmek"
PUBSUB_KEY = "projects/{project}/locations/us-central1/keyRings/hipaa-{env}-keyring/cryptoKeys/pubsub-cmek"
BUILD_ACCOUNT = "serviceAccount:hipaa-{env}-build@{project}.iam.gserviceaccount.com"
SECRETS_KEY = "projects/nwh-analytics-prd/locations/us-central1/keyRings/hipaa-prod-keyring/cryptoKeys/secrets-cmek"
DATAPROC = "serviceAccount:hipaa-prod-dataproc@nwh-analytics-prd.iam.gserviceaccount.com"
BUILD_SA = "serviceAccount:hipaa-build@nwh-analytics-prd.iam.gserviceaccount.com"


def logging_key(environment: str) -> str:
    return LOGGING_KEY.format(project=config_for(environment).project_id, env=environment)


def pubsub_key(environment: str) -> str:
    return PUBSUB_KEY.format(project=config_for(environment).project_id, env=environment)


def build_account(environment: str) -> str:
    return BUILD_ACCOUNT.format(project=config_for(environment).project_id, env=environment)


def kms_args(environment: str) -> KmsArgs:
    config = config_for(environment)
    return KmsArgs(
        placement=config.placement,
        security_project_id=config.security_project_id,
        siem_project_id=config.siem_project_id,
        rotation_period=config.rotation_period,
    )


def audit_logging_args(environment: str) -> AuditLoggingArgs:
    config = config_for(environment)
    return AuditLoggingArgs(
        placement=config.placement,
        siem_project_id=config.siem_project_id,
        log_retention_days=config.log_retention_days,
        logging_key_id=logging_key(environment),
    )


@functools.cache
def built_audit_logging(environment: str) -> tuple[Resource, ...]:
    args = audit_logging_args(environment)
    return tuple(record(lambda: AuditLogging("audit", args)))


def monitoring_args(environment: str) -> MonitoringArgs:
    config = config_for(environment)
    return MonitoringArgs(
        placement=config.placement,
        security_project_id=config.security_project_id,
        audit_log_bucket=log_bucket_path(config),
        pubsub_key_id=pubsub_key(environment),
        publishers=[build_account(environment)],
    )


@functools.cache
def built_monitoring(environment: str) -> tuple[Resource, ...]:
    args = monitoring_args(environment)
    return tuple(record(lambda: Monitoring("monitoring", args)))


def mrn_hmac_secret_args(environment: str) -> MrnHmacSecretArgs:
    return MrnHmacSecretArgs(placement=config_for(environment).placement, secrets_key_id=SECRETS_KEY, accessor=DATAPROC)


def build_mrn_hmac_secret(environment: str) -> None:
    MrnHmacSecret("mrn-hmac", mrn_hmac_secret_args(environment))


@functools.cache
def built_mrn_hmac_secret(environment: str) -> tuple[Resource, ...]:
    return tuple(record(functools.partial(build_mrn_hmac_secret, environment)))


def org_policies_args(environment: str) -> OrgPoliciesArgs:
    config = config_for(environment)
    return OrgPoliciesArgs(
        project_id=config.project_id, allowed_locations=config.allowed_locations, build_pool=build_pool_path(config)
    )


@functools.cache
def built_org_policies(environment: str) -> tuple[Resource, ...]:
    args = org_policies_args(environment)
    return tuple(record(lambda: OrgPolicies("org", args)))


def perimeter_args(environment: str, identities: Sequence[pulumi.Input[str]] | None = None) -> PerimeterArgs:
    config = config_for(environment)
    return PerimeterArgs(
        placement=config.placement,
        access_policy_id=config.access_policy_id,
        siem_project_id=config.siem_project_id,
        security_project_id=config.security_project_id,
        ingress_identities=[BUILD_SA] if identities is None else identities,
    )


@functools.cache
def built_perimeter(environment: str) -> tuple[Resource, ...]:
    args = perimeter_args(environment)
    return tuple(record(lambda: Perimeter("perimeter", args)))
