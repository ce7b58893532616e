"""Rules for Secret Manager: CMEK on every replica, replicas pinned to one region, per-secret readers."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from infra.rules import Context, Resource, Rule, dig

SECRET = "gcp:secretmanager/secret:Secret"
ACCESSOR_ROLE = "roles/secretmanager.secretAccessor"
# Project-wide grants: a secretAccessor here reads every secret of the project, present and future.
PROJECT_GRANTS = (
    "gcp:projects/iAMMember:IAMMember",
    "gcp:projects/iAMBinding:IAMBinding",
)
_REGION = re.compile(r"^[a-z]+-[a-z]+[0-9]+$")
_KEY_LOCATION = re.compile(r"^projects/[^/]+/locations/([^/]+)/keyRings/[^/]+/cryptoKeys/[^/]+$")


def _replicas(resource: Resource) -> list[Mapping[str, Any]]:
    """The user-managed replicas; the policy SDK hands lists and dicts over as read-only wrappers."""
    replicas = dig(resource.inputs, "replication.userManaged.replicas")
    if not isinstance(replicas, Sequence) or isinstance(replicas, str):
        return []
    return [replica if isinstance(replica, Mapping) else {} for replica in replicas]


def replicas_cmek(resource: Resource, _: Context) -> str | None:
    if dig(resource.inputs, "replication.auto") is not None:
        return "secret uses automatic replication (no CMEK key per replica)"
    replicas = _replicas(resource)
    if not replicas:
        return "secret has no user-managed replicas"
    missing = [
        str(replica.get("location") or "unnamed")
        for replica in replicas
        if not dig(replica, "customerManagedEncryption.kmsKeyName")
    ]
    return f"secret replicas without a CMEK key: {', '.join(missing)}" if missing else None


def replication_pinned(resource: Resource, _: Context) -> str | None:
    replicas = _replicas(resource)
    if len(replicas) != 1:
        return f"secret is replicated to {len(replicas)} locations, not exactly one region"
    location = str(replicas[0].get("location") or "")
    if not _REGION.match(location):
        return f"secret replica location '{location or 'unset'}' is not a single region"
    key_location = _KEY_LOCATION.match(str(dig(replicas[0], "customerManagedEncryption.kmsKeyName") or ""))
    if key_location and key_location.group(1) != location:
        return f"secret replica in {location} is encrypted with a key from {key_location.group(1)}"
    return None


def secret_protected_in_prod(resource: Resource, context: Context) -> str | None:
    if context.is_prod and not resource.protect:
        return "prod secret is not protected against deletion (protect=True)"
    return None


def no_project_level_accessor(context: Context) -> list[str]:
    return [
        f"{r.urn}: grants {ACCESSOR_ROLE} on the whole project; grant it on the one secret instead"
        for r in context.resources
        if r.type in PROJECT_GRANTS and r.inputs.get("role") == ACCESSOR_ROLE
    ]


RULES = [
    Rule(
        "SEC-01",
        "45 CFR 164.312(a)(2)(iv)",
        "every secret replica is encrypted with a customer-managed key",
        (SECRET,),
        replicas_cmek,
    ),
    Rule(
        "SEC-02",
        "45 CFR 164.312(a)(1)",
        "secrets are stored in exactly one named region, with a key from that region",
        (SECRET,),
        replication_pinned,
    ),
    Rule(
        "SEC-03",
        "45 CFR 164.308(a)(4)(ii)(B)",
        "secret payloads are readable per secret only: no project-level secretAccessor grants",
        stack_check=no_project_level_accessor,
        scope=PROJECT_GRANTS,
    ),
    Rule(
        "SEC-04",
        "45 CFR 164.308(a)(7)(ii)(A)",
        "production secrets are protected from deletion",
        (SECRET,),
        secret_protected_in_prod,
    ),
]
