"""Organization policies on the workload project (v2 API), from the one constraint list in org_constraints."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from infra.config import PlatformConfig
from infra.naming import build_pool_path, child_opts
from infra.security.org_constraints import CONSTRAINTS, Constraint


def constraint_values(item: Constraint, config: PlatformConfig) -> tuple[str, ...]:
    """The constraint's values, resolved against the stack where they depend on it."""
    if item.source == "allowed_locations":
        return config.allowed_locations
    if item.source == "own_project":
        return (f"under:projects/{config.project_id}",)
    if item.source == "build_pool":
        return (build_pool_path(config),)
    return item.values


def policy_spec(item: Constraint, config: PlatformConfig) -> gcp.orgpolicy.PolicySpecArgs:
    values = list(constraint_values(item, config))
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

    def __init__(self, name: str, config: PlatformConfig, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hipaa:security:OrgPolicies", name, None, opts)
        parent = f"projects/{config.project_id}"
        self.policies: dict[str, gcp.orgpolicy.Policy] = {
            item.name: gcp.orgpolicy.Policy(
                f"{name}-{item.name.replace('.', '-')}",
                name=f"{parent}/policies/{item.name}",
                parent=parent,
                spec=policy_spec(item, config),
                opts=child_opts(self),
            )
            for item in CONSTRAINTS
        }
        self.register_outputs({"policies": {key: policy.name for key, policy in self.policies.items()}})
