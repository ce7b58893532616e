"""What every HIPAA check shares: its id, its one-line reason with the 45 CFR citation, and a rule.

Checkov (3.3.30) calls a check with one object (Kubernetes) or one file's instructions (Dockerfile).
The rule decides; this module only adapts Checkov's call to it. A Kubernetes check reads the object
again, with its manifest set, from the file Checkov scanned (hipaa_manifest_set): a set that cannot
be read, or an object that cannot be found in it, fails the check rather than passing it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.dockerfile.base_dockerfile_check import BaseDockerfileCheck
from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check

from hipaa_dockerfile_rules import Finding, Instruction
from hipaa_k8s_rules import Rule
from hipaa_manifest_set import ManifestSetError, manifest_set, metadata, same_object

DockerfileRule = Callable[[Sequence[Instruction]], list[Finding]]


def check_name(reason: str, citation: str) -> str:
    """The name Checkov reports, and so the gate's violation line: the reason and its HIPAA citation."""
    return f"HIPAA: {reason} [45 CFR {citation}]"


class HipaaK8sCheck(BaseK8Check):
    """A HIPAA rule over Kubernetes objects of the given kinds, judged within their manifest set."""

    def __init__(self, policy_id: str, reason: str, citation: str, kinds: Sequence[str], rule: Rule) -> None:
        self.rule = rule
        self.scanned_file = ""
        super().__init__(
            name=check_name(reason, citation),
            id=policy_id,
            categories=[CheckCategories.KUBERNETES],
            supported_entities=tuple(kinds),
        )

    def run(
        self,
        scanned_file: str,
        entity_configuration: dict[str, Any],
        entity_name: str,
        entity_type: str,
        skip_info: Any,
    ) -> Any:
        # The file is the one thing Checkov does not pass to scan_spec_conf.
        self.scanned_file = scanned_file
        return super().run(scanned_file, entity_configuration, entity_name, entity_type, skip_info)

    def scan_spec_conf(self, conf: dict[str, Any]) -> CheckResult:
        meta = metadata(conf)
        path = Path(os.path.abspath(self.scanned_file))
        try:
            objects = manifest_set(path.parent)
        except ManifestSetError:
            return CheckResult.FAILED
        kind, name, namespace = str(conf.get("kind")), str(meta.get("name")), str(meta.get("namespace") or "default")
        matches = [m for m in objects if same_object(m, path, kind, namespace, name)]
        if not matches or any(self.rule(m, objects) for m in matches):
            return CheckResult.FAILED
        return CheckResult.PASSED


class HipaaDockerfileCheck(BaseDockerfileCheck):
    """A HIPAA rule over a whole Dockerfile; a failure points at each instruction at fault."""

    def __init__(self, policy_id: str, reason: str, citation: str, rule: DockerfileRule) -> None:
        self.rule = rule
        super().__init__(
            name=check_name(reason, citation),
            id=policy_id,
            categories=[CheckCategories.APPLICATION_SECURITY],
            supported_instructions=("*",),
        )

    def scan_resource_conf(self, conf: dict[str, list[dict[str, Any]]]) -> tuple[CheckResult, Any]:
        # Checkov passes a wildcard ("*") check every instruction of the file, grouped by keyword.
        raw = [item for items in conf.values() for item in items]
        instructions = sorted(
            (Instruction(str(i["instruction"]).upper(), str(i["value"]), int(i["startline"])) for i in raw),
            key=lambda instruction: instruction.line,
        )
        findings = self.rule(instructions)
        if not findings:
            return CheckResult.PASSED, None
        lines = {finding.line for finding in findings}
        at_fault = [item for item in raw if int(item["startline"]) in lines and item["instruction"] != "COMMENT"]
        return CheckResult.FAILED, at_fault or None
