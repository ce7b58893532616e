"""gcloud container (clusters, credentials, Binary Authorization attestations) and gcloud ai.

`container binauthz attestations sign-and-create` exists on the beta and alpha tracks only: the GA
command group refuses it (`Invalid choice`, exit 2), as the installed gcloud does (FACTS.md).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from pipeline.simulate.world.args import UsageError, parse
from pipeline.simulate.world.call import Call, RefusedError, Table

KUBECONFIG_KIND = "simulated-gke"


def clusters_list(call: Call) -> int:
    args = parse(call.argv, values=("--region", "--location", "--filter"))
    with call.state(write=False) as state:
        clusters = state["gke"]["clusters"] if args.require("--project") == state["env"]["project"] else []
    return call.emit(clusters, args.value("--format"))


def get_credentials(call: Call) -> int:
    args = parse(
        call.argv,
        positional=(1, 1),
        values=("--region", "--zone", "--location"),
        switches=("--dns-endpoint", "--internal-ip"),
    )
    name = args.positional[0]
    with call.state(write=False) as state:
        if not any(c["name"] == name for c in state["gke"]["clusters"]):
            raise RefusedError(
                f"ResponseError: code=404, message=Not found: "
                f"projects/{args.value('--project')}/locations/{args.value('--region')}/clusters/{name}."
            )
    target = Path(os.environ.get("KUBECONFIG") or Path(os.environ.get("HOME", ".")) / ".kube" / "config")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        json.dumps({"kind": KUBECONFIG_KIND, "cluster": name, "dnsEndpoint": args.has("--dns-endpoint")}),
        encoding="utf-8",
    )
    call.err.write(f"Fetching cluster endpoint and auth data.\nkubeconfig entry generated for {name}.\n")
    return 0


def ga_sign_and_create(_call: Call) -> int:
    raise UsageError("Invalid choice: 'sign-and-create'.")


def sign_and_create(call: Call) -> int:
    args = parse(call.argv, values=("--artifact-url", "--attestor", "--keyversion", "--note", "--validate"))
    image, attestor, version = args.require("--artifact-url"), args.require("--attestor"), args.require("--keyversion")
    with call.state() as state:
        key = version.split("/cryptoKeyVersions/")[0]
        if state["kms"]["keys"].get(key, {}).get("purpose") != "ASYMMETRIC_SIGN":
            raise RefusedError(f"NOT_FOUND: {version} is not an asymmetric signing key version")
        if attestor not in state["binauthz"]["attestors"]:
            raise RefusedError(f"NOT_FOUND: attestor {attestor} not found")
        payload = base64.b64encode(
            json.dumps({"critical": {"image": {"docker-manifest-digest": image.split("@")[-1]}}}).encode()
        ).decode()
        state["binauthz"]["attestations"].append(
            {
                "attestation": {
                    "serializedPayload": payload,
                    "signatures": [
                        {
                            "publicKeyId": f"//cloudkms.googleapis.com/v1/{version}",
                            "signature": hashlib.sha256(payload.encode()).hexdigest(),
                        }
                    ],
                },
                "kind": "ATTESTATION",
                "noteName": state["binauthz"]["attestors"][attestor],
                "resourceUri": f"https://{image}",
                "_attestor": attestor,
            }
        )
    return 0


def attestations_list(call: Call) -> int:
    args = parse(call.argv, values=("--attestor", "--artifact-url"))
    attestor, image = args.require("--attestor"), args.value("--artifact-url")
    with call.state(write=False) as state:
        found = [
            {k: v for k, v in a.items() if not k.startswith("_")}
            for a in state["binauthz"]["attestations"]
            if a["_attestor"] == attestor and (image is None or a["resourceUri"] == f"https://{image}")
        ]
    return call.emit(found, args.value("--format"))


def _endpoint(state: dict[str, Any], endpoint_id: str) -> dict[str, Any]:
    for endpoint in state["vertex"]["endpoints"]:
        if endpoint["name"].rsplit("/", maxsplit=1)[-1] == endpoint_id:
            return endpoint  # type: ignore[no-any-return]
    raise RefusedError(f"NOT_FOUND: Endpoint {endpoint_id} not found")


def endpoints_list(call: Call) -> int:
    args = parse(call.argv, values=("--region", "--filter"))
    with call.state(write=False) as state:
        return call.emit(state["vertex"]["endpoints"], args.value("--format"))


def endpoints_describe(call: Call) -> int:
    args = parse(call.argv, positional=(1, 1), values=("--region",))
    with call.state(write=False) as state:
        return call.emit(_endpoint(state, args.positional[0]), args.value("--format"))


def deploy_model(call: Call) -> int:
    values = (
        "--region",
        "--model",
        "--display-name",
        "--machine-type",
        "--min-replica-count",
        "--max-replica-count",
        "--traffic-split",
    )
    args = parse(call.argv, positional=(1, 1), values=values, switches=("--disable-container-logging",))
    with call.state() as state:
        endpoint = _endpoint(state, args.positional[0])
        models = [
            m for m in state["vertex"]["models"] if m["name"].rsplit("/", maxsplit=1)[-1] == args.require("--model")
        ]
        if not models:
            raise RefusedError(f"NOT_FOUND: Model {args.value('--model')} not found")
        deployed_id = str(4_400_000_000_000_000 + len(endpoint.get("deployedModels", [])))
        endpoint.setdefault("deployedModels", []).append(
            {
                "id": deployed_id,
                "model": models[0]["name"],
                "displayName": args.require("--display-name"),
                "dedicatedResources": {"machineSpec": {"machineType": args.value("--machine-type")}},
                "disableContainerLogging": args.has("--disable-container-logging"),
                **(
                    {
                        "privateEndpoints": {
                            "predictHttpUri": (
                                f"https://{endpoint['name'].rsplit('/', 1)[-1]}"
                                f".{state['env']['region']}-aiplatform.googleapis.com/predict"
                            )
                        }
                    }
                    if endpoint.get("network")
                    else {}
                ),
            }
        )
        endpoint["trafficSplit"] = {deployed_id: 100}
    return 0


def models_list(call: Call) -> int:
    args = parse(call.argv, values=("--region", "--filter"))
    with call.state(write=False) as state:
        return call.emit(state["vertex"]["models"], args.value("--format"))


COMMANDS: Table = {
    ("container", "clusters", "list"): clusters_list,
    ("container", "clusters", "get-credentials"): get_credentials,
    ("container", "binauthz", "attestations", "sign-and-create"): ga_sign_and_create,
    ("beta", "container", "binauthz", "attestations", "sign-and-create"): sign_and_create,
    ("alpha", "container", "binauthz", "attestations", "sign-and-create"): sign_and_create,
    ("container", "binauthz", "attestations", "list"): attestations_list,
    ("ai", "endpoints", "list"): endpoints_list,
    ("ai", "endpoints", "describe"): endpoints_describe,
    ("ai", "endpoints", "deploy-model"): deploy_model,
    ("ai", "models", "list"): models_list,
}
