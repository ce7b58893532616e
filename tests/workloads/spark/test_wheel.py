"""The hipaa_spark wheel builds as the pipeline builds it (pipeline/stages/build.py) and carries its data.

`pip wheel --no-deps --no-build-isolation` uses the virtualenv's own setuptools, so this fails if
the pinned setuptools cannot build wheels (before 70.1 it needs the separate `wheel` package). The
sources are copied first so the build's scratch files never land in the working tree.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from pipeline.stages.build import build_stage

SPARK = Path(__file__).resolve().parents[3] / "workloads" / "spark"
COMMAND = "pip wheel --no-deps --no-build-isolation --wheel-dir dist/spark workloads/spark"


def test_the_pipeline_builds_the_wheel_this_way() -> None:
    (wheel_step, _) = build_stage("after", "venv").steps
    assert any(COMMAND in line for line in wheel_step.args)


def test_wheel_builds_offline_with_its_package_data(tmp_path: Path) -> None:
    source = tmp_path / "spark"
    shutil.copytree(SPARK, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    dist = tmp_path / "dist"
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "--quiet"]
    subprocess.run(
        [*pip, "--wheel-dir", str(dist), str(source)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    (wheel,) = dist.glob("hipaa_spark-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"hipaa_spark/restricted_zip3.txt", "hipaa_spark/py.typed", "hipaa_spark/job.py"} <= names
    assert "hipaa_spark/source.py" in names
