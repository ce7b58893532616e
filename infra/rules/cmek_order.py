"""Key grants come first: a resource encrypted with a key waits for the grant that lets it be.

CMK-01 finds who must hold each key; this rule asks whether the resource is created after that grant.
Pulumi creates resources in parallel unless one waits for another (depends_on, or an input taken from
the other's outputs), and Google refuses to create a CMEK resource whose encrypting agent does not
hold the key yet: a plan that misses the order is green offline and fails on the first `pulumi up`.
It reads the dependencies the engine records (newState.dependencies of `pulumi preview --json`); a
plan with key uses but no dependency at all cannot be judged and fails.
"""

from __future__ import annotations

from collections.abc import Mapping

from infra.rules import Context, Resource, Rule, dig
from infra.rules.cmek_grants import (
    CLUSTER_ACCOUNT,
    DECRYPTERS,
    ENCRYPTER_DECRYPTER,
    GRANTS,
    KeyUse,
    encrypted_by,
    key_uses,
)


def _waits_for(resource: Resource, by_urn: Mapping[str, Resource]) -> set[str]:
    """Every URN `resource` waits for, directly or through what it waits for."""
    seen: set[str] = set()
    pending = list(resource.dependencies)
    while pending:
        urn = pending.pop()
        if urn not in seen:
            seen.add(urn)
            pending.extend(by_urn[urn].dependencies if urn in by_urn else ())
    return seen


def _required_grants(use: KeyUse, template: str, context: Context) -> tuple[str, list[Resource]]:
    """(who must hold the key, the planned grants giving it to them) for one holder of `use`."""
    roles: tuple[str, ...]
    if template == CLUSTER_ACCOUNT:
        account = dig(use.resource.inputs, "clusterConfig.gceClusterConfig.serviceAccount")
        member, roles, exact = f"serviceAccount:{account}", DECRYPTERS, True
    elif (number := context.project_numbers.get(use.project)) is not None:
        member, roles, exact = "serviceAccount:" + template.format(n=number), (ENCRYPTER_DECRYPTER,), True
    else:
        member, roles, exact = "@" + template.split("@", 1)[1], (ENCRYPTER_DECRYPTER,), False
    grants = [
        grant
        for grant in context.resources
        if grant.type in GRANTS
        and grant.inputs.get("role") in roles
        and str(grant.inputs.get("cryptoKeyId")) == use.key
        and any(
            (str(m) == member) if exact else str(m).endswith(member)
            for m in grant.inputs.get("members") or [grant.inputs.get("member")]
        )
    ]
    return member, grants


def grants_come_first(context: Context) -> list[str]:
    uses = [u for u in key_uses(tuple(context.resources)) if encrypted_by(u)]
    if not uses:
        return []
    if not any(r.dependencies for r in context.resources):
        return ["the plan records no dependencies between resources, so the order of key grants is unknown"]
    by_urn = {r.urn: r for r in context.resources}
    problems: list[str] = []
    for use in uses:
        waited = _waits_for(use.resource, by_urn)
        for template in encrypted_by(use):
            member, grants = _required_grants(use, template, context)
            # No grant at all is CMK-01's finding; here only the order of an existing grant is judged.
            if grants and not any(g.urn in waited for g in grants):
                problems.append(
                    f"{use.resource.name}.{use.path}: does not wait for {grants[0].name}, the grant of {use.key} "
                    f"to {member}; Google refuses to create the resource if the grant is not in place yet"
                )
    return sorted(set(problems))


RULES = [
    Rule(
        "CMK-02",
        "45 CFR 164.312(a)(2)(iv)",
        "every resource that names a key waits (depends_on or through its inputs) for the grant of that key "
        "to whoever encrypts it, so the first `pulumi up` does not create it before the grant exists",
        stack_check=grants_come_first,
        scope=GRANTS,
    ),
]
