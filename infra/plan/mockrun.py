"""Run the real Pulumi program under the SDK's mock engine, with a stack's own config file.

No cloud and no Pulumi CLI: resources are recorded as the engine would see them (type token,
camelCase inputs, protect flag). The mocks return the computed outputs a program reads
(ids, emails, writer identities) in the formats Google Cloud uses, so references between
resources look real in the plan.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import runpy
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime.sync_await import _sync_await

from infra.rules import Resource

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PROJECT_NAME = "hipaa"


def project_number(project_id: str) -> str:
    """A stable 12-digit number per project id, so references across projects stay distinct."""
    digest = int(hashlib.sha256(project_id.encode("utf-8")).hexdigest()[:12], 16)
    return str(100_000_000_000 + digest % 900_000_000_000)


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
        service = str(inputs.get("service", "unknown")).split(".")[0]
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


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """The SDK's mock monitor, keeping what it drops: protect, and the order of registration."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.protected: set[str] = set()
        self.order: list[str] = []
        self.inputs: dict[str, dict[str, Any]] = {}
        self.ignored: dict[str, list[str]] = {}

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type != "pulumi:pulumi:Stack":
            self.order.append(response.urn)
            self.inputs[response.urn] = dict(rpc.deserialize_properties(request.object))
            if request.protect:
                self.protected.add(response.urn)
            if request.ignoreChanges:
                self.ignored[response.urn] = list(request.ignoreChanges)
        return response

    def recorded(self) -> list[Resource]:
        """Everything registered, in order, as the rules see it (providers left out)."""
        recorded: list[Resource] = []
        for urn in self.order:
            type_token = urn.split("::")[2].split("$")[-1]
            if type_token.startswith("pulumi:providers:"):
                continue
            recorded.append(
                Resource(
                    type=type_token,
                    name=urn.split("::")[-1],
                    urn=urn,
                    inputs=self.inputs.get(urn, {}),
                    protect=urn in self.protected,
                )
            )
        return recorded


def stack_config(stack: str, root: Path = PROJECT_ROOT) -> dict[str, str]:
    """The stack file's `config:` block as the engine passes it: namespaced keys, string values."""
    path = root / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        raise FileNotFoundError(f"Pulumi.{stack}.yaml: no such stack file")
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    config: dict[str, str] = {}
    for key, value in (document.get("config") or {}).items():
        if isinstance(value, dict) and "secure" in value:
            config[key] = SECRET_PLACEHOLDER
        elif isinstance(value, str):
            config[key] = value
        else:
            config[key] = json.dumps(value)
    return config


def fresh_event_loop() -> None:
    """A new event loop per run. A run that failed (a test of a bad config does) leaves tasks
    pending on its loop; cancel them and close it, rather than leak them to interpreter exit."""
    try:
        previous = asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        previous = None
    if previous is not None and not previous.is_closed() and not previous.is_running():
        pending = asyncio.all_tasks(previous)
        for task in pending:
            task.cancel()
        if pending:
            previous.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        previous.close()
    asyncio.set_event_loop(asyncio.new_event_loop())
    # The SDK's tracked-outputs set outlives set_mocks; an output left by an earlier run belongs to a
    # loop that never runs again, and waiting on it would hang this run (pulumi.runtime.test clears it too).
    pulumi.runtime.settings.SETTINGS.outputs.clear()


def run_program(stack: str, config: dict[str, str] | None = None, root: Path = PROJECT_ROOT) -> list[Resource]:
    """Run `__main__.py` for a stack under mocks and return every resource it registered."""
    values = stack_config(stack, root) if config is None else config
    fresh_event_loop()
    pulumi.runtime.set_all_config(values)
    mocks = PlanMocks()
    monitor = RecordingMonitor(mocks)
    pulumi.runtime.set_mocks(mocks, project=PROJECT_NAME, stack=stack, preview=True, monitor=monitor)
    pulumi.runtime.settings.SETTINGS.rpc_manager.clear()
    program = str(root / "__main__.py")

    def run() -> None:
        runpy.run_path(program, run_name="__main__")

    _sync_await(pulumi.runtime.stack.run_pulumi_func(run))
    return monitor.recorded()
