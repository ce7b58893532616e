"""VPC Service Controls around the environment project: restricted APIs, named ingress, narrow egresses.

Data may leave the perimeter three ways only: the audit log sink into the SIEM project, the publish
to the security team's hipaa-deployments topic, and the pipeline's own Pulumi state and secrets key
in the security project (named object and encrypt/decrypt methods only). Only the identities the
caller names (the pipeline's service accounts) may come in, and only to this project's restricted
services. dev runs
the same configuration as a dry run (violations logged, not blocked); staging and prod enforce it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import pulumi
import pulumi_gcp as gcp

from infra.interface import register_declared
from infra.naming import data_opts, perimeter_name_in
from infra.placement import Placement
from infra.security.perimeter_services import (
    IAM_IDENTITY,
    KMS_SERVICE,
    LOGGING_SERVICE,
    PERIMETER_TYPE,
    PUBSUB_PUBLISH_METHOD,
    PUBSUB_SERVICE,
    RESTRICTED_SERVICES,
    STATE_METHODS,
    STORAGE_SERVICE,
    VPC_ACCESSIBLE_SERVICES,
    logging_agent,
    monitoring_notification_agent,
)

# Any origin: the identity is what ingress is limited by (there is no trusted network to name).
ANY_SOURCE = [{"access_level": "*"}]


def checked_identities(identities: Sequence[str]) -> list[str]:
    """The ingress identities, deduplicated; refuses an empty list or anything but a user or service account."""
    if not identities:
        raise ValueError("Perimeter ingress_identities is empty: name at least the pipeline's service account")
    bad = [identity for identity in identities if not isinstance(identity, str) or not IAM_IDENTITY.match(identity)]
    if bad:
        raise ValueError(
            f"Perimeter ingress_identities has invalid members {bad}: expected serviceAccount:EMAIL or user:EMAIL"
        )
    return list(dict.fromkeys(identities))


def _operation(service: str, *methods: str) -> dict[str, Any]:
    return {"service_name": service, "method_selectors": [{"method": method} for method in methods]}


def perimeter_block(
    project_number: str, siem_number: str, security_number: str, identities: Sequence[str]
) -> dict[str, Any]:
    """The perimeter's configuration (the API's `status` or, for a dry run, `spec`)."""
    project = f"projects/{project_number}"
    return {
        "resources": [project],
        "restricted_services": list(RESTRICTED_SERVICES),
        "vpc_accessible_services": {"enable_restriction": True, "allowed_services": list(VPC_ACCESSIBLE_SERVICES)},
        "ingress_policies": [
            {
                "title": "pipeline-deployers",
                "ingress_from": {"identities": list(identities), "sources": ANY_SOURCE},
                "ingress_to": {
                    "resources": [project],
                    "operations": [_operation(service, "*") for service in RESTRICTED_SERVICES],
                },
            }
        ],
        "egress_policies": [
            {
                "title": "audit-log-sink-to-siem",
                # Log routing has no public method to select; the sink's writer identity is the limit.
                "egress_from": {"identities": [logging_agent(project_number)]},
                "egress_to": {
                    "resources": [f"projects/{siem_number}"],
                    "operations": [_operation(LOGGING_SERVICE, "*")],
                },
            },
            {
                "title": "notifications-to-security",
                # The pipeline's notify step, and Cloud Monitoring alerts through their Pub/Sub channel.
                "egress_from": {"identities": [*identities, monitoring_notification_agent(project_number)]},
                "egress_to": {
                    "resources": [f"projects/{security_number}"],
                    "operations": [_operation(PUBSUB_SERVICE, PUBSUB_PUBLISH_METHOD)],
                },
            },
            # pulumi preview and up read and write the stack's state, and its secrets, as the pipeline.
            *(
                {
                    "title": title,
                    "egress_from": {"identities": list(identities)},
                    "egress_to": {
                        "resources": [f"projects/{security_number}"],
                        "operations": [_operation(service, *STATE_METHODS[service])],
                    },
                }
                for title, service in (("pulumi-state", STORAGE_SERVICE), ("pulumi-secrets-key", KMS_SERVICE))
            ),
        ],
    }


@dataclass(frozen=True)
class PerimeterArgs:
    placement: Placement
    """Environment (dry run in dev, name, protection) and the workload project the perimeter encloses."""
    access_policy_id: str
    """Numeric id of the organization's Access Context Manager policy that holds the perimeter."""
    siem_project_id: str
    """The SIEM project: the audit log sink's only egress destination."""
    security_project_id: str
    """The security project: the notification topic and Pulumi's state and secrets key, the other egresses."""
    ingress_identities: Sequence[pulumi.Input[str]]
    """The only identities (`serviceAccount:EMAIL` or `user:EMAIL`) allowed in: the pipeline's accounts."""

    def __post_init__(self) -> None:
        # Identities known now are checked now, so a bad one stops the program before anything is
        # registered; those that come from other resources are checked when they resolve.
        known = [identity for identity in self.ingress_identities if isinstance(identity, str)]
        if known or not self.ingress_identities:
            checked_identities(known)


class Perimeter(pulumi.ComponentResource):
    """One regular perimeter around the environment project (by number, as the API requires)."""

    TYPE_TOKEN = "hipaa:security:Perimeter"

    perimeter_name: pulumi.Output[str]
    """The perimeter's full name (`accessPolicies/<id>/servicePerimeters/hipaa_<env>_perimeter`), the
    pipeline's `_VPC_SC_PERIMETER`."""
    dry_run: bool
    """Whether the configuration is only a dry run (violations logged, not blocked): dev only."""

    def __init__(self, name: str, args: PerimeterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        placement = args.placement
        identities = pulumi.Output.all(*args.ingress_identities).apply(checked_identities)
        numbers = [
            gcp.organizations.get_project_output(project_id=project).number
            for project in (placement.project_id, args.siem_project_id, args.security_project_id)
        ]
        block = pulumi.Output.all(*numbers, identities).apply(lambda values: perimeter_block(*values))
        self.dry_run = placement.environment == "dev"
        full_name = perimeter_name_in(args.access_policy_id, placement)
        perimeter = gcp.accesscontextmanager.ServicePerimeter(
            f"{name}-perimeter",
            parent=f"accessPolicies/{args.access_policy_id}",
            name=full_name,
            title=full_name.rsplit("/", maxsplit=1)[-1],
            description=(
                f"HIPAA {placement.environment}: restricted APIs, named ingress, egress to SIEM and security only"
            ),
            perimeter_type=PERIMETER_TYPE,
            use_explicit_dry_run_spec=self.dry_run,
            spec=cast(gcp.accesscontextmanager.ServicePerimeterSpecArgsDict, block) if self.dry_run else None,
            status=None if self.dry_run else cast(gcp.accesscontextmanager.ServicePerimeterStatusArgsDict, block),
            # Deleting the perimeter opens every PHI store in the project: protected in prod.
            opts=data_opts(placement, self),
        )
        self.perimeter_name = perimeter.name
        register_declared(self)
