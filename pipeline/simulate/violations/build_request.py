"""Faults in how the build was started: the approval it lacks, the pool it runs on."""

from __future__ import annotations

from pipeline.simulate.violations.fault import Fault, FaultContext


def unapproved(context: FaultContext) -> None:
    """A prod build submitted by hand (or approved by nobody): no APPROVED approval on the build."""
    with context.world() as state:
        for build in state["builds"].values():
            build["approval"] = {"state": "PENDING", "config": {"approvalRequired": True}}


def default_pool(context: FaultContext) -> None:
    """The build runs on Cloud Build's default pool of its region (`gcloud builds submit --region`
    without `--worker-pool`): the same region, so $LOCATION and the build's own record agree."""
    with context.world() as state:
        for build in state["builds"].values():
            build["options"].pop("pool", None)


FAULTS = (
    Fault(
        "unapproved-prod-build",
        "verify-release",
        "prod build whose approval is PENDING, not APPROVED",
        unapproved,
        frozenset({"prod"}),
    ),
    Fault("default-pool", "pool-guard", "build running on the default pool instead of the private pool", default_pool),
)
