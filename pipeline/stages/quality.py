"""Python quality and security: Pylint, Mypy, Bandit and Safety over the Python code and its deps."""

from __future__ import annotations

from pipeline.installs import SAFETY_BIN
from pipeline.model import Stage
from pipeline.steps import script_step
from pipeline.substitutions import ENV, SAFETY_DB_URI

PYTHON_SOURCES = ("workloads/spark", "workloads/api", "infra", "pipeline", "policypack")


def stage(toolchain: str, venv: str, tool_venvs: str) -> Stage:
    quality = script_step(
        "python-quality",
        "run-python-quality.sh",
        (ENV, SAFETY_DB_URI, *PYTHON_SOURCES),
        wait_for=(toolchain, venv, tool_venvs),
        timeout=1200,
        extra_path=(SAFETY_BIN,),  # Safety's own virtualenv; Pylint, Mypy and Bandit are in the project's
        allow_failure=True,
    )
    return Stage("python quality", (quality,))
