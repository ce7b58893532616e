"""The one way to make a HIPAA bucket: the hardening is written here once and shared by every component.

A bucket made here is regional, CMEK-encrypted (Google-managed and customer-supplied keys refused
for new objects), closed to the public, uniformly IAM-controlled, versioned (or, where a retention
policy is asked for, retention-locked instead: Cloud Storage refuses both on one bucket), soft-delete
protected, usage-logged to the access-log bucket, destroyable only outside prod and protected in prod.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_gcp as gcp

from infra.naming import access_log_bucket, bucket_name, data_opts
from infra.placement import Placement

DAY_SECONDS = 86400
# Soft delete keeps deleted objects recoverable; Cloud Storage accepts 7 to 90 days.
SOFT_DELETE_DAYS = {"dev": 7, "staging": 30, "prod": 90}
# Versions replaced or deleted stay restorable this long, then stop costing (and holding PHI).
NONCURRENT_VERSION_DAYS = {"dev": 7, "staging": 30, "prod": 90}
FULLY_RESTRICTED = "FullyRestricted"


def delete_after(days: int, prefixes: Sequence[str] = ()) -> gcp.storage.BucketLifecycleRuleArgs:
    """Delete live objects (optionally only under `prefixes`) once they are `days` old."""
    return gcp.storage.BucketLifecycleRuleArgs(
        action=gcp.storage.BucketLifecycleRuleActionArgs(type="Delete"),
        condition=gcp.storage.BucketLifecycleRuleConditionArgs(
            age=days, matches_prefixes=list(prefixes) or None, with_state="LIVE"
        ),
    )


def move_after(days: int, storage_class: str) -> gcp.storage.BucketLifecycleRuleArgs:
    """Move live objects to a colder class once they are `days` old."""
    return gcp.storage.BucketLifecycleRuleArgs(
        action=gcp.storage.BucketLifecycleRuleActionArgs(type="SetStorageClass", storage_class=storage_class),
        condition=gcp.storage.BucketLifecycleRuleConditionArgs(age=days, with_state="LIVE"),
    )


def expire_noncurrent(days: int) -> gcp.storage.BucketLifecycleRuleArgs:
    return gcp.storage.BucketLifecycleRuleArgs(
        action=gcp.storage.BucketLifecycleRuleActionArgs(type="Delete"),
        condition=gcp.storage.BucketLifecycleRuleConditionArgs(days_since_noncurrent_time=days, with_state="ARCHIVED"),
    )


def hipaa_bucket(
    resource_name: str,
    config: Placement,
    *,
    purpose: str,
    key_id: pulumi.Input[str],
    parent: pulumi.Resource,
    lifecycle_rules: Sequence[gcp.storage.BucketLifecycleRuleArgs] = (),
    retention_days: int | None = None,
    log_access: bool = True,
    depends_on: Sequence[pulumi.Resource] = (),
) -> gcp.storage.Bucket:
    """A hardened bucket named `bucket_name(config, purpose)`.

    `retention_days` sets a retention policy (locked in prod, which is irreversible) in place of
    versioning. `log_access=False` is for the access-log bucket itself, which cannot log to itself.
    """
    name = bucket_name(config, purpose)
    versioned = retention_days is None
    rules = list(lifecycle_rules)
    if versioned:
        rules.append(expire_noncurrent(NONCURRENT_VERSION_DAYS[config.environment]))
    retention = None
    if retention_days is not None:
        retention = gcp.storage.BucketRetentionPolicyArgs(
            retention_period=str(retention_days * DAY_SECONDS), is_locked=config.is_prod
        )
    logging = None
    if log_access:
        logging = gcp.storage.BucketLoggingArgs(log_bucket=access_log_bucket(config), log_object_prefix=name)
    return gcp.storage.Bucket(
        resource_name,
        name=name,
        project=config.project_id,
        location=config.region,
        storage_class="STANDARD",
        uniform_bucket_level_access=True,
        public_access_prevention="enforced",
        encryption=gcp.storage.BucketEncryptionArgs(
            default_kms_key_name=key_id,
            google_managed_encryption_enforcement_config=gcp.storage.BucketEncryptionGoogleManagedEncryptionEnforcementConfigArgs(
                restriction_mode=FULLY_RESTRICTED
            ),
            customer_supplied_encryption_enforcement_config=gcp.storage.BucketEncryptionCustomerSuppliedEncryptionEnforcementConfigArgs(
                restriction_mode=FULLY_RESTRICTED
            ),
        ),
        versioning=gcp.storage.BucketVersioningArgs(enabled=versioned),
        retention_policy=retention,
        soft_delete_policy=gcp.storage.BucketSoftDeletePolicyArgs(
            retention_duration_seconds=SOFT_DELETE_DAYS[config.environment] * DAY_SECONDS
        ),
        lifecycle_rules=rules,
        logging=logging,
        force_destroy=not config.is_prod,
        labels={**config.labels, "bucket-purpose": purpose},
        opts=data_opts(config, parent, depends_on=list(depends_on)),
    )
