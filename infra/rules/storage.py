"""Rules for Cloud Storage buckets: CMEK, no public access, uniform IAM, recoverable, logged, retained."""

from __future__ import annotations

from infra.rules import Context, Resource, Rule, dig

BUCKET = "gcp:storage/bucket:Bucket"
BUCKET_MEMBER = "gcp:storage/bucketIAMMember:BucketIAMMember"
BUCKET_BINDING = "gcp:storage/bucketIAMBinding:BucketIAMBinding"
PUBLIC_MEMBERS = ("allUsers", "allAuthenticatedUsers")
# Buckets whose objects are evidence (compliance reports, access logs): immutable for their retention.
EVIDENCE_SUFFIXES = ("-reports", "-access-logs")
ACCESS_LOG_SUFFIX = "-access-logs"
MIN_SOFT_DELETE_SECONDS = 7 * 86400


def _int(value: object) -> int | None:
    """Counts arrive as numbers (mocks, preview JSON) or numeric strings (retentionPeriod)."""
    try:
        return int(float(str(value)))
    except ValueError:
        return None


def _name(resource: Resource) -> str:
    return str(resource.inputs.get("name") or resource.name)


def cmek_only(resource: Resource, _: Context) -> str | None:
    encryption = resource.inputs.get("encryption") or {}
    if not encryption.get("defaultKmsKeyName"):
        return "bucket has no default CMEK key (encryption.defaultKmsKeyName)"
    refused = [
        kind
        for kind in ("googleManagedEncryptionEnforcementConfig", "customerSuppliedEncryptionEnforcementConfig")
        if dig(encryption, f"{kind}.restrictionMode") != "FullyRestricted"
    ]
    if refused:
        return f"bucket still accepts non-CMEK objects ({', '.join(refused)} not FullyRestricted)"
    return None


def public_access_prevented(resource: Resource, _: Context) -> str | None:
    prevention = resource.inputs.get("publicAccessPrevention")
    return None if prevention == "enforced" else f"publicAccessPrevention is {prevention or 'unset'}, not enforced"


def uniform_access(resource: Resource, _: Context) -> str | None:
    if resource.inputs.get("uniformBucketLevelAccess") is not True:
        return "bucket allows object ACLs (uniformBucketLevelAccess is not true)"
    return None


def recoverable(resource: Resource, _: Context) -> str | None:
    # Cloud Storage refuses versioning and a retention policy on one bucket; either keeps old data.
    versioned = dig(resource.inputs, "versioning.enabled") is True
    retained = (_int(dig(resource.inputs, "retentionPolicy.retentionPeriod")) or 0) > 0
    return None if versioned or retained else "bucket has neither versioning nor a retention policy"


def soft_delete(resource: Resource, _: Context) -> str | None:
    seconds = _int(dig(resource.inputs, "softDeletePolicy.retentionDurationSeconds"))
    if seconds is None or seconds < MIN_SOFT_DELETE_SECONDS:
        return f"soft delete retention is {seconds or 0}s, below {MIN_SOFT_DELETE_SECONDS}s (7 days)"
    return None


def access_logged(resource: Resource, _: Context) -> str | None:
    if _name(resource).endswith(ACCESS_LOG_SUFFIX):
        return None  # the access-log bucket receives the logs; it cannot log to itself
    target = dig(resource.inputs, "logging.logBucket")
    if not target:
        return "bucket usage is not logged (logging.logBucket unset)"
    if not str(target).endswith(ACCESS_LOG_SUFFIX):
        return f"bucket logs to {target}, not to the access-log bucket"
    return None


def evidence_retained(resource: Resource, context: Context) -> str | None:
    if not _name(resource).endswith(EVIDENCE_SUFFIXES):
        return None
    period = _int(dig(resource.inputs, "retentionPolicy.retentionPeriod"))
    if period is None or period <= 0:
        return "evidence bucket has no retention policy"
    if context.is_prod and dig(resource.inputs, "retentionPolicy.isLocked") is not True:
        return "prod evidence bucket's retention policy is not locked"
    return None


def no_force_destroy_in_prod(resource: Resource, context: Context) -> str | None:
    if context.is_prod and resource.inputs.get("forceDestroy") is not False:
        return "prod bucket can be destroyed with its objects (forceDestroy is not false)"
    return None


def no_public_grants(resource: Resource, _: Context) -> str | None:
    members = resource.inputs.get("members") or [resource.inputs.get("member")]
    public = [m for m in members if m in PUBLIC_MEMBERS]
    return f"bucket granted to {', '.join(public)}" if public else None


ACCESS = "45 CFR 164.312(a)(1)"
RULES = [
    Rule("GCS-01", "45 CFR 164.312(a)(2)(iv)", "buckets encrypt with CMEK and refuse other keys", (BUCKET,), cmek_only),
    Rule("GCS-02", ACCESS, "public access prevention is enforced", (BUCKET,), public_access_prevented),
    Rule("GCS-03", ACCESS, "uniform bucket-level access (IAM only, no object ACLs)", (BUCKET,), uniform_access),
    Rule(
        "GCS-04",
        "45 CFR 164.312(c)(1)",
        "overwritten or deleted objects stay recoverable (versioning or retention policy)",
        (BUCKET,),
        recoverable,
    ),
    Rule("GCS-05", "45 CFR 164.312(b)", "bucket usage is logged to the access-log bucket", (BUCKET,), access_logged),
    Rule(
        "GCS-06",
        "45 CFR 164.316(b)(2)(i)",
        "reports and access-log buckets retain objects, retention locked in prod",
        (BUCKET,),
        evidence_retained,
    ),
    Rule(
        "GCS-07",
        "45 CFR 164.308(a)(7)(ii)(A)",
        "prod buckets cannot be force-destroyed with their objects",
        (BUCKET,),
        no_force_destroy_in_prod,
    ),
    Rule("GCS-08", "45 CFR 164.308(a)(7)(ii)(A)", "soft delete keeps deleted objects 7+ days", (BUCKET,), soft_delete),
    Rule(
        "GCS-09",
        ACCESS,
        "no bucket is granted to allUsers or allAuthenticatedUsers",
        (BUCKET_MEMBER, BUCKET_BINDING),
        no_public_grants,
    ),
]
