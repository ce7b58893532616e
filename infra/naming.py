"""Names and resource options shared by every component, so no component invents its own."""

from __future__ import annotations

import pulumi

from infra.config import PlatformConfig


def resource_name(config: PlatformConfig, purpose: str) -> str:
    """`hipaa-<env>-<purpose>`: one naming scheme across resources and environments."""
    return f"hipaa-{config.environment}-{purpose}"


def child_opts(parent: pulumi.Resource, **extra: object) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(parent=parent, **extra)  # type: ignore[arg-type]


def data_opts(config: PlatformConfig, parent: pulumi.Resource, **extra: object) -> pulumi.ResourceOptions:
    """Options for resources that hold data or keys: protected in prod, destroyable elsewhere."""
    return pulumi.ResourceOptions(parent=parent, protect=config.is_prod, **extra)  # type: ignore[arg-type]
