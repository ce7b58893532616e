"""Schema mappings of the platform resources: network, clusters, notebooks, delivery, perimeter, policy, alerts."""

from __future__ import annotations

from infra.catalogues.schema_map_data import Raw, same

_LABELS = same("labels")
_PERIMETER_CONFIG = (
    "restrictedServices",
    "resources",
    "accessLevels",
    "vpcAccessibleServices.enableRestriction",
    "vpcAccessibleServices.allowedServices",
    "ingressPolicies.title",
    "ingressPolicies.ingressFrom.identities",
    "ingressPolicies.ingressFrom.identityType",
    "ingressPolicies.ingressFrom.sources.accessLevel",
    "ingressPolicies.ingressFrom.sources.resource",
    "ingressPolicies.ingressTo.resources",
    "ingressPolicies.ingressTo.operations.serviceName",
    "ingressPolicies.ingressTo.operations.methodSelectors.method",
    "ingressPolicies.ingressTo.operations.methodSelectors.permission",
    "egressPolicies.title",
    "egressPolicies.egressFrom.identities",
    "egressPolicies.egressFrom.identityType",
    "egressPolicies.egressTo.resources",
    "egressPolicies.egressTo.operations.serviceName",
    "egressPolicies.egressTo.operations.methodSelectors.method",
    "egressPolicies.egressTo.operations.methodSelectors.permission",
)
_GKE_NODE = (
    "machineType",
    "diskSizeGb",
    "diskType",
    "imageType",
    "bootDiskKmsKey",
    "serviceAccount",
    "oauthScopes",
    "metadata",
    "resourceLabels",
    "shieldedInstanceConfig.enableSecureBoot",
    "shieldedInstanceConfig.enableIntegrityMonitoring",
    "workloadMetadataConfig.mode",
)
_DATAPROC_GROUP = ("numInstances", "diskConfig.bootDiskSizeGb", "diskConfig.bootDiskType")
_DATAPROC_GCE = (
    "internalIpOnly",
    "serviceAccount",
    "serviceAccountScopes",
    "tags",
    "metadata",
    "shieldedInstanceConfig.enableSecureBoot",
    "shieldedInstanceConfig.enableVtpm",
    "shieldedInstanceConfig.enableIntegrityMonitoring",
)

PLATFORM_MAPPINGS: dict[str, Raw] = {
    "gcp:compute/network:Network": (
        "compute.v1",
        "Network",
        {**same("name", "description", "autoCreateSubnetworks"), "routingMode": "routingConfig.routingMode"},
        {},
    ),
    "gcp:compute/subnetwork:Subnetwork": (
        "compute.v1",
        "Subnetwork",
        {
            **same("name", "description", "ipCidrRange", "region", "privateIpGoogleAccess", "purpose", "stackType"),
            **same("role"),
            **same("logConfig.aggregationInterval", "logConfig.flowSampling", "logConfig.metadata"),
            **same("secondaryIpRanges.rangeName", "secondaryIpRanges.ipCidrRange"),
        },
        {},
    ),
    "gcp:compute/firewall:Firewall": (
        "compute.v1",
        "Firewall",
        {
            **same("name", "description", "direction", "priority", "disabled", "sourceRanges", "destinationRanges"),
            **same("sourceTags", "targetTags", "targetServiceAccounts", "logConfig.metadata"),
            "allows.protocol": "allowed.IPProtocol",
            "allows.ports": "allowed.ports",
            "denies.protocol": "denied.IPProtocol",
            "denies.ports": "denied.ports",
        },
        {},
    ),
    "gcp:compute/route:Route": (
        "compute.v1",
        "Route",
        same("name", "description", "destRange", "priority", "nextHopGateway", "tags"),
        {},
    ),
    "gcp:compute/globalAddress:GlobalAddress": (
        "compute.v1",
        "Address",
        {**same("name", "description", "address", "addressType", "purpose", "prefixLength"), **_LABELS},
        {},
    ),
    "gcp:compute/networkPeeringRoutesConfig:NetworkPeeringRoutesConfig": (
        "compute.v1",
        "NetworkPeering",
        {
            **same("exportCustomRoutes", "importCustomRoutes"),
            **same("exportSubnetRoutesWithPublicIp", "importSubnetRoutesWithPublicIp"),
            "peering": "name",
        },
        {},
    ),
    "gcp:servicenetworking/connection:Connection": (
        "servicenetworking.v1",
        "Connection",
        same("network", "service", "reservedPeeringRanges"),
        {},
    ),
    # The consumer network and the service are the request's path (services/*/projects/*/global/networks/*).
    "gcp:servicenetworking/peeredDnsDomain:PeeredDnsDomain": (
        "servicenetworking.v1",
        "PeeredDnsDomain",
        same("name", "dnsSuffix"),
        {},
    ),
    "gcp:servicenetworking/vpcServiceControls:VpcServiceControls": (
        "servicenetworking.v1",
        "VpcServiceControls",
        same("enabled"),
        {},
    ),
    "gcp:dns/managedZone:ManagedZone": (
        "dns.v1",
        "ManagedZone",
        {
            **same("name", "description", "dnsName", "visibility", "privateVisibilityConfig.networks.networkUrl"),
            **_LABELS,
        },
        {},
    ),
    "gcp:dns/policy:Policy": (
        "dns.v1",
        "Policy",
        same("name", "description", "enableInboundForwarding", "enableLogging", "networks.networkUrl"),
        {},
    ),
    "gcp:dns/recordSet:RecordSet": ("dns.v1", "ResourceRecordSet", same("name", "type", "ttl", "rrdatas"), {}),
    "gcp:container/cluster:Cluster": (
        "container.v1",
        "Cluster",
        {
            **same("name", "location", "network", "subnetwork", "initialNodeCount", "enableKubernetesAlpha"),
            **same("binaryAuthorization.evaluationMode", "databaseEncryption.state", "databaseEncryption.keyName"),
            **same("releaseChannel.channel", "workloadIdentityConfig.workloadPool"),
            **same("securityPostureConfig.mode", "securityPostureConfig.vulnerabilityMode"),
            **same("privateClusterConfig.enablePrivateNodes", "privateClusterConfig.enablePrivateEndpoint"),
            **same(
                "privateClusterConfig.masterIpv4CidrBlock", "masterAuth.clientCertificateConfig.issueClientCertificate"
            ),
            **same("ipAllocationPolicy.clusterSecondaryRangeName", "ipAllocationPolicy.servicesSecondaryRangeName"),
            **same("ipAllocationPolicy.stackType", "controlPlaneEndpointsConfig.ipEndpointsConfig.enabled"),
            **same("controlPlaneEndpointsConfig.dnsEndpointConfig.allowExternalTraffic"),
            **same("masterAuthorizedNetworksConfig.cidrBlocks.cidrBlock"),
            **same("masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled"),
            **same("masterAuthorizedNetworksConfig.privateEndpointEnforcementEnabled"),
            "datapathProvider": "networkConfig.datapathProvider",
            "gatewayApiConfig.channel": "networkConfig.gatewayApiConfig.channel",
            "enableIntranodeVisibility": "networkConfig.enableIntraNodeVisibility",
            "enableLegacyAbac": "legacyAbac.enabled",
            "enableShieldedNodes": "shieldedNodes.enabled",
            "loggingConfig.enableComponents": "loggingConfig.componentConfig.enableComponents",
            "monitoringConfig.enableComponents": "monitoringConfig.componentConfig.enableComponents",
            "monitoringConfig.managedPrometheus.enabled": "monitoringConfig.managedPrometheusConfig.enabled",
            "resourceLabels": "resourceLabels",
        },
        {},
    ),
    "gcp:container/nodePool:NodePool": (
        "container.v1",
        "NodePool",
        {
            **same("name", "autoscaling.minNodeCount", "autoscaling.maxNodeCount"),
            **same("management.autoRepair", "management.autoUpgrade"),
            **{f"nodeConfig.{path}": f"config.{path}" for path in _GKE_NODE},
            "nodeCount": "initialNodeCount",
        },
        {},
    ),
    "gcp:dataproc/cluster:Cluster": (
        "dataproc.v1",
        "Cluster",
        {
            "name": "clusterName",
            "project": "projectId",
            **_LABELS,
            **{f"clusterConfig.masterConfig.{p}": f"config.masterConfig.{p}" for p in _DATAPROC_GROUP},
            **{f"clusterConfig.workerConfig.{p}": f"config.workerConfig.{p}" for p in _DATAPROC_GROUP},
            "clusterConfig.masterConfig.machineType": "config.masterConfig.machineTypeUri",
            "clusterConfig.workerConfig.machineType": "config.workerConfig.machineTypeUri",
            **{f"clusterConfig.gceClusterConfig.{p}": f"config.gceClusterConfig.{p}" for p in _DATAPROC_GCE},
            "clusterConfig.gceClusterConfig.subnetwork": "config.gceClusterConfig.subnetworkUri",
            "clusterConfig.encryptionConfig.kmsKeyName": "config.encryptionConfig.gcePdKmsKeyName",
            "clusterConfig.endpointConfig.enableHttpPortAccess": "config.endpointConfig.enableHttpPortAccess",
            "clusterConfig.lifecycleConfig.idleDeleteTtl": "config.lifecycleConfig.idleDeleteTtl",
            "clusterConfig.autoscalingConfig.policyUri": "config.autoscalingConfig.policyUri",
            "clusterConfig.softwareConfig.imageVersion": "config.softwareConfig.imageVersion",
            "clusterConfig.softwareConfig.optionalComponents": "config.softwareConfig.optionalComponents",
            "clusterConfig.softwareConfig.properties": "config.softwareConfig.properties",
            "clusterConfig.stagingBucket": "config.configBucket",
            "clusterConfig.tempBucket": "config.tempBucket",
            **{
                f"clusterConfig.securityConfig.kerberosConfig.{p}": f"config.securityConfig.kerberosConfig.{p}"
                for p in ("enableKerberos", "kmsKeyUri", "rootPrincipalPasswordUri")
            },
        },
        {},
    ),
    "gcp:dataproc/autoscalingPolicy:AutoscalingPolicy": (
        "dataproc.v1",
        "AutoscalingPolicy",
        {
            "policyId": "id",
            **same("workerConfig.minInstances", "workerConfig.maxInstances", "basicAlgorithm.cooldownPeriod"),
            **same("basicAlgorithm.yarnConfig.scaleUpFactor", "basicAlgorithm.yarnConfig.scaleDownFactor"),
            **same("basicAlgorithm.yarnConfig.gracefulDecommissionTimeout"),
        },
        {},
    ),
}

PLATFORM_MAPPINGS.update(
    {
        "gcp:orgpolicy/policy:Policy": (
            "orgpolicy.v2",
            "GoogleCloudOrgpolicyV2Policy",
            {
                "spec.inheritFromParent": "spec.inheritFromParent",
                "spec.reset": "spec.reset",
                "spec.rules.enforce": "spec.rules.enforce|tf_bool",
                "spec.rules.allowAll": "spec.rules.allowAll|tf_bool",
                "spec.rules.denyAll": "spec.rules.denyAll|tf_bool",
                **same("spec.rules.values.allowedValues", "spec.rules.values.deniedValues"),
            },
            {},
        ),
        "gcp:accesscontextmanager/servicePerimeter:ServicePerimeter": (
            "accesscontextmanager.v1",
            "ServicePerimeter",
            {
                **same("title", "description", "perimeterType", "useExplicitDryRunSpec"),
                **{f"{block}.{p}": f"{block}.{p}" for block in ("status", "spec") for p in _PERIMETER_CONFIG},
            },
            {},
        ),
    }
)
