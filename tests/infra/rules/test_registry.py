"""Registry rules: the component passes every rule; each rule fails on a violating resource."""

from __future__ import annotations

from typing import Any

import pytest

from infra.rules import Resource, evaluate
from infra.rules.registry import ATTESTOR, POLICY, REPOSITORY, RULES, VPCSC_CONFIG
from tests.infra.delivery.builders import built_registry
from tests.infra.recording import changed


def ids(resources: list[Resource], environment: str = "prod") -> set[str]:
    return {f.rule_id for f in evaluate(resources, environment, RULES)}


def images() -> Resource:
    return next(r for r in built_registry() if r.type == REPOSITORY and r.inputs["mode"] == "STANDARD_REPOSITORY")


def component(kind: str) -> Resource:
    return next(r for r in built_registry() if r.type == kind)


def test_component_is_compliant() -> None:
    assert ids(list(built_registry())) == set()


@pytest.mark.parametrize(
    ("path", "value", "rule"),
    [
        ("kmsKeyName", None, "REG-01"),
        ("dockerConfig.immutableTags", False, "REG-02"),
        ("dockerConfig", None, "REG-02"),
        ("cleanupPolicyDryRun", True, "REG-03"),
        ("cleanupPolicies", None, "REG-03"),
    ],
)
def test_repository_violation_is_caught(path: str, value: Any, rule: str) -> None:
    assert ids([changed(images(), path, value)]) == {rule}


def mirrors() -> list[Resource]:
    return [r for r in built_registry() if r.type == REPOSITORY and r.inputs["mode"] == "REMOTE_REPOSITORY"]


def test_remote_mirror_needs_cmek_but_not_immutable_tags() -> None:
    mirror, vpcsc = mirrors()[0], component(VPCSC_CONFIG)
    assert ids([mirror, vpcsc]) == set()
    assert ids([changed(mirror, "kmsKeyName", None), vpcsc]) == {"REG-01"}
    assert ids([changed(mirror, "dockerConfig", None), vpcsc]) == set()


@pytest.mark.parametrize(("path", "value"), [("cleanupPolicies", None), ("cleanupPolicyDryRun", True)])
def test_every_remote_mirror_needs_an_enforced_cleanup_policy(path: str, value: Any) -> None:
    assert len(mirrors()) == 4
    for mirror in mirrors():
        assert ids([changed(mirror, path, value), component(VPCSC_CONFIG)]) == {"REG-03"}


@pytest.mark.parametrize(
    "vpcsc",
    [
        None,
        ("vpcscPolicy", "DENY"),
        ("vpcscPolicy", None),
        ("location", "us-east1"),
        ("project", "nwh-analytics-stg"),
    ],
)
def test_every_remote_mirror_needs_an_allow_vpcsc_config_in_its_location(vpcsc: tuple[str, Any] | None) -> None:
    others = [r for r in built_registry() if r.type != VPCSC_CONFIG]
    configs = [] if vpcsc is None else [changed(component(VPCSC_CONFIG), *vpcsc)]
    findings = evaluate(others + configs, "prod", RULES)
    assert {f.rule_id for f in findings} == {"REG-06"}
    assert sorted(f.message.split(": ")[0] for f in findings) == sorted(m.urn for m in mirrors())


def test_our_own_repository_needs_no_vpcsc_config() -> None:
    assert ids([images()]) == set()


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("defaultAdmissionRule.evaluationMode", "ALWAYS_ALLOW"),
        ("defaultAdmissionRule.enforcementMode", "DRYRUN_AUDIT_LOG_ONLY"),
        ("defaultAdmissionRule.requireAttestationsBies", []),
        ("admissionWhitelistPatterns", [{"namePattern": "*"}]),
        ("admissionWhitelistPatterns", [{"namePattern": "docker.io/**"}]),
    ],
)
def test_policy_violation_is_caught(path: str, value: Any) -> None:
    assert ids([changed(component(POLICY), path, value)]) == {"REG-04"}


def test_narrow_allowlist_is_accepted() -> None:
    pattern = [{"namePattern": "us-central1-docker.pkg.dev/p/hipaa-prod-images/base/**"}]
    assert ids([changed(component(POLICY), "admissionWhitelistPatterns", pattern)]) == set()


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("attestationAuthorityNote.publicKeys", []),
        ("attestationAuthorityNote.publicKeys.0.id", "pgp-key"),
        ("attestationAuthorityNote.publicKeys.0.pkixPublicKey.publicKeyPem", None),
    ],
)
def test_attestor_violation_is_caught(path: str, value: Any) -> None:
    assert ids([changed(component(ATTESTOR), path, value)]) == {"REG-05"}
