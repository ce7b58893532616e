"""What the mock engine answers for each resource and data source: the outputs Google Cloud computes.

The mocks echo inputs back as outputs and add what the provider would compute (ids, emails, writer
identities, self links) in the formats Google Cloud uses, so references between resources look real
in the plan.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from typing import Any

import pulumi


def project_number(project_id: str) -> str:
    """A stable 12-digit number per project id, so references across projects stay distinct."""
    digest = int(hashlib.sha256(project_id.encode("utf-8")).hexdigest()[:12], 16)
    return str(100_000_000_000 + digest % 900_000_000_000)


def planned_project_numbers(projects: Iterable[object]) -> dict[str, str]:
    """The numbers the mocks gave the planned projects, for rules that name service agents by number."""
    return {str(p): project_number(str(p)) for p in projects if p}


SECRET_PLACEHOLDER = "[offline-plan: secret value not decrypted]"
# Offline only: the public half of a P-256 key whose private half was discarded when it was made.
# In a real run the attestor's key comes from Cloud KMS (the image-signing key's first version).
MOCK_SIGNING_PEM = (
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE5h8zm+fy3Jrq9ngTjN12ZIors01Q\n"
    "TQltkTOHFQy5l6Bz+NgYxOtXE/HL+fWe7YgSsolrirRoqvEF24Q66tzvew==\n"
    "-----END PUBLIC KEY-----\n"
)
KEY_VERSION_CALL = "gcp:kms/getKMSCryptoKeyVersion:getKMSCryptoKeyVersion"


# Global compute resources and the collection their ids and self links name.
_GLOBAL_COMPUTE = {
    "gcp:compute/network:Network": "networks",
    "gcp:compute/globalAddress:GlobalAddress": "addresses",
    "gcp:compute/firewall:Firewall": "firewalls",
    "gcp:compute/route:Route": "routes",
}


# Regional compute resources, and resources of other APIs named under a location, by collection.
_REGIONAL_COMPUTE = {
    "gcp:compute/address:Address": "addresses",
    "gcp:compute/regionSslPolicy:RegionSslPolicy": "sslPolicies",
}
_LOCATED = {
    "gcp:certificateauthority/caPool:CaPool": "caPools",
    "gcp:certificatemanager/certificateIssuanceConfig:CertificateIssuanceConfig": "certificateIssuanceConfigs",
    "gcp:certificatemanager/certificate:Certificate": "certificates",
}


def _project(inputs: dict[str, Any]) -> str:
    return str(inputs.get("project") or "mock-project")


def _computed(type_token: str, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The id and extra outputs Google Cloud would return for a new resource."""
    project = _project(inputs)
    resource_name = str(inputs.get("name") or name)
    outputs: dict[str, Any] = {"name": resource_name}
    if type_token == "gcp:kms/keyRing:KeyRing":
        rid = f"projects/{project}/locations/{inputs.get('location')}/keyRings/{resource_name}"
    elif type_token == "gcp:kms/cryptoKey:CryptoKey":
        rid = f"{inputs.get('keyRing')}/cryptoKeys/{resource_name}"
    elif type_token == "gcp:serviceaccount/account:Account":
        email = f"{inputs.get('accountId')}@{project}.iam.gserviceaccount.com"
        rid = f"projects/{project}/serviceAccounts/{email}"
        outputs.update(email=email, member=f"serviceAccount:{email}", name=rid)
    elif type_token == "gcp:projects/serviceIdentity:ServiceIdentity":
        service = str(inputs.get("service", "unknown")).split(".", maxsplit=1)[0]
        email = f"service-{project_number(project)}@gcp-sa-{service}.iam.gserviceaccount.com"
        rid = f"projects/{project}/services/{inputs.get('service')}"
        outputs.update(email=email, member=f"serviceAccount:{email}")
    elif type_token == "gcp:logging/projectSink:ProjectSink":
        rid = f"projects/{project}/sinks/{resource_name}"
        outputs["writerIdentity"] = (
            f"serviceAccount:service-{project_number(project)}@gcp-sa-logging.iam.gserviceaccount.com"
        )
    elif type_token == "gcp:pubsub/topic:Topic":
        rid = f"projects/{project}/topics/{resource_name}"
    elif type_token == "gcp:monitoring/notificationChannel:NotificationChannel":
        # Monitoring assigns the channel's numeric id; a stable one per logical name stands in.
        rid = f"projects/{project}/notificationChannels/{project_number(name)}"
        outputs["name"] = rid
    elif type_token == "gcp:storage/bucket:Bucket":
        rid = resource_name
        outputs["url"] = f"gs://{resource_name}"
    elif type_token in _REGIONAL_COMPUTE:
        rid = f"projects/{project}/regions/{inputs.get('region')}/{_REGIONAL_COMPUTE[type_token]}/{resource_name}"
        outputs["selfLink"] = f"https://www.googleapis.com/compute/v1/{rid}"
    elif type_token in _LOCATED:
        rid = f"projects/{project}/locations/{inputs.get('location')}/{_LOCATED[type_token]}/{resource_name}"
    elif type_token in _GLOBAL_COMPUTE:
        rid = f"projects/{project}/global/{_GLOBAL_COMPUTE[type_token]}/{resource_name}"
        outputs["selfLink"] = f"https://www.googleapis.com/compute/v1/{rid}"
    elif type_token == "gcp:compute/subnetwork:Subnetwork":
        rid = f"projects/{project}/regions/{inputs.get('region')}/subnetworks/{resource_name}"
        outputs["selfLink"] = f"https://www.googleapis.com/compute/v1/{rid}"
    elif type_token.startswith("gcp:compute/"):
        rid = f"projects/{project}/{type_token.rsplit('/', maxsplit=1)[-1].split(':', maxsplit=1)[0]}s/{resource_name}"
        outputs["selfLink"] = f"https://www.googleapis.com/compute/v1/{rid}"
    elif type_token == "gcp:servicenetworking/connection:Connection":
        rid = f"{inputs.get('network')}:{inputs.get('service')}"
        # The peering Service Networking creates is named after the service.
        outputs["peering"] = str(inputs.get("service", "")).replace(".", "-")
    elif type_token == "gcp:cloudbuild/trigger:Trigger":
        # Cloud Build assigns a UUID; a stable one per project and name stands in.
        trigger_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{project}/{resource_name}"))
        rid = f"projects/{project}/locations/{inputs.get('location')}/triggers/{trigger_id}"
        outputs["triggerId"] = trigger_id
    elif type_token == "gcp:dns/managedZone:ManagedZone":
        rid = f"projects/{project}/managedZones/{resource_name}"
    elif type_token == "gcp:dns/policy:Policy":
        rid = f"projects/{project}/policies/{resource_name}"
    elif type_token == "gcp:accesscontextmanager/servicePerimeter:ServicePerimeter":
        rid = resource_name  # already the full `accessPolicies/P/servicePerimeters/N`
    else:
        rid = f"{resource_name}-id"
    outputs["id"] = rid
    return rid, outputs


class PlanMocks(pulumi.runtime.Mocks):
    """Echo inputs back as outputs, adding what the provider would compute."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        inputs = dict(args.inputs)
        if not args.custom:
            return f"{args.name}-component", inputs
        rid, computed = _computed(args.typ, args.name, inputs)
        return rid, {**computed, **inputs}

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        if args.token == "gcp:organizations/getProject:getProject":
            project = args.args.get("projectId") or "mock-project"
            return {"number": project_number(project), "projectId": project, "name": project}, []
        if args.token == KEY_VERSION_CALL:
            return self.key_version(args.args, MOCK_SIGNING_PEM), []
        if args.token == "gcp:logging/getProjectCmekSettings:getProjectCmekSettings":
            # projects.getCmekSettings: the agent that encrypts the project's CMEK log buckets.
            project = args.args.get("project") or "mock-project"
            name = f"projects/{project}/cmekSettings"
            agent = f"service-{project_number(project)}@gcp-sa-logging.iam.gserviceaccount.com"
            return {"id": name, "name": name, "project": project, "serviceAccountId": agent}, []
        return dict(args.args), []

    @staticmethod
    def key_version(args: dict[str, Any], pem: str | None) -> dict[str, Any]:
        """A Cloud KMS key version as the data source returns it: algorithm and public key."""
        keys = [{"algorithm": "EC_SIGN_P256_SHA256", "pem": pem}] if pem else []
        return {**args, "publicKeys": keys, "algorithm": "EC_SIGN_P256_SHA256"}
