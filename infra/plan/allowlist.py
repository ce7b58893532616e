"""The IAM allow-list of an environment (security/iam-allowlist/<env>.json), generated from its plan.

The list holds exactly what the program grants on the environment project, the roles Google grants
the service agents of the APIs the plan uses, the Google APIs Service Agent's Editor exception and
the stack's break-glass group. It is written by `python -m infra allowlist --stack <env>` (`make
allowlist`) and never edited by hand, so it cannot drift from the code that makes the grants.
Shape and matching rule: security/iam-allowlist/README.md (read by validate-access-controls.sh).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from infra.config import NAMESPACE, PlatformConfig, build_config
from infra.plan.allowlist_grants import AllowlistError, project_grants
from infra.plan.mockrun import PROJECT_ROOT, stack_config
from infra.plan.service_agents import agents_in_use
from infra.rules import Resource

__all__ = ["AllowlistError", "allowed", "allowlist_path", "build_allowlist", "check", "pattern_matches", "render"]

ALLOWLIST_DIR = PROJECT_ROOT / "security" / "iam-allowlist"
PRIMITIVE_ROLES = ("roles/owner", "roles/editor", "roles/viewer")
PUBLIC_MEMBERS = ("allUsers", "allAuthenticatedUsers")
GOOGLE_APIS_AGENT = "serviceAccount:*@cloudservices.gserviceaccount.com"
EDITOR_EXCEPTION_REASON = (
    "Google APIs Service Agent: Google grants it Editor on every project, and managed instance groups "
    "(GKE node pools, Dataproc workers) stop working without it"
)


def allowlist_path(stack: str) -> Path:
    return ALLOWLIST_DIR / f"{stack}.json"


def stack_platform_config(stack: str) -> PlatformConfig:
    """The validated config of a stack, read from its Pulumi.<stack>.yaml (ConfigError when invalid)."""
    prefix = f"{NAMESPACE}:"
    raw = {key[len(prefix) :]: value for key, value in stack_config(stack).items() if key.startswith(prefix)}
    return build_config(stack, raw)


def build_allowlist(resources: Iterable[Resource], config: PlatformConfig) -> dict[str, Any]:
    """The allow-list document: members sharing a role in one entry, everything sorted."""
    planned = list(resources)
    reasons: dict[str, dict[str, set[str]]] = {}
    for grant in project_grants(planned, config):
        reasons.setdefault(grant.role, {}).setdefault(grant.pattern, set()).add(f"Pulumi resource {grant.source}")
    for agent, users in agents_in_use(planned, config.project_id):
        reason = (
            f"Google grants it to the {agent.api} service agent; the plan uses the API ({', '.join(sorted(users))})"
        )
        reasons.setdefault(agent.role, {}).setdefault(agent.member, set()).add(reason)
    primitive = sorted(role for role in reasons if role in PRIMITIVE_ROLES)
    if primitive:
        raise AllowlistError(
            f"the plan grants the primitive role {primitive[0]}; only the break-glass group may hold it"
        )
    bindings = [
        {
            "role": role,
            "members": sorted(members),
            "reason": "; ".join(sorted(set().union(*members.values()))),
        }
        for role, members in sorted(reasons.items())
    ]
    return {
        "environment": config.environment,
        "description": (
            f"Who may hold which role on {config.project_id}; validate-access-controls.sh fails on any other "
            f"binding. Generated from the offline plan of Pulumi.{config.stack}.yaml by `make allowlist`; do "
            "not edit. Shape and rules: security/iam-allowlist/README.md."
        ),
        "break_glass_groups": [f"group:{config.break_glass_group}"],
        "users": [],
        "primitive_role_exceptions": [
            {"role": "roles/editor", "member": GOOGLE_APIS_AGENT, "reason": EDITOR_EXCEPTION_REASON}
        ],
        "bindings": bindings,
    }


def render(allowlist: Mapping[str, Any]) -> str:
    """Byte-stable JSON: key order is the document's, lists are sorted when built."""
    return json.dumps(allowlist, indent=2, ensure_ascii=True) + "\n"


def check(stack: str, generated: str) -> str | None:
    """None when the committed file equals the generated text, else the one-line reason."""
    path = allowlist_path(stack)
    shown = path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path
    if not path.is_file():
        return f"{shown}: missing; run make allowlist"
    if path.read_text(encoding="utf-8") != generated:
        return f"{shown}: differs from the allow-list generated from the plan; run make allowlist"
    return None


def pattern_matches(pattern: str, member: str) -> bool:
    """The README's rule: `*` matches a run of letters, digits, `.`, `_` and `-`, never `@` or `:`."""
    regex = "".join("[A-Za-z0-9._-]*" if part == "*" else re.escape(part) for part in re.split(r"(\*)", pattern))
    return re.fullmatch(regex, member) is not None


def allowed(allowlist: Mapping[str, Any], role: str, member: str) -> bool:
    """Whether validate-access-controls.sh lets a project binding (role, member) pass this list."""
    if member in PUBLIC_MEMBERS:
        return False
    if role in PRIMITIVE_ROLES:
        exceptions = allowlist.get("primitive_role_exceptions") or []
        return member in allowlist["break_glass_groups"] or any(
            e["role"] == role and pattern_matches(e["member"], member) for e in exceptions
        )
    if member.startswith("user:") and member not in allowlist["users"]:
        return False
    return any(
        entry["role"] == role and any(pattern_matches(pattern, member) for pattern in entry["members"])
        for entry in allowlist["bindings"]
    )
