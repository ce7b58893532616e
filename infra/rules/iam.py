"""Rules for IAM grants anywhere in the stack: no primitive roles, no public principals, no SA keys."""

from __future__ import annotations

from infra.rules import Context, Resource, Rule

PRIMITIVE_ROLES = ("roles/owner", "roles/editor", "roles/viewer")
PUBLIC_MEMBERS = ("allUsers", "allAuthenticatedUsers")
SERVICE_ACCOUNT_KEY = "gcp:serviceaccount/key:Key"


def _is_iam_grant(type_token: str) -> bool:
    """Every `*IAMMember`, `*IamMember`, `*IAMBinding`, `*IamBinding` of any service."""
    last = type_token.rsplit(":", maxsplit=1)[-1].lower()
    return last.endswith(("iammember", "iambinding"))


def _members(resource: Resource) -> list[str]:
    members = resource.inputs.get("members")
    if members is None:
        members = [resource.inputs.get("member")]
    return [str(m) for m in members if m is not None]


def no_primitive_roles(context: Context) -> list[str]:
    return [
        f"{r.urn}: grants {r.inputs.get('role')}"
        for r in context.resources
        if _is_iam_grant(r.type) and r.inputs.get("role") in PRIMITIVE_ROLES
    ]


def no_public_principals(context: Context) -> list[str]:
    problems = []
    for resource in context.resources:
        if _is_iam_grant(resource.type):
            public = [m for m in _members(resource) if m in PUBLIC_MEMBERS]
            if public:
                problems.append(f"{resource.urn}: grants {resource.inputs.get('role')} to {', '.join(public)}")
    return problems


def no_service_account_keys(context: Context) -> list[str]:
    return [f"{r.urn}: user-managed service account key" for r in context.of_type(SERVICE_ACCOUNT_KEY)]


RULES = [
    Rule(
        "IAM-01",
        "45 CFR 164.308(a)(4)(ii)(B)",
        "no owner, editor or viewer grants: predefined least-privilege roles only",
        stack_check=no_primitive_roles,
    ),
    Rule(
        "IAM-02",
        "45 CFR 164.312(a)(1)",
        "nothing is granted to allUsers or allAuthenticatedUsers",
        stack_check=no_public_principals,
    ),
    Rule(
        "IAM-03",
        "45 CFR 164.312(d)",
        "no user-managed service account keys: identities use short-lived credentials",
        stack_check=no_service_account_keys,
    ),
]
