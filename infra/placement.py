"""Placement: the values nearly every component needs (environment, project, region), in one args type.

Pure data, no Pulumi. The labels every labelable resource carries and whether data is protected both
follow from the environment; they are derived here, once, so no two components can disagree on them.
"""

from __future__ import annotations

from dataclasses import dataclass

ENVIRONMENTS = ("dev", "staging", "prod")


@dataclass(frozen=True)
class Placement:
    """Where a component's resources live and which environment they belong to; `is_prod` and `labels`
    (the labels every labelable resource carries) derive from the environment."""

    environment: str
    """The stack's environment (`dev`, `staging` or `prod`): names are `hipaa-<environment>-<purpose>`,
    and labels, protection and dev-only relaxations follow from it."""
    project_id: str
    """The workload project the component creates its resources in, unless a field names another project."""
    region: str
    """The region of every regional resource (e.g. `us-central1`)."""

    def __post_init__(self) -> None:
        # Components key per-environment tables (retention, TTLs) by it; an unknown one would fail deep inside.
        if self.environment not in ENVIRONMENTS:
            raise ValueError(f"Placement.environment {self.environment!r} is not one of {', '.join(ENVIRONMENTS)}")

    @property
    def is_prod(self) -> bool:
        """Production holds real PHI: its data resources are protected and its settings the strictest."""
        return self.environment == "prod"

    @property
    def labels(self) -> dict[str, str]:
        """The labels every labelable resource carries; defined here and nowhere else."""
        return {
            "compliance": "hipaa",
            "data-classification": "phi",
            "environment": self.environment,
            "managed-by": "pulumi",
        }
