"""prompt.md: every requirement has an id, an implementation and a test, and the requirement's lists are all there."""

from __future__ import annotations

import re
from collections import Counter

from pipeline.contract import REQUIRED_SCRIPTS
from pipeline.substitutions import SUBSTITUTIONS
from tests.docs.citations import ROOT, cited_paths, cited_tests, requirement_rows, text

PROMPT = text("prompt.md")
ROWS = requirement_rows(PROMPT)
TOOLS = (
    "Pylint", "Mypy", "Bandit", "Safety", "Checkov", "Cosign", "Great Expectations", "Presidio",
    "Trivy", "Semgrep", "Prowler", "ZAP", "Pub/Sub", "Cloud Monitoring",
)  # fmt: skip
TERRAFORM_STAGES = ("terraform fmt", "terraform validate", "tflint", "terraform plan", "terraform apply", "workspaces")


def test_requirement_ids_are_unique_and_numbered_in_order_per_area() -> None:
    ids = [row_id for row_id, _ in ROWS]
    assert len(ids) >= 40 and [i for i, n in Counter(ids).items() if n > 1] == []
    for area in {i.split("-")[0] for i in ids}:
        numbers = [int(i.split("-")[1]) for i in ids if i.startswith(area + "-")]
        assert numbers == list(range(1, len(numbers) + 1)), area


def test_every_requirement_names_an_implementation_and_a_test() -> None:
    problems = []
    for row_id, cells in ROWS:
        if len(cells) != 3:
            problems.append(f"{row_id}: expected requirement, implementation and tests cells")
            continue
        statement, implementation, tests = cells
        paths = cited_paths(implementation)
        if len(statement) < 20:
            problems.append(f"{row_id}: no statement")
        if not paths or any(not (ROOT / p).exists() for p in paths):
            problems.append(f"{row_id}: implementation cell names no existing path")
        if not cited_tests(tests) or not all(t.startswith("tests/") for t in re.findall(r"`([^`]+)`", tests)):
            problems.append(f"{row_id}: tests cell cites no test")
    assert problems == []


def test_the_requirements_lists_are_all_named() -> None:
    missing = [s for s in REQUIRED_SCRIPTS if s not in PROMPT]
    missing += [key for key in SUBSTITUTIONS if key not in PROMPT and key not in ("_ENVIRONMENT",)]
    missing += [tool for tool in TOOLS if tool not in PROMPT]
    assert missing == []


def test_every_terraform_stage_has_its_pulumi_counterpart() -> None:
    mapping = PROMPT.split("## Terraform in the requirement, Pulumi here", 1)[1]
    rows = {line.split("|")[1].strip(" `") for line in mapping.splitlines() if line.startswith("| ")}
    assert [stage for stage in TERRAFORM_STAGES if not any(r.startswith(stage) for r in rows)] == []
    for needed in ("pulumi preview --json", "policypack", "python -m infra check", "pulumi up", "gcpkms://"):
        assert needed in mapping, needed
