"""Rules for labels: every labelled resource of the environment says it is HIPAA, PHI and whose it is.

An inventory of where ePHI lives (Cloud Asset Inventory, billing export, Security Command Center)
finds resources by these labels; one that lacks them drops out of the risk analysis.
"""

from __future__ import annotations

from collections.abc import Mapping

from infra.rules import Context, Resource, Rule
from infra.rules.baseline import ENVIRONMENT_LABEL, REQUIRED_LABELS

INVENTORY = "45 CFR 164.308(a)(1)(ii)(A)"
# Labelled types and the input their Google Cloud labels are in (GKE's `resourceLabels`, Cloud
# Monitoring's `userLabels`: a notification channel's `labels` are its channel settings).
LABEL_FIELDS: dict[str, str] = {
    "gcp:artifactregistry/repository:Repository": "labels",
    "gcp:bigquery/dataset:Dataset": "labels",
    "gcp:bigquery/table:Table": "labels",
    "gcp:certificateauthority/authority:Authority": "labels",
    "gcp:certificateauthority/caPool:CaPool": "labels",
    "gcp:certificatemanager/certificate:Certificate": "labels",
    "gcp:certificatemanager/certificateIssuanceConfig:CertificateIssuanceConfig": "labels",
    "gcp:compute/address:Address": "labels",
    "gcp:bigquery/job:Job": "labels",
    "gcp:compute/globalAddress:GlobalAddress": "labels",
    "gcp:container/cluster:Cluster": "resourceLabels",
    "gcp:dataproc/cluster:Cluster": "labels",
    "gcp:dns/managedZone:ManagedZone": "labels",
    "gcp:kms/cryptoKey:CryptoKey": "labels",
    "gcp:monitoring/alertPolicy:AlertPolicy": "userLabels",
    "gcp:monitoring/notificationChannel:NotificationChannel": "userLabels",
    "gcp:pubsub/topic:Topic": "labels",
    "gcp:secretmanager/secret:Secret": "labels",
    "gcp:storage/bucket:Bucket": "labels",
    "gcp:vertex/aiEndpoint:AiEndpoint": "labels",
    "gcp:workbench/instance:Instance": "labels",
}


def required_labels(environment: str) -> dict[str, str]:
    return {**REQUIRED_LABELS, ENVIRONMENT_LABEL: environment}


def labelled(resource: Resource, context: Context) -> str | None:
    field = LABEL_FIELDS[resource.type]
    labels = resource.inputs.get(field)
    present: Mapping[str, object] = labels if isinstance(labels, Mapping) else {}
    wrong = [
        f"{key}={present.get(key, '(missing)')}"
        for key, value in required_labels(context.environment).items()
        if present.get(key) != value
    ]
    if not wrong:
        return None
    expected = ", ".join(f"{k}={v}" for k, v in required_labels(context.environment).items())
    return f"{field} has {', '.join(wrong)}; every labelled resource carries {expected}"


RULES = [
    Rule(
        "LBL-01",
        INVENTORY,
        "every labelled resource carries compliance=hipaa, data-classification=phi and its environment",
        tuple(LABEL_FIELDS),
        labelled,
    ),
]
