"""The policy pack runs the same rules as the tests and the offline plan, as mandatory policies."""

from __future__ import annotations

import os
import select
import subprocess
import sys
from collections.abc import Mapping
from typing import Any

import pytest
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from infra.plan.mockrun import PROJECT_ROOT
from infra.rules import Context, Resource, Rule, all_rules
from policypack.hipaa_policies import environment_of, policies, policy_for
from tests.conftest import planned

# Under pytest-timeout's 120 s: a pack that never prints its port fails with a reason.
PACK_START_SECONDS = 60

KEY = "gcp:kms/cryptoKey:CryptoKey"
URN = f"urn:pulumi:prod::hipaa::{KEY}::k"


def options(protect: bool = True) -> PolicyResourceOptions:
    return PolicyResourceOptions(protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])


class Violations(list[str]):
    """The report_violation callback: collects messages (the URN is not needed here)."""

    def __call__(self, message: str, urn: str | None = None) -> None:
        self.append(message)


def validate_resource(policy: ResourceValidationPolicy, resource: Resource) -> list[str]:
    found = Violations()
    args = ResourceValidationArgs(
        resource.type,
        unknown_checking_proxy(dict(resource.inputs)),
        resource.urn,
        resource.name,
        options(resource.protect),
        None,
    )
    policy.validate(args, found)
    return found


def validate_stack(policy: StackValidationPolicy, resources: tuple[Resource, ...]) -> list[str]:
    found = Violations()
    stack = [
        PolicyResource(
            r.type, unknown_checking_proxy(dict(r.inputs)), r.urn, r.name, options(r.protect), None, None, [], {}
        )
        for r in resources
    ]
    # As the engine hands them over: each resource's dependencies as the other resources themselves.
    by_urn = {p.urn: p for p in stack}
    for policy_resource, resource in zip(stack, resources, strict=True):
        policy_resource.dependencies = [by_urn[urn] for urn in resource.dependencies if urn in by_urn]
    policy.validate(StackValidationArgs(stack), found)
    return found


def key(**inputs: Any) -> Resource:
    base = {"purpose": "ENCRYPT_DECRYPT", "rotationPeriod": "7776000s", "versionTemplate": {"protectionLevel": "HSM"}}
    return Resource(KEY, "k", URN, {**base, **inputs}, True)


def by_name() -> Mapping[str, ResourceValidationPolicy | StackValidationPolicy]:
    return {p.name: p for p in policies()}


def test_every_rule_is_a_mandatory_policy_with_its_citation() -> None:
    pack = by_name()
    assert set(pack) == {rule.id.lower() for rule in all_rules()}
    for rule in all_rules():
        policy = pack[rule.id.lower()]
        assert policy.enforcement_level == EnforcementLevel.MANDATORY
        assert policy.description == rule.reason
        assert policy.framework is not None and policy.framework.reference == rule.citation
        expected = StackValidationPolicy if rule.stack_check is not None else ResourceValidationPolicy
        assert isinstance(policy, expected)


def test_resource_policy_reports_a_violation_with_rule_id_and_citation() -> None:
    policy = by_name()["kms-01"]
    assert isinstance(policy, ResourceValidationPolicy)
    assert validate_resource(policy, key(rotationPeriod="31536000s")) == [
        "KMS-01 (45 CFR 164.312(a)(2)(iv)): rotationPeriod 31536000s exceeds 7776000s (90 days)"
    ]
    assert validate_resource(policy, key()) == []


def test_resource_policy_uses_the_environment_of_the_stack() -> None:
    policy = by_name()["kms-02"]
    assert isinstance(policy, ResourceValidationPolicy)
    software = key(versionTemplate={"protectionLevel": "SOFTWARE"})
    assert len(validate_resource(policy, software)) == 1
    dev = Resource(KEY, "k", URN.replace(":prod::", ":dev::"), software.inputs, False)
    assert validate_resource(policy, dev) == []


def test_resource_policy_ignores_other_types() -> None:
    policy = by_name()["kms-01"]
    assert isinstance(policy, ResourceValidationPolicy)
    other = Resource("gcp:storage/bucket:Bucket", "b", URN, {"rotationPeriod": "999999999s"}, True)
    assert validate_resource(policy, other) == []


def test_unknown_value_is_not_a_pass() -> None:
    """A value the preview cannot know yet raises, so Pulumi reports the policy as not run."""
    policy = by_name()["kms-01"]
    assert isinstance(policy, ResourceValidationPolicy)
    with pytest.raises(UnknownValueError):
        validate_resource(policy, key(rotationPeriod=UNKNOWN_STRING_VALUE))


def test_stack_policy_reports_what_the_stack_rule_finds() -> None:
    def at_least_two_keys(context: Context) -> list[str]:
        count = len(context.of_type(KEY))
        return [] if count >= 2 else [f"{context.environment} has {count} key(s)"]

    policy = policy_for(Rule("TST-01", "45 CFR 164.312(b)", "two keys", stack_check=at_least_two_keys))
    assert isinstance(policy, StackValidationPolicy)
    assert validate_stack(policy, (key(),)) == ["TST-01 (45 CFR 164.312(b)): prod has 1 key(s)"]
    assert validate_stack(policy, (key(), key())) == []
    assert validate_stack(policy, ()) == ["TST-01 (45 CFR 164.312(b)): prod has 0 key(s)"]


@pytest.mark.parametrize(
    ("urn", "environment"),
    [(URN, "prod"), (URN.replace(":prod::", ":dev::"), "dev"), ("urn:pulumi:qa::hipaa::t::n", "prod"), ("x", "prod")],
)
def test_environment_comes_from_the_urn_and_unknown_stacks_get_prod(urn: str, environment: str) -> None:
    assert environment_of(urn) == environment


def test_every_stack_passes_every_policy(stack: str) -> None:
    """The plan the tests check is the plan the pack passes: one rule set, run in both places."""
    resources = planned(stack)
    found: list[str] = []
    for policy in policies():
        if isinstance(policy, StackValidationPolicy):
            found += validate_stack(policy, resources)
        else:
            for resource in resources:
                found += validate_resource(policy, resource)
    assert found == []


def test_the_pack_starts_and_serves_its_policies() -> None:
    """What the Pulumi CLI does: run the directory and read the port the analyzer listens on.

    pulumi_policy writes the port without a flush; the CLI's pulumi-analyzer-policy-python runs the
    pack as `python -u`, so this does too, with the caller's PYTHONUNBUFFERED removed (the pipeline's
    step has none): a pack whose port stays in a buffer fails here, not only in the build."""
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    process = subprocess.Popen(
        [sys.executable, "-u", str(PROJECT_ROOT / "policypack")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], PACK_START_SECONDS)
        assert ready, f"the pack printed no port within {PACK_START_SECONDS}s"
        port = process.stdout.readline().strip()
        assert port.isdigit() and 0 < int(port) < 65536, process.stderr.read() if process.stderr else ""
    finally:
        process.kill()
        process.wait(timeout=10)
