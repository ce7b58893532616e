"""Organization policies on the workload project (v2 API), from the one constraint list in org_constraints."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.interface import register_declared
from infra.naming import child_opts
from infra.security.org_constraints import CONSTRAINTS, Constraint


@dataclass(frozen=True)
class OrgPoliciesArgs:
    project_id: str
    """The workload project the policies are set on (`projects/<project_id>`)."""
    allowed_locations: tuple[str, ...]
    """Values of the `gcp.resourceLocations` allow-list (e.g. `in:us-locations`)."""
    build_pool: str
    """Full name of the one worker pool builds may run on (`projects/P/locations/R/workerPools/ID`)."""


def constraint_values(item: Constraint, args: OrgPoliciesArgs) -> tuple[str, ...]:
    """The constraint's values, resolved against the stack where they depend on it."""
    if item.source == "allowed_locations":
        return args.allowed_locations
    if item.source == "own_project":
        return (f"under:projects/{args.project_id}",)
    if item.source == "build_pool":
        return (args.build_pool,)
    return item.values


def policy_spec(item: Constraint, args: OrgPoliciesArgs) -> gcp.orgpolicy.PolicySpecArgs:
    values = list(constraint_values(item, args))
    if item.kind == "enforce":
        return gcp.orgpolicy.PolicySpecArgs(rules=[gcp.orgpolicy.PolicySpecRuleArgs(enforce="TRUE")])
    if item.kind == "deny_all":
        return gcp.orgpolicy.PolicySpecArgs(rules=[gcp.orgpolicy.PolicySpecRuleArgs(deny_all="TRUE")])
    if item.kind == "allow":
        # The project's allow-list replaces the parent's: merging would widen it to the union.
        return gcp.orgpolicy.PolicySpecArgs(
            inherit_from_parent=False,
            rules=[
                gcp.orgpolicy.PolicySpecRuleArgs(values=gcp.orgpolicy.PolicySpecRuleValuesArgs(allowed_values=values))
            ],
        )
    # A deny-list merges with the parent's: whatever the organization refuses stays refused.
    return gcp.orgpolicy.PolicySpecArgs(
        inherit_from_parent=True,
        rules=[gcp.orgpolicy.PolicySpecRuleArgs(values=gcp.orgpolicy.PolicySpecRuleValuesArgs(denied_values=values))],
    )


class OrgPolicies(pulumi.ComponentResource):
    """One enforced policy per constraint on the environment's workload project."""

    TYPE_TOKEN = "hipaa:security:OrgPolicies"

    policy_names: dict[str, pulumi.Output[str]]
    """Policy resource name (`projects/P/policies/<constraint>`) per constraint, keyed by constraint name."""

    def __init__(self, name: str, args: OrgPoliciesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        parent = f"projects/{args.project_id}"
        self.policy_names = {
            item.name: gcp.orgpolicy.Policy(
                f"{name}-{item.name.replace('.', '-')}",
                name=f"{parent}/policies/{item.name}",
                parent=parent,
                spec=policy_spec(item, args),
                opts=child_opts(self),
            ).name
            for item in CONSTRAINTS
        }
        register_declared(self)
