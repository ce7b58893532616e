"""HipaaPlatform: the one component that owns the whole environment."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from infra.config import PlatformConfig
from infra.kms import Kms


class HipaaPlatform(pulumi.ComponentResource):
    def __init__(self, name: str, config: PlatformConfig, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hipaa:platform:HipaaPlatform", name, None, opts)
        # One explicit provider: default project, region and labels are set here and only here.
        provider = gcp.Provider(
            f"{name}-gcp",
            project=config.project_id,
            region=config.region,
            default_labels=config.labels,
            opts=pulumi.ResourceOptions(parent=self),
        )
        child = pulumi.ResourceOptions(parent=self, providers={"gcp": provider})
        self.kms = Kms("kms", config, opts=child)
        self.register_outputs({"keyring": self.kms.keyring.id})
