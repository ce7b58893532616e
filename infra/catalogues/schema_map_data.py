"""Schema mappings of the data and security resources: keys, buckets, datasets, secrets, logs, IAM grants."""

from __future__ import annotations

from collections.abc import Mapping

Raw = tuple[str, str, Mapping[str, str], Mapping[str, str]]


def same(*paths: str) -> dict[str, str]:
    """Inputs whose API field carries the same name at the same place."""
    return {path: path for path in paths}


_BINDING = {
    "role": "role",
    "member": "members",
    "members": "members",
    **same("condition.title", "condition.expression"),
}
_LABELS = same("labels")

DATA_MAPPINGS: dict[str, Raw] = {
    "gcp:kms/keyRing:KeyRing": ("cloudkms.v1", "KeyRing", {}, {}),
    "gcp:kms/cryptoKey:CryptoKey": (
        "cloudkms.v1",
        "CryptoKey",
        {
            **same("purpose", "rotationPeriod", "destroyScheduledDuration", "importOnly"),
            **same("versionTemplate.algorithm", "versionTemplate.protectionLevel"),
            **_LABELS,
        },
        {},
    ),
    "gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding": ("cloudkms.v1", "Binding", _BINDING, {}),
    "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": ("cloudkms.v1", "Binding", _BINDING, {}),
    "gcp:storage/bucket:Bucket": (
        "storage.v1",
        "Bucket",
        {
            **same(
                "location",
                "storageClass",
                "encryption.defaultKmsKeyName",
                "versioning.enabled",
                "defaultEventBasedHold",
            ),
            **same("logging.logBucket", "logging.logObjectPrefix", "retentionPolicy.isLocked"),
            **same("retentionPolicy.retentionPeriod", "softDeletePolicy.retentionDurationSeconds", "rpo"),
            **same(
                "encryption.customerSuppliedEncryptionEnforcementConfig.restrictionMode",
                "encryption.googleManagedEncryptionEnforcementConfig.restrictionMode",
            ),
            "uniformBucketLevelAccess": "iamConfiguration.uniformBucketLevelAccess.enabled",
            "publicAccessPrevention": "iamConfiguration.publicAccessPrevention",
            "lifecycleRules.action.type": "lifecycle.rule.action.type",
            "lifecycleRules.action.storageClass": "lifecycle.rule.action.storageClass",
            "lifecycleRules.condition.age": "lifecycle.rule.condition.age",
            "lifecycleRules.condition.daysSinceNoncurrentTime": "lifecycle.rule.condition.daysSinceNoncurrentTime",
            **_LABELS,
        },
        {},
    ),
    "gcp:storage/bucketIAMMember:BucketIAMMember": ("storage.v1", "Policy.bindings", _BINDING, {}),
    "gcp:bigquery/dataset:Dataset": (
        "bigquery.v2",
        "Dataset",
        {
            **same("location", "description", "friendlyName", "defaultTableExpirationMs", "maxTimeTravelHours"),
            **same("defaultEncryptionConfiguration.kmsKeyName", "defaultPartitionExpirationMs"),
            "datasetId": "datasetReference.datasetId",
            "project": "datasetReference.projectId",
            "accesses.role": "access.role",
            "accesses.specialGroup": "access.specialGroup",
            "accesses.groupByEmail": "access.groupByEmail",
            "accesses.userByEmail": "access.userByEmail",
            **_LABELS,
        },
        {},
    ),
    "gcp:bigquery/datasetAccess:DatasetAccess": (
        "bigquery.v2",
        "Dataset.access",
        {
            **same("role", "groupByEmail", "userByEmail", "specialGroup"),
            **same("view.projectId", "view.datasetId", "view.tableId"),
            **same("routine.projectId", "routine.datasetId", "routine.routineId"),
        },
        {},
    ),
    # The column keyset job (infra/data/warehouse/column_encryption.py); a query job's body is the Job resource.
    "gcp:bigquery/job:Job": (
        "bigquery.v2",
        "Job",
        {
            "jobId": "jobReference.jobId",
            "location": "jobReference.location",
            "project": "jobReference.projectId",
            "labels": "configuration.labels",
            **{
                f"query.{path}": f"configuration.query.{path}"
                for path in (
                    "query",
                    "useLegacySql",
                    "createDisposition",
                    "writeDisposition",
                    "destinationTable.projectId",
                    "destinationTable.datasetId",
                    "destinationTable.tableId",
                    "destinationEncryptionConfiguration.kmsKeyName",
                )
            },
        },
        {},
    ),
    # The provider takes an argument's dataType as the JSON of a StandardSqlDataType; the API, as the object.
    "gcp:bigquery/routine:Routine": (
        "bigquery.v2",
        "Routine",
        {
            **same("routineType", "language", "definitionBody", "description"),
            **same("arguments.name", "arguments.mode", "arguments.argumentKind"),
            "routineId": "routineReference.routineId",
            "datasetId": "routineReference.datasetId",
            "project": "routineReference.projectId",
        },
        {},
    ),
    "gcp:bigquery/table:Table": (
        "bigquery.v2",
        "Table",
        {
            **same("description", "requirePartitionFilter", "encryptionConfiguration.kmsKeyName"),
            **same("timePartitioning.type", "timePartitioning.field", "timePartitioning.expirationMs"),
            **same("view.query", "view.useLegacySql"),
            "tableId": "tableReference.tableId",
            "datasetId": "tableReference.datasetId",
            "project": "tableReference.projectId",
            "clusterings": "clustering.fields",
            **_LABELS,
        },
        {},
    ),
    "gcp:bigquery/rowAccessPolicy:RowAccessPolicy": (
        "bigquery.v2",
        "RowAccessPolicy",
        {
            **same("filterPredicate", "grantees"),
            "policyId": "rowAccessPolicyReference.policyId",
            "tableId": "rowAccessPolicyReference.tableId",
            "datasetId": "rowAccessPolicyReference.datasetId",
            "project": "rowAccessPolicyReference.projectId",
        },
        {},
    ),
    "gcp:bigquerydatapolicy/dataPolicy:DataPolicy": (
        "bigquerydatapolicy.v1",
        "DataPolicy",
        same("dataPolicyId", "dataPolicyType", "policyTag", "dataMaskingPolicy.predefinedExpression"),
        {},
    ),
    "gcp:bigquerydatapolicy/dataPolicyIamMember:DataPolicyIamMember": (
        "bigquerydatapolicy.v1",
        "Binding",
        _BINDING,
        {},
    ),
    "gcp:datacatalog/taxonomy:Taxonomy": (
        "datacatalog.v1",
        "GoogleCloudDatacatalogV1Taxonomy",
        same("displayName", "description", "activatedPolicyTypes"),
        {},
    ),
    "gcp:datacatalog/policyTag:PolicyTag": (
        "datacatalog.v1",
        "GoogleCloudDatacatalogV1PolicyTag",
        same("displayName", "description", "parentPolicyTag"),
        {},
    ),
    "gcp:datacatalog/policyTagIamMember:PolicyTagIamMember": ("datacatalog.v1", "Binding", _BINDING, {}),
    "gcp:secretmanager/secret:Secret": (
        "secretmanager.v1",
        "Secret",
        {
            **same("versionDestroyTtl", "ttl", "expireTime"),
            **same("replication.userManaged.replicas.location"),
            **same("replication.userManaged.replicas.customerManagedEncryption.kmsKeyName"),
            "replication.auto.customerManagedEncryption.kmsKeyName": (
                "replication.automatic.customerManagedEncryption.kmsKeyName"
            ),
            **_LABELS,
        },
        {},
    ),
    "gcp:secretmanager/secretIamMember:SecretIamMember": ("secretmanager.v1", "Binding", _BINDING, {}),
    "gcp:pubsub/topic:Topic": (
        "pubsub.v1",
        "Topic",
        {
            **same("name", "kmsKeyName", "messageRetentionDuration"),
            **same("messageStoragePolicy.allowedPersistenceRegions", "messageStoragePolicy.enforceInTransit"),
            **_LABELS,
        },
        {},
    ),
    "gcp:pubsub/topicIAMMember:TopicIAMMember": ("pubsub.v1", "Binding", _BINDING, {}),
    "gcp:logging/projectBucketConfig:ProjectBucketConfig": (
        "logging.v2",
        "LogBucket",
        {
            **same("description", "locked", "retentionDays", "cmekSettings.kmsKeyName"),
            "enableAnalytics": "analyticsEnabled",
        },
        {},
    ),
    "gcp:logging/projectSink:ProjectSink": (
        "logging.v2",
        "LogSink",
        same("name", "destination", "filter", "description", "disabled", "exclusions.name", "exclusions.filter"),
        {},
    ),
    "gcp:logging/projectExclusion:ProjectExclusion": (
        "logging.v2",
        "LogExclusion",
        same("name", "filter", "description", "disabled"),
        {},
    ),
    "gcp:logging/metric:Metric": (
        "logging.v2",
        "LogMetric",
        {
            **same("name", "filter", "description", "disabled"),
            **same("metricDescriptor.metricKind", "metricDescriptor.valueType", "metricDescriptor.unit"),
            **same("metricDescriptor.displayName"),
        },
        {},
    ),
    "gcp:projects/iAMMember:IAMMember": ("cloudresourcemanager.v3", "Binding", _BINDING, {}),
    "gcp:projects/iAMAuditConfig:IAMAuditConfig": (
        "cloudresourcemanager.v3",
        "AuditConfig",
        same("service", "auditLogConfigs.logType", "auditLogConfigs.exemptedMembers"),
        {},
    ),
    "gcp:serviceaccount/account:Account": ("iam.v1", "ServiceAccount", same("displayName", "description"), {}),
    "gcp:serviceaccount/iAMMember:IAMMember": ("iam.v1", "Binding", _BINDING, {}),
}
