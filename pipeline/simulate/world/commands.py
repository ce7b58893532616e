"""Every command line the fake world models, per tool: command words -> handler.

Each fake call is a fresh interpreter, so only the modules a command line needs are imported:
gcloud's first word (after `beta`/`alpha`) picks its service modules.
"""

from __future__ import annotations

import importlib

from pipeline.simulate.world.call import Table

GCLOUD_GROUPS = {
    "svc_iam": ("projects", "org-policies", "kms", "access-context-manager", "iam", "secrets", "auth"),
    "svc_logging": ("logging", "monitoring", "pubsub", "builds"),
    "svc_storage": ("storage",),
    "svc_compute": ("compute",),
    "svc_dataproc": ("dataproc",),
    "svc_gke": ("container", "ai"),
    "svc_catalog": ("data-catalog",),
}
TOOLS = {
    "bq": ("svc_bq", "COMMANDS"),
    "kubectl": ("svc_k8s", "COMMANDS"),
    "docker": ("svc_docker", "COMMANDS"),
    "docker-buildx": ("svc_docker", "BUILDX"),
    "trivy": ("svc_scanners", "TRIVY"),
    "cosign": ("svc_scanners", "COSIGN"),
    "zap-baseline.py": ("svc_scanners", "ZAP"),
    "zap-api-scan.py": ("svc_scanners", "ZAP"),
    "pulumi": ("svc_pulumi", "PULUMI"),
    "prowler": ("svc_pulumi", "PROWLER"),
}


def _module_table(module: str, name: str = "COMMANDS") -> Table:
    found: Table = getattr(importlib.import_module(f"pipeline.simulate.world.{module}"), name)
    return found


def table(tool: str, argv: list[str]) -> Table:
    """The handlers that could answer this command line (empty: nothing models the tool)."""
    if tool == "gcloud":
        words = [w for w in argv[:2] if not w.startswith("-")]
        group = words[1] if words[:1] in (["beta"], ["alpha"]) and len(words) > 1 else (words[0] if words else "")
        modules = [m for m, groups in GCLOUD_GROUPS.items() if group in groups]
        merged: Table = {}
        for module in modules:
            merged.update(_module_table(module))
        return merged
    if tool in TOOLS:
        return _module_table(*TOOLS[tool])
    return {}


def all_tables() -> dict[str, Table]:
    """Every tool's full table (tests and documentation)."""
    gcloud: Table = {}
    for module in GCLOUD_GROUPS:
        gcloud.update(_module_table(module))
    return {"gcloud": gcloud, **{tool: _module_table(*where) for tool, where in TOOLS.items()}}
