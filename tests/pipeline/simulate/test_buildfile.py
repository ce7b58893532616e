"""What Cloud Build refuses at submission, refused by the simulator before any step runs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from pipeline.simulate.buildfile import DEFAULT_BUILD_TIMEOUT, BuildFileError, load, parse
from pipeline.simulate.executor import Outcome, Status, dependencies, failure_allowed
from pipeline.simulate.run import REPOSITORY, deploy_steps, subset


def steps(*raw: dict[str, Any], **build: Any) -> dict[str, Any]:
    return {"steps": [{"name": "ubuntu", **r} for r in raw], **build}


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (steps({"id": "a"}, {"id": "a"}), "duplicate step id"),
        (steps({"id": "a", "waitFor": ["b"]}, {"id": "b"}), "'b' is not the id of an earlier step"),
        (steps({"id": "a", "script": "true", "args": ["x"]}), "script cannot be used with args"),
        (steps({"id": "a", "timeout": "700s"}, timeout="600s"), "exceeds the build's 600s"),
        (steps({"id": "a", "timeout": "90000s"}), "outside (0s, 24h]"),
        (steps({"id": "a", "timeout": "10m"}), 'Duration must end with letter "s"'),
        ({"steps": [{"name": "ubuntu"}] * 101}, "at most 100"),
        ({"steps": [{"name": "ubuntu", "notAField": 1}]}, "not a valid Cloud Build Build message"),
        ({"steps": []}, "no steps"),
    ],
)
def test_refused_like_cloud_build(document: dict[str, Any], reason: str) -> None:
    with pytest.raises(BuildFileError, match=re.escape(reason)):
        parse(document)


def test_defaults_and_dependencies() -> None:
    build = parse(
        steps({"id": "a"}, {"id": "b", "waitFor": ["-"]}, {"id": "c", "waitFor": []}, {"id": "d", "waitFor": ["a"]})
    )
    assert build.timeout == DEFAULT_BUILD_TIMEOUT
    assert dependencies(build.steps) == {"a": (), "b": (), "c": ("a", "b"), "d": ("a",)}


def test_failure_allowed_reads_allow_exit_codes_first() -> None:
    build = parse(steps({"id": "a", "allowFailure": True, "allowExitCodes": [2]}, {"id": "b", "allowFailure": True}))
    a, b = build.steps
    assert failure_allowed(a, Outcome(Status.FAILURE, 2)) and not failure_allowed(a, Outcome(Status.FAILURE, 1))
    assert not failure_allowed(a, Outcome(Status.TIMEOUT))
    assert failure_allowed(b, Outcome(Status.TIMEOUT)) and failure_allowed(b, Outcome(Status.FAILURE, 9))
    assert not failure_allowed(b, Outcome(Status.CANCELLED))


def test_the_committed_config_loads_and_its_deploy_steps_are_found() -> None:
    build = load(REPOSITORY / "cloudbuild.yaml")
    deploys = deploy_steps(build.steps)
    assert {"deploy-infra", "deploy-gke", "deploy-dataproc", "deploy-vertex", "pyspark-job"} <= set(deploys)


def test_a_subset_keeps_what_its_steps_wait_for_and_nothing_else() -> None:
    build = load(REPOSITORY / "cloudbuild.yaml")
    kept = subset(build.steps, ["encryption"])
    assert [s.id for s in kept] == ["verify-release", "pool-guard", "toolchain", "encryption"]
    assert dependencies(kept)["encryption"] == ("toolchain",)
    with pytest.raises(BuildFileError, match="no step 'nope'"):
        subset(build.steps, ["nope"])


def test_an_unreadable_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("steps: [", encoding="utf-8")
    with pytest.raises(BuildFileError, match="not valid YAML"):
        load(tmp_path / "bad.yaml")
