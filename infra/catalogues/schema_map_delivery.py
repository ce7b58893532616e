"""Schema mappings of delivery, analytics and monitoring: registry, Binary Authorization, builds, Vertex, alerts."""

from __future__ import annotations

from infra.catalogues.schema_map_data import Raw, same

_LABELS = same("labels")
_DISK = ("diskType", "diskSizeGb", "diskEncryption", "kmsKey")

DELIVERY_MAPPINGS: dict[str, Raw] = {
    "gcp:artifactregistry/repository:Repository": (
        "artifactregistry.v1",
        "Repository",
        {
            **same("format", "mode", "description", "kmsKeyName", "cleanupPolicyDryRun", "dockerConfig.immutableTags"),
            **same("remoteRepositoryConfig.dockerRepository.publicRepository"),
            **same("remoteRepositoryConfig.dockerRepository.customRepository.uri"),
            **same("remoteRepositoryConfig.pythonRepository.publicRepository"),
            # pulumi lists the policies; the API keys them by id in a map.
            "cleanupPolicies.action": "cleanupPolicies.*.action",
            "cleanupPolicies.condition.tagState": "cleanupPolicies.*.condition.tagState",
            "cleanupPolicies.condition.olderThan": "cleanupPolicies.*.condition.olderThan",
            "cleanupPolicies.mostRecentVersions.keepCount": "cleanupPolicies.*.mostRecentVersions.keepCount",
            **_LABELS,
        },
        {},
    ),
    "gcp:artifactregistry/vpcscConfig:VpcscConfig": ("artifactregistry.v1", "VPCSCConfig", same("vpcscPolicy"), {}),
    "gcp:binaryauthorization/policy:Policy": (
        "binaryauthorization.v1",
        "Policy",
        {
            **same("description", "globalPolicyEvaluationMode"),
            **same("defaultAdmissionRule.evaluationMode", "defaultAdmissionRule.enforcementMode"),
            "defaultAdmissionRule.requireAttestationsBies": "defaultAdmissionRule.requireAttestationsBy",
        },
        {},
    ),
    "gcp:binaryauthorization/attestor:Attestor": (
        "binaryauthorization.v1",
        "Attestor",
        {
            "name": "name",
            "attestationAuthorityNote.noteReference": "userOwnedGrafeasNote.noteReference",
            "attestationAuthorityNote.publicKeys.id": "userOwnedGrafeasNote.publicKeys.id",
            "attestationAuthorityNote.publicKeys.pkixPublicKey.publicKeyPem": (
                "userOwnedGrafeasNote.publicKeys.pkixPublicKey.publicKeyPem"
            ),
            "attestationAuthorityNote.publicKeys.pkixPublicKey.signatureAlgorithm": (
                "userOwnedGrafeasNote.publicKeys.pkixPublicKey.signatureAlgorithm"
            ),
        },
        {},
    ),
    "gcp:containeranalysis/note:Note": (
        "containeranalysis.v1",
        "Note",
        {"attestationAuthority.hint.humanReadableName": "attestation.hint.humanReadableName"},
        {},
    ),
    "gcp:cloudbuild/workerPool:WorkerPool": (
        "cloudbuild.v1",
        "WorkerPool",
        {
            "displayName": "displayName",
            "networkConfig.peeredNetwork": "privatePoolV1Config.networkConfig.peeredNetwork",
            "networkConfig.peeredNetworkIpRange": "privatePoolV1Config.networkConfig.peeredNetworkIpRange",
            "workerConfig.machineType": "privatePoolV1Config.workerConfig.machineType",
            "workerConfig.diskSizeGb": "privatePoolV1Config.workerConfig.diskSizeGb",
            "workerConfig.enableNestedVirtualization": "privatePoolV1Config.workerConfig.enableNestedVirtualization",
        },
        {},
    ),
    "gcp:cloudbuild/trigger:Trigger": (
        "cloudbuild.v1",
        "BuildTrigger",
        {
            **same("name", "description", "disabled", "filename", "serviceAccount", "includeBuildLogs", "tags"),
            **same("substitutions", "approvalConfig.approvalRequired", "github.owner", "github.name"),
            **same("github.push.branch", "github.push.tag", "github.push.invertRegex"),
        },
        {},
    ),
    "gcp:monitoring/notificationChannel:NotificationChannel": (
        "monitoring.v3",
        "NotificationChannel",
        same("type", "displayName", "description", "enabled", "labels", "userLabels"),
        {},
    ),
    "gcp:monitoring/alertPolicy:AlertPolicy": (
        "monitoring.v3",
        "AlertPolicy",
        {
            **same("displayName", "combiner", "enabled", "severity", "notificationChannels", "userLabels"),
            **same("alertStrategy.autoClose", "alertStrategy.notificationPrompts"),
            **same("documentation.content", "documentation.mimeType", "documentation.subject"),
            **same("conditions.displayName", "conditions.conditionThreshold.filter"),
            **same("conditions.conditionThreshold.comparison", "conditions.conditionThreshold.duration"),
            **same("conditions.conditionThreshold.thresholdValue", "conditions.conditionThreshold.trigger.count"),
            **same("conditions.conditionThreshold.evaluationMissingData"),
            **same("conditions.conditionThreshold.aggregations.alignmentPeriod"),
            **same("conditions.conditionThreshold.aggregations.perSeriesAligner"),
            **same("conditions.conditionThreshold.aggregations.crossSeriesReducer"),
        },
        {},
    ),
    "gcp:vertex/aiEndpoint:AiEndpoint": (
        "aiplatform.v1",
        "GoogleCloudAiplatformV1Endpoint",
        {
            **same("displayName", "description", "network", "encryptionSpec.kmsKeyName"),
            **same("predictRequestResponseLoggingConfig.enabled"),
            **_LABELS,
        },
        {},
    ),
    "gcp:vertex/aiMetadataStore:AiMetadataStore": (
        "aiplatform.v1",
        "GoogleCloudAiplatformV1MetadataStore",
        same("description", "encryptionSpec.kmsKeyName"),
        {},
    ),
    "gcp:workbench/instance:Instance": (
        "notebooks.v2",
        "Instance",
        {
            **same("disableProxyAccess", "enableDeletionProtection", "enableThirdPartyIdentity", "instanceOwners"),
            **same("gceSetup.machineType", "gceSetup.disablePublicIp", "gceSetup.enableIpForwarding"),
            **same("gceSetup.metadata", "gceSetup.serviceAccounts.email"),
            **same("gceSetup.networkInterfaces.network", "gceSetup.networkInterfaces.subnet"),
            **same("gceSetup.networkInterfaces.nicType"),
            **same("gceSetup.shieldedInstanceConfig.enableSecureBoot", "gceSetup.shieldedInstanceConfig.enableVtpm"),
            **same("gceSetup.shieldedInstanceConfig.enableIntegrityMonitoring"),
            **{f"gceSetup.bootDisk.{p}": f"gceSetup.bootDisk.{p}" for p in _DISK},
            **{f"gceSetup.dataDisks.{p}": f"gceSetup.dataDisks.{p}" for p in _DISK},
            **_LABELS,
        },
        {},
    ),
}
