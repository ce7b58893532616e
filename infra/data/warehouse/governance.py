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

from infra.config import PlatformConfig
from infra.naming import child_opts, data_opts, resource_name

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


def data_policy_id(config: PlatformConfig, tag: str) -> str:
    """Data policy ids allow letters, digits and underscores and are unique per project and location."""
    return f"hipaa_{config.environment}_{tag.replace('-', '_')}_mask"


class ColumnGovernance(pulumi.ComponentResource):
    """Taxonomy, policy tags, data masking policies and the reader grants on them."""

    def __init__(
        self,
        name: str,
        config: PlatformConfig,
        *,
        full_readers: Sequence[pulumi.Input[str]] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("hipaa:data:ColumnGovernance", name, None, opts)
        # Deleting the taxonomy or a tag strips the protection from every column carrying it: protected in prod.
        self.taxonomy = gcp.datacatalog.Taxonomy(
            f"{name}-taxonomy",
            display_name=resource_name(config, "phi"),
            description="PHI classes of the warehouse columns; fine-grained access control enforced.",
            project=config.project_id,
            region=config.region,
            activated_policy_types=["FINE_GRAINED_ACCESS_CONTROL"],
            opts=data_opts(config, self),
        )
        parents = {
            key: gcp.datacatalog.PolicyTag(
                f"{name}-{key}",
                taxonomy=self.taxonomy.name,
                display_name=key,
                description=description,
                opts=data_opts(config, self),
            )
            for key, description in PARENTS.items()
        }
        self.tags: dict[str, gcp.datacatalog.PolicyTag] = {
            key: gcp.datacatalog.PolicyTag(
                f"{name}-{key}",
                taxonomy=self.taxonomy.name,
                parent_policy_tag=parents[tag.parent].name,
                display_name=key,
                description=tag.description,
                opts=data_opts(config, self),
            )
            for key, tag in TAGS.items()
        }
        self.data_policies: dict[str, gcp.bigquerydatapolicy.DataPolicy] = {
            key: gcp.bigquerydatapolicy.DataPolicy(
                f"{name}-{key}-mask",
                data_policy_id=data_policy_id(config, key),
                data_policy_type="DATA_MASKING_POLICY",
                policy_tag=self.tags[key].name,
                data_masking_policy=gcp.bigquerydatapolicy.DataPolicyDataMaskingPolicyArgs(
                    predefined_expression=tag.masking
                ),
                project=config.project_id,
                location=config.region,
                opts=child_opts(self),
            )
            for key, tag in TAGS.items()
        }
        analysts = f"group:{config.analyst_group}"
        engineers = f"group:{config.engineer_group}"
        for key, policy in self.data_policies.items():
            masked = [("analysts", analysts)]
            if key not in ENGINEER_CLEAR_TAGS:
                masked.append(("engineers", engineers))
            for who, member in masked:
                gcp.bigquerydatapolicy.DataPolicyIamMember(
                    f"{name}-{key}-masked-{who}",
                    data_policy_id=policy.data_policy_id,
                    project=config.project_id,
                    location=config.region,
                    role=MASKED_READER,
                    member=member,
                    opts=child_opts(self),
                )
        for key in ENGINEER_CLEAR_TAGS:
            self._fine_grained(f"{name}-{key}-clear-engineers", self.tags[key], engineers)
        # Backups copy and pipelines transform whole tables: they read every column in clear.
        for index, reader in enumerate(full_readers):
            for key, parent in parents.items():
                self._fine_grained(f"{name}-{key}-clear-{index}", parent, reader)
        self.register_outputs(
            {
                "taxonomy": self.taxonomy.name,
                "policyTags": {key: tag.name for key, tag in self.tags.items()},
                "dataPolicies": {key: policy.data_policy_id for key, policy in self.data_policies.items()},
            }
        )

    def _fine_grained(self, name: str, tag: gcp.datacatalog.PolicyTag, member: pulumi.Input[str]) -> None:
        gcp.datacatalog.PolicyTagIamMember(
            name, policy_tag=tag.name, role=FINE_GRAINED_READER, member=member, opts=child_opts(self)
        )

    def tag_names(self) -> dict[str, pulumi.Output[str]]:
        """Policy tag resource names by tag key, for `policyTags.names` in table schemas."""
        return {key: tag.name for key, tag in self.tags.items()}
