"""Column-level protection: a policy tag taxonomy, masking data policies and who may read what.

Two parent tags (direct identifiers, quasi-identifiers) hold one leaf per kind of PHI column. The
taxonomy enforces fine-grained access control, so a tagged column is readable in clear only by
fine-grained readers of its tag (granted on a parent tag, it covers the leaves). Everyone else
granted a data policy's masked reader role sees the column masked by that policy's rule: MRNs as
SHA-256 digests (still joinable), SSNs, names and contact details as NULL, dates as their year's
first day, postal codes as the type's default value. Anyone with neither gets an access error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.interface import register_declared
from infra.naming import Stack, child_opts, data_opts, resource_name
from infra.placement import Placement

FINE_GRAINED_READER = "roles/datacatalog.categoryFineGrainedReader"
MASKED_READER = "roles/bigquerydatapolicy.maskedReader"


@dataclass(frozen=True)
class Tag:
    parent: str
    masking: str
    description: str


PARENTS = {
    "direct-identifier": "Identifies a person on its own (HIPAA Safe Harbor identifiers)",
    "quasi-identifier": "Narrows a person down in combination (dates of birth and care, geography)",
}
TAGS: dict[str, Tag] = {
    "mrn": Tag("direct-identifier", "SHA256", "Medical record numbers"),
    "ssn": Tag("direct-identifier", "ALWAYS_NULL", "Social security numbers"),
    "name": Tag("direct-identifier", "ALWAYS_NULL", "Names of the person"),
    "contact": Tag("direct-identifier", "ALWAYS_NULL", "Phone numbers and email addresses"),
    "date-of-birth": Tag("quasi-identifier", "DATE_YEAR_MASK", "Dates of birth"),
    "postal-code": Tag("quasi-identifier", "DEFAULT_MASKING_VALUE", "Postal codes of residence"),
    "service-date": Tag("quasi-identifier", "DATE_YEAR_MASK", "Dates and times of care"),
}
# Engineers link records across sources by MRN; every other identifier they only see masked.
ENGINEER_CLEAR_TAGS = ("mrn",)
# The tags of the encrypted columns (infra/data/warehouse/encryption.py): the re-identification group reads
# their ciphertext unmasked, so the procedure can decrypt it, and sees no other PHI column.
CIPHERTEXT_TAGS = ("mrn", "ssn")


def data_policy_id(config: Stack, tag: str) -> str:
    """Data policy ids allow letters, digits and underscores and are unique per project and location."""
    return f"hipaa_{config.environment}_{tag.replace('-', '_')}_mask"


@dataclass(frozen=True)
class ColumnGovernanceArgs:
    placement: Placement
    """Environment (names, protection), workload project and region (taxonomy and data policy location)."""
    analyst_group: str
    """Google group of analysts: every PHI column masked."""
    engineer_group: str
    """Google group of data engineers: MRNs in clear, every other PHI column masked."""
    full_readers: Sequence[pulumi.Input[str]] = ()
    """Members (`serviceAccount:EMAIL`) that read every column in clear: backups and pipeline jobs."""
    reidentification_group: str | None = None
    """Google group that may decrypt the encrypted columns: fine-grained reader of `CIPHERTEXT_TAGS` only."""


class ColumnGovernance(pulumi.ComponentResource):
    """Taxonomy, policy tags, data masking policies and the reader grants on them."""

    TYPE_TOKEN = "hipaa:data:ColumnGovernance"

    taxonomy_name: pulumi.Output[str]
    """The policy tag taxonomy (fine-grained access control enforced)."""
    policy_tag_names: dict[str, pulumi.Output[str]]
    """Policy tag resource name per tag key (`mrn`, `ssn`, ...), for `policyTags.names` in table schemas."""
    data_policy_ids: dict[str, pulumi.Output[str]]
    """Masking data policy id per tag key."""

    def __init__(self, name: str, args: ColumnGovernanceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        placement = args.placement
        # Deleting the taxonomy or a tag strips the protection from every column carrying it: protected in prod.
        taxonomy = gcp.datacatalog.Taxonomy(
            f"{name}-taxonomy",
            display_name=resource_name(placement, "phi"),
            description="PHI classes of the warehouse columns; fine-grained access control enforced.",
            project=placement.project_id,
            region=placement.region,
            activated_policy_types=["FINE_GRAINED_ACCESS_CONTROL"],
            opts=data_opts(placement, self),
        )
        parents = {
            key: gcp.datacatalog.PolicyTag(
                f"{name}-{key}",
                taxonomy=taxonomy.name,
                display_name=key,
                description=description,
                opts=data_opts(placement, self),
            )
            for key, description in PARENTS.items()
        }
        tags = {
            key: gcp.datacatalog.PolicyTag(
                f"{name}-{key}",
                taxonomy=taxonomy.name,
                parent_policy_tag=parents[tag.parent].name,
                display_name=key,
                description=tag.description,
                opts=data_opts(placement, self),
            )
            for key, tag in TAGS.items()
        }
        data_policies = {
            key: gcp.bigquerydatapolicy.DataPolicy(
                f"{name}-{key}-mask",
                data_policy_id=data_policy_id(placement, key),
                data_policy_type="DATA_MASKING_POLICY",
                policy_tag=tags[key].name,
                data_masking_policy=gcp.bigquerydatapolicy.DataPolicyDataMaskingPolicyArgs(
                    predefined_expression=tag.masking
                ),
                project=placement.project_id,
                location=placement.region,
                opts=child_opts(self),
            )
            for key, tag in TAGS.items()
        }
        analysts = f"group:{args.analyst_group}"
        engineers = f"group:{args.engineer_group}"
        for key, policy in data_policies.items():
            masked = [("analysts", analysts)]
            if key not in ENGINEER_CLEAR_TAGS:
                masked.append(("engineers", engineers))
            for who, member in masked:
                gcp.bigquerydatapolicy.DataPolicyIamMember(
                    f"{name}-{key}-masked-{who}",
                    data_policy_id=policy.data_policy_id,
                    project=placement.project_id,
                    location=placement.region,
                    role=MASKED_READER,
                    member=member,
                    opts=child_opts(self),
                )
        for key in ENGINEER_CLEAR_TAGS:
            self._fine_grained(f"{name}-{key}-clear-engineers", tags[key], engineers)
        if args.reidentification_group is not None:
            for key in CIPHERTEXT_TAGS:
                reidentifiers = f"group:{args.reidentification_group}"
                self._fine_grained(f"{name}-{key}-ciphertext-reidentification", tags[key], reidentifiers)
        # Backups copy and pipelines transform whole tables: they read every column in clear.
        for index, reader in enumerate(args.full_readers):
            for key, parent in parents.items():
                self._fine_grained(f"{name}-{key}-clear-{index}", parent, reader)
        self.taxonomy_name = taxonomy.name
        self.policy_tag_names = {key: tag.name for key, tag in tags.items()}
        self.data_policy_ids = {key: policy.data_policy_id for key, policy in data_policies.items()}
        register_declared(self)

    def _fine_grained(self, name: str, tag: gcp.datacatalog.PolicyTag, member: pulumi.Input[str]) -> None:
        gcp.datacatalog.PolicyTagIamMember(
            name, policy_tag=tag.name, role=FINE_GRAINED_READER, member=member, opts=child_opts(self)
        )
