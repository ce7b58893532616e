"""Rules for Vertex AI: Workbench without public IP or root, CMEK everywhere, private endpoints."""

from __future__ import annotations

import re

from infra.rules import Context, Resource, Rule, dig

WORKBENCH = "gcp:workbench/instance:Instance"
ENDPOINT = "gcp:vertex/aiEndpoint:AiEndpoint"
METADATA_STORE = "gcp:vertex/aiMetadataStore:AiMetadataStore"
_PEERED_NETWORK = re.compile(r"^projects/[0-9]+/global/networks/[a-z0-9-]+$")


def no_public_ip(resource: Resource, _: Context) -> str | None:
    if dig(resource.inputs, "gceSetup.disablePublicIp") is not True:
        return "Workbench instance may get a public IP"
    if resource.inputs.get("disableProxyAccess") is not True:
        return "Workbench is reachable through Google's notebook proxy"
    return None


def workbench_cmek(resource: Resource, _: Context) -> str | None:
    for disk in ("bootDisk", "dataDisks"):
        settings = dig(resource.inputs, f"gceSetup.{disk}") or {}
        if settings.get("diskEncryption") != "CMEK" or not settings.get("kmsKey"):
            return f"Workbench {disk} is not CMEK-encrypted"
    return None


def workbench_hardened(resource: Resource, _: Context) -> str | None:
    metadata = dig(resource.inputs, "gceSetup.metadata") or {}
    if metadata.get("notebook-disable-root") != "true":
        return "Workbench users may become root"
    if not metadata.get("idle-timeout-seconds"):
        return "Workbench has no idle shutdown"
    shielded = dig(resource.inputs, "gceSetup.shieldedInstanceConfig") or {}
    if not all(shielded.get(f) is True for f in ("enableSecureBoot", "enableVtpm", "enableIntegrityMonitoring")):
        return "Workbench VM is not fully shielded"
    accounts = dig(resource.inputs, "gceSetup.serviceAccounts") or []
    emails = [str(a.get("email") or "") for a in accounts]
    if not emails or any(not e or e.endswith("-compute@developer.gserviceaccount.com") for e in emails):
        return "Workbench runs without a dedicated service account"
    return None


def private_endpoint(resource: Resource, _: Context) -> str | None:
    network = str(resource.inputs.get("network") or "")
    if not _PEERED_NETWORK.match(network):
        return f"endpoint is not bound to a peered network (network={network or 'unset'})"
    return None


def vertex_cmek(resource: Resource, _: Context) -> str | None:
    return None if dig(resource.inputs, "encryptionSpec.kmsKeyName") else "Vertex resource has no CMEK encryption spec"


def no_prediction_logging(resource: Resource, _: Context) -> str | None:
    if dig(resource.inputs, "predictRequestResponseLoggingConfig.enabled") is True:
        return "endpoint copies prediction requests (PHI) into BigQuery"
    return None


RULES = [
    Rule(
        "VTX-01", "45 CFR 164.312(e)(1)", "Workbench has no public IP and no proxy access", (WORKBENCH,), no_public_ip
    ),
    Rule(
        "VTX-02",
        "45 CFR 164.312(a)(2)(iv)",
        "Workbench boot and data disks are CMEK-encrypted",
        (WORKBENCH,),
        workbench_cmek,
    ),
    Rule(
        "VTX-03",
        "45 CFR 164.312(a)(1)",
        "Workbench: no root, idle shutdown, shielded VM, dedicated service account",
        (WORKBENCH,),
        workbench_hardened,
    ),
    Rule("VTX-04", "45 CFR 164.312(e)(1)", "endpoints are private on the peered VPC", (ENDPOINT,), private_endpoint),
    Rule(
        "VTX-05",
        "45 CFR 164.312(a)(2)(iv)",
        "endpoints and metadata stores use CMEK",
        (ENDPOINT, METADATA_STORE),
        vertex_cmek,
    ),
    Rule(
        "VTX-06",
        "45 CFR 164.312(a)(1)",
        "prediction request/response logging is off",
        (ENDPOINT,),
        no_prediction_logging,
    ),
]
