"""Schema mappings of the API's HTTPS edge: SSL policy, internal address, private CA and its certificate."""

from __future__ import annotations

from infra.catalogues.schema_map_data import Raw, same

_LABELS = same("labels")
_BINDING = {"role": "role", "member": "members"}
# A CA's or a pool's X.509 values, under the path each resource keeps them at.
_X509 = (
    "caOptions.isCa",
    "caOptions.maxIssuerPathLength",
    "keyUsage.baseKeyUsage.certSign",
    "keyUsage.baseKeyUsage.crlSign",
    "keyUsage.baseKeyUsage.digitalSignature",
    "keyUsage.baseKeyUsage.keyEncipherment",
    "keyUsage.extendedKeyUsage.serverAuth",
    "keyUsage.extendedKeyUsage.clientAuth",
)

EDGE_MAPPINGS: dict[str, Raw] = {
    "gcp:compute/regionSslPolicy:RegionSslPolicy": (
        "compute.v1",
        "SslPolicy",
        same("name", "description", "region", "minTlsVersion", "profile", "customFeatures"),
        {},
    ),
    "gcp:compute/address:Address": (
        "compute.v1",
        "Address",
        {**same("name", "description", "region", "address", "addressType", "purpose", "subnetwork"), **_LABELS},
        {},
    ),
    "gcp:certificateauthority/caPool:CaPool": (
        "privateca.v1",
        "CaPool",
        {
            **same("tier", "encryptionSpec.cloudKmsKey", "publishingOptions.publishCaCert"),
            **same("publishingOptions.publishCrl", "issuancePolicy.maximumLifetime"),
            **{f"issuancePolicy.baselineValues.{path}": f"issuancePolicy.baselineValues.{path}" for path in _X509},
            **_LABELS,
        },
        {},
    ),
    "gcp:certificateauthority/authority:Authority": (
        "privateca.v1",
        "CertificateAuthority",
        {
            **same("type", "lifetime", "keySpec.algorithm", "keySpec.cloudKmsKeyVersion", "gcsBucket"),
            **same("config.subjectConfig.subject.organization", "config.subjectConfig.subject.commonName"),
            **{f"config.x509Config.{path}": f"config.x509Config.{path}" for path in _X509},
            **_LABELS,
        },
        {},
    ),
    "gcp:certificateauthority/caPoolIamMember:CaPoolIamMember": ("privateca.v1", "Binding", _BINDING, {}),
    "gcp:certificatemanager/certificateIssuanceConfig:CertificateIssuanceConfig": (
        "certificatemanager.v1",
        "CertificateIssuanceConfig",
        {
            **same("description", "keyAlgorithm", "lifetime", "rotationWindowPercentage"),
            **same("certificateAuthorityConfig.certificateAuthorityServiceConfig.caPool"),
            **_LABELS,
        },
        {},
    ),
    "gcp:certificatemanager/certificate:Certificate": (
        "certificatemanager.v1",
        "Certificate",
        {
            **same("description", "scope", "managed.domains", "managed.issuanceConfig"),
            **same("managed.dnsAuthorizations", "selfManaged.pemCertificate"),
            **_LABELS,
        },
        {},
    ),
}
