"""Trivy, Cosign and OWASP ZAP, answered from the world: what they would find in what was built.

Trivy reads the pushed image's packages (the API's requirements.lock and its Debian base) or a
requirements file, and reports the world's known vulnerabilities for them (none in a compliant
world). Cosign signs with the KMS key (which must be an asymmetric signing key) and verifies only
what it signed. ZAP scans the API the cluster serves and reports the world's alerts for it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pipeline.simulate.world.args import parse
from pipeline.simulate.world.call import Call, RefusedError, Table
from pipeline.simulate.world.model import now

TRIVY_VERSION = "0.58.1"
BASE_PACKAGES = (
    ("libc6", "2.36-9+deb12u9"),
    ("libssl3", "3.0.15-1~deb12u1"),
    ("zlib1g", "1:1.2.13.dfsg-1"),
    ("python3.11", "3.11.2-6+deb12u5"),
)
_PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([A-Za-z0-9.!+_-]+)")


def pins(text: str) -> list[tuple[str, str]]:
    return [(m.group(1).lower(), m.group(2)) for line in text.splitlines() if (m := _PIN.match(line))]


def _package(name: str, version: str) -> dict[str, Any]:
    return {"ID": f"{name}@{version}", "Name": name, "Version": version}


def _vulnerabilities(
    state: dict[str, Any], packages: list[tuple[str, str]], severities: set[str]
) -> list[dict[str, Any]]:
    found = []
    for known in state["scanners"]["vulnerabilities"]:
        for name, version in packages:
            if known["PkgName"] == name and known["Severity"] in severities:
                found.append({**known, "PkgID": f"{name}@{version}", "InstalledVersion": version})
    return found


def trivy(call: Call) -> int:
    if call.command == ("--version",):
        parse(call.argv, gcloud=False)
        call.out.write(f"Version: {TRIVY_VERSION}\n")
        return 0
    values = (
        "--severity",
        "--exit-code",
        "--format",
        "--db-repository",
        "--java-db-repository",
        "--ignorefile",
        "--timeout",
        "--output",
        "--scanners",
    )
    args = parse(call.argv, positional=(1, 1), values=values, switches=("--list-all-pkgs",), gcloud=False)
    mode, target = call.command[0], args.positional[0]
    severities = set(str(args.value("--severity", "UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL")).split(","))
    with call.state(write=False) as state:
        for flag in ("--db-repository", "--java-db-repository"):
            repository = str(args.value(flag, "ghcr.io/aquasecurity"))
            parts = repository.split("/")
            if (
                len(parts) < 3
                or f"{parts[1]}/{parts[0].removesuffix('-docker.pkg.dev')}/{parts[2]}"
                not in state["artifactRegistry"]["repositories"]
            ):
                raise RefusedError(
                    f"FATAL init error: DB error: failed to download vulnerability DB from {repository}: "
                    "no route to host"
                )
        if mode == "image":
            image = state["artifactRegistry"]["images"].get(target)
            if image is None:
                raise RefusedError(f'FATAL image scan error: unable to find the specified image "{target}"')
            lock = Path(image["context"]) / "requirements.lock"
            python = pins(lock.read_text(encoding="utf-8")) if lock.exists() else []
            results = [
                {
                    "Target": f"{target} (debian 12.8)",
                    "Class": "os-pkgs",
                    "Type": "debian",
                    "Packages": [_package(*p) for p in BASE_PACKAGES],
                    "Vulnerabilities": _vulnerabilities(state, list(BASE_PACKAGES), severities),
                },
                {
                    "Target": "Python",
                    "Class": "lang-pkgs",
                    "Type": "python-pkg",
                    "Packages": [_package(*p) for p in python],
                    "Vulnerabilities": _vulnerabilities(state, python, severities),
                },
            ]
            artifact, kind = target, "container_image"
        elif mode == "fs":
            requirements = Path(target) / "requirements.txt"
            packages = pins(requirements.read_text(encoding="utf-8")) if requirements.exists() else []
            results = (
                [
                    {
                        "Target": "requirements.txt",
                        "Class": "lang-pkgs",
                        "Type": "pip",
                        "Packages": [_package(*p) for p in packages],
                        "Vulnerabilities": _vulnerabilities(state, packages, severities),
                    }
                ]
                if packages
                else []
            )
            artifact, kind = target, "filesystem"
        else:
            raise RefusedError(f"unknown trivy command {mode}")
    for result in results:
        if not result["Vulnerabilities"]:
            del result["Vulnerabilities"]
    report = {
        "SchemaVersion": 2,
        "CreatedAt": now(),
        "ArtifactName": artifact,
        "ArtifactType": kind,
        "Results": results,
    }
    Path(args.require("--output")).write_text(json.dumps(report, indent=2), encoding="utf-8")
    found = any(r.get("Vulnerabilities") for r in results)
    return int(str(args.value("--exit-code", "0"))) if found else 0


def cosign(call: Call) -> int:
    mode = call.command[0]
    if mode == "version":
        parse(call.argv, gcloud=False)
        call.out.write("GitVersion:    v2.4.1\n")
        return 0
    values = ("--key", "--tlog-upload", "--insecure-ignore-tlog")
    args = parse(call.argv, positional=(1, 1), values=values, switches=("--yes", "-y"), gcloud=False)
    image = args.positional[0]
    version = args.require("--key").removeprefix("gcpkms://")
    key = version.split("/cryptoKeyVersions/")[0]
    with call.state(write=mode == "sign") as state:
        if state["kms"]["keys"].get(key, {}).get("purpose") != "ASYMMETRIC_SIGN":
            raise RefusedError(f"getting signer: {key} is not an asymmetric signing key")
        if image not in state["artifactRegistry"]["images"]:
            raise RefusedError(f"signing [{image}]: accessing entity: GET {image}: MANIFEST_UNKNOWN")
        signatures = state["scanners"].setdefault("signatures", [])
        if mode == "sign":
            signatures.append({"image": image, "key": version})
            return 0
        verified = [s for s in signatures if s["image"] == image and s["key"] == version]
    if not verified:
        raise RefusedError("no matching signatures: invalid signature when validating ASN.1 encoded signature")
    repository, digest = image.split("@")
    payload = [
        {
            "critical": {
                "identity": {"docker-reference": repository},
                "image": {"docker-manifest-digest": digest},
                "type": "cosign container image signature",
            },
            "optional": None,
        }
    ]
    return call.emit(payload, "json")


def _resolvable_from_the_pool(target: str, peered: list[str]) -> bool:
    """The build's ZAP runs on a private pool worker, outside the cluster and the VPC: it reaches an
    internal address over the peering, and a private name only under a peered DNS domain (Cloud DNS
    private zones are not visible across a peering; cluster.local names never leave the cluster)."""
    host = re.sub(r"^https?://([^:/]+).*$", r"\1", target)
    if re.fullmatch(r"[0-9.]+", host):
        return True
    return any(f"{host}.".endswith(f".{suffix.lstrip('.')}") for suffix in peered)


def zap(call: Call) -> int:
    args = parse(call.argv, values=("-t", "-c", "-J", "-f"), gcloud=False)
    target = args.require("-t")
    with call.state(write=False) as state:
        served = state["gke"].get("serviceUrls", [])
        alerts = state["scanners"]["zapAlerts"]
        peered = state["network"].get("peeredDnsDomains", [])
    if not any(target.startswith(url) for url in served) or not _resolvable_from_the_pool(target, peered):
        call.err.write(f"Failed to access: {target}\n")
        return 3
    rules = {}
    rules_file = Path(args.require("-c"))
    for line in rules_file.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if len(fields) > 1 and not line.startswith("#"):
            rules[fields[0]] = fields[1]
    host = re.sub(r"^https?://([^:/]+).*$", r"\1", target)
    report = {"@programName": "ZAP", "@version": "2.15.0", "site": [{"@name": target, "@host": host, "alerts": alerts}]}
    Path(args.require("-J")).write_text(json.dumps(report, indent=2), encoding="utf-8")
    verdicts = [("FAIL" if a["riskcode"] == "3" else rules.get(a["pluginid"], "WARN")) for a in alerts]
    counts = {v: verdicts.count(v) for v in ("FAIL", "WARN", "INFO", "IGNORE")}
    call.out.write(
        f"FAIL-NEW: {counts['FAIL']}\tFAIL-INPROG: 0\tWARN-NEW: {counts['WARN']}\tWARN-INPROG: 0\t"
        f"INFO: {counts['INFO']}\tIGNORE: {counts['IGNORE']}\tPASS: 52\n"
    )
    return 1 if counts["FAIL"] else 2 if counts["WARN"] else 0


TRIVY: Table = {("image",): trivy, ("fs",): trivy, ("--version",): trivy}
COSIGN: Table = {("sign",): cosign, ("verify",): cosign, ("version",): cosign}
ZAP: Table = {(): zap}
