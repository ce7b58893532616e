"""Faults in the repository itself: a file a commit could hold, planted in the workspace copy.

Each is planted exactly as it would be committed (the scratch workspace is the build's source), so
the gates meet it as they would meet the real thing; nothing else about the run changes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from pipeline.simulate.violations.fault import Fault, FaultContext
from pipeline.simulate.violations.platform import SYNTHETIC_SSN

DEPLOYMENT = Path("workloads/k8s/deployment.yaml")


def plant(path: str, content: str) -> Callable[[FaultContext], None]:
    def apply(context: FaultContext) -> None:
        target = context.workspace / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")

    return apply


def edit(path: Path, pattern: str, replacement: str) -> Callable[[FaultContext], None]:
    def apply(context: FaultContext) -> None:
        target = context.workspace / path
        text = target.read_text(encoding="utf-8")
        changed, count = re.subn(pattern, replacement, text, count=1, flags=re.M)
        if count != 1:
            raise ValueError(f"{path}: the fault's pattern {pattern!r} no longer matches")
        target.write_text(changed, encoding="utf-8")

    return apply


FAILING_TEST = '''"""A test that fails: the unit-tests gate must stop the build."""


def test_planted_failure() -> None:
    assert 1 + 1 == 3, "planted by the simulator"
'''
PYLINT_ERROR = '''"""A module with an undefined name: Pylint reports E0602 (undefined-variable)."""


def broken() -> int:
    return undefined_name + 1  # type: ignore[name-defined]  # noqa: F821
'''
PHI_PRINT = '''"""Prints a PHI-named value: the healthcare Semgrep rule phi-in-print must flag it."""


def show(patient_ssn: str) -> None:
    print(patient_ssn)
'''
PHI_FIXTURE = f"patient_id,given_name,ssn,date_of_birth\nPAT-1,Test,{SYNTHETIC_SSN},1970-04-12\n"
PHI_IN_CODE = f'''"""Escalation details for the API's error pages."""

ESCALATION_REFERENCE = "{SYNTHETIC_SSN}"
'''

FAULTS = (
    Fault(
        "failing-unit-test",
        "unit-tests",
        "a committed test that fails",
        plant("tests/test_planted_failure.py", FAILING_TEST),
    ),
    Fault(
        "pylint-error",
        "python-quality",
        "a module Pylint finds an error in (undefined name)",
        plant("pipeline/planted_error.py", PYLINT_ERROR),
    ),
    Fault(
        "semgrep-phi-print",
        "semgrep",
        "code that prints a PHI-named value",
        plant("workloads/api/src/hipaa_api/planted.py", PHI_PRINT),
    ),
    Fault(
        "source-with-phi",
        "phi-detection",
        "a committed data file holding an SSN",
        plant("workloads/quality/planted_patients.csv", PHI_FIXTURE),
    ),
    Fault(
        "code-with-phi",
        "phi-detection",
        "a committed source file holding an SSN",
        plant("workloads/api/src/hipaa_api/escalation.py", PHI_IN_CODE),
    ),
    Fault(
        "manifest-runs-as-root",
        "checkov",
        "the API deployment runs as root",
        edit(DEPLOYMENT, r"^(\s+)runAsNonRoot: true\n(\s+)runAsUser: 65532", r"\1runAsNonRoot: false\n\2runAsUser: 0"),
    ),
    Fault(
        "privileged-pod",
        "checkov",
        "the API container is privileged",
        edit(DEPLOYMENT, r"privileged: false", "privileged: true"),
    ),
)
