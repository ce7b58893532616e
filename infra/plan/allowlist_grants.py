"""The project-level IAM grants of an offline plan, with each member as the allow-list must name it.

Only grants on the environment project count: grants on the SIEM or security project are checked
there, and grants on single buckets, datasets, keys or secrets are not what the access-control gate
compares with the allow-list. Members the mock engine computed from a project number (service
agents) are mapped back to the pattern the allow-list uses for any number; a member this module
cannot classify stops the generator rather than being guessed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pulumi.runtime.rpc import UNKNOWN

from infra.config import PlatformConfig
from infra.plan.mocks import project_number
from infra.rules import Resource

IAM_MEMBER = "gcp:projects/iAMMember:IAMMember"
IAM_BINDING = "gcp:projects/iAMBinding:IAMBinding"
IAM_POLICY = "gcp:projects/iAMPolicy:IAMPolicy"
PROJECT_GRANT_TYPES = (IAM_MEMBER, IAM_BINDING, IAM_POLICY)

_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
_DOMAIN = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_ACCOUNT_ID = r"[a-z][a-z0-9-]{4,28}[a-z0-9]"


class AllowlistError(Exception):
    """The plan holds a grant the allow-list cannot express; the message names the resource."""


@dataclass(frozen=True)
class Grant:
    role: str
    member: str  # as planned (mock-engine values included)
    pattern: str  # as the allow-list names it
    source: str  # the Pulumi resource that grants it and its component


def _agent_shapes(number: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    """Google-managed accounts named after a project number, and their pattern for any number."""
    return (
        (
            re.compile(rf"^service-{number}@([a-z0-9-]+)\.iam\.gserviceaccount\.com$"),
            r"service-*@\1.iam.gserviceaccount.com",
        ),
        (re.compile(rf"^{number}@cloudservices\.gserviceaccount\.com$"), "*@cloudservices.gserviceaccount.com"),
        (re.compile(rf"^{number}-compute@developer\.gserviceaccount\.com$"), "*-compute@developer.gserviceaccount.com"),
        (re.compile(rf"^{number}@cloudbuild\.gserviceaccount\.com$"), "*@cloudbuild.gserviceaccount.com"),
    )


def member_pattern(member: object, config: PlatformConfig, where: str) -> str:
    """The allow-list form of one planned member; AllowlistError when it has none."""
    if not isinstance(member, str) or member in ("", UNKNOWN):
        raise AllowlistError(f"{where}: member is unknown in the offline plan; cannot derive an allow-list entry")
    kind, _, identity = member.partition(":")
    if (kind == "group" and _EMAIL.match(identity)) or (kind == "domain" and _DOMAIN.match(identity)):
        return member
    if kind == "user":
        raise AllowlistError(f"{where}: member {member} is a user; grant roles to a group (users stay empty)")
    if kind != "serviceAccount":
        raise AllowlistError(f"{where}: cannot classify member {member}")
    for shape, pattern in _agent_shapes(project_number(config.project_id)):
        if shape.match(identity):
            return f"serviceAccount:{shape.sub(pattern, identity)}"
    projects = (config.project_id, config.security_project_id, config.siem_project_id)
    for project in projects[1:]:
        if project_number(project) in identity:
            raise AllowlistError(
                f"{where}: member {member} is a Google-managed account of {project}; its number is unknown offline"
            )
    if any(re.fullmatch(rf"{_ACCOUNT_ID}@{re.escape(p)}\.iam\.gserviceaccount\.com", identity) for p in projects):
        return member
    raise AllowlistError(f"{where}: cannot classify member {member}")


def _component(resource: Resource) -> str:
    """The type of the component that registered a resource, from its URN's type chain."""
    chain = resource.urn.split("::")[2].split("$") if resource.urn.count("::") >= 3 else []
    return chain[-2] if len(chain) > 1 else "the stack"


def _pairs(resource: Resource) -> Iterator[tuple[object, object]]:
    """(role, member) of every grant a project IAM resource makes."""
    inputs = resource.inputs
    if resource.type == IAM_MEMBER:
        yield inputs.get("role"), inputs.get("member")
    elif resource.type == IAM_BINDING:
        members = inputs.get("members")
        if not isinstance(members, list) or not members:
            raise AllowlistError(f"{resource.name}: members are unknown in the offline plan")
        for member in members:
            yield inputs.get("role"), member
    else:
        try:
            policy = json.loads(str(inputs.get("policyData")))
            bindings = [(b["role"], m) for b in policy["bindings"] for m in b["members"]]
        except (ValueError, KeyError, TypeError):
            raise AllowlistError(f"{resource.name}: policyData is not a readable IAM policy") from None
        yield from bindings


def project_grants(resources: Iterable[Resource], config: PlatformConfig) -> list[Grant]:
    """Every (role, member) the plan grants on the environment project."""
    grants: list[Grant] = []
    for resource in resources:
        if resource.type not in PROJECT_GRANT_TYPES:
            continue
        project = resource.inputs.get("project")
        if not isinstance(project, str) or not project or project == UNKNOWN:
            raise AllowlistError(f"{resource.name}: project-level grant without a known project")
        if project != config.project_id:
            continue
        for role, member in _pairs(resource):
            if not isinstance(role, str) or not role.startswith(("roles/", "projects/", "organizations/")):
                raise AllowlistError(f"{resource.name}: role {role!r} is not a role name")
            pattern = member_pattern(member, config, resource.name)
            grants.append(Grant(role, str(member), pattern, f"{resource.name} ({_component(resource)})"))
    return grants
