"""Python quality and security: Pylint, Mypy, Bandit and Safety over the Python code and its deps."""

from __future__ import annotations

from pipeline.model import Stage
from pipeline.steps import script_step
from pipeline.substitutions import ENV, SAFETY_DB_URI

PYTHON_SOURCES = ("workloads/spark", "workloads/api", "infra", "pipeline", "policypack")


def stage(toolchain: str, venv: str) -> Stage:
    quality = script_step(
        "python-quality",
        "run-python-quality.sh",
        (ENV, SAFETY_DB_URI, *PYTHON_SOURCES),
        wait_for=(toolchain, venv),
        timeout=1200,
    )
    return Stage("python quality", (quality,))
