"""Every named fault changes exactly what it says, and names a gate of the committed pipeline."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from pipeline.simulate.buildfile import load
from pipeline.simulate.run import REPOSITORY
from pipeline.simulate.violations import FaultContext, UnknownFaultError, apply_faults, lookup, registry
from tests.pipeline.simulate.worlds import World, copy_world, make_world

FAULTS = registry()


def files(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()
    }


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> World:
    built = make_world(tmp_path_factory.mktemp("template"), "prod")
    target = built.run.workspace / "workloads" / "k8s"
    target.mkdir(parents=True)
    shutil.copy(REPOSITORY / "workloads" / "k8s" / "deployment.yaml", target)
    return built


@pytest.fixture
def world(template: World, tmp_path: Path) -> World:
    return copy_world(template, tmp_path)


def test_at_least_twenty_faults_each_owned_by_a_step_of_the_pipeline() -> None:
    steps = {s.id for s in load(REPOSITORY / "cloudbuild.yaml").steps}
    assert len(FAULTS) >= 20
    assert {f.gate for f in FAULTS.values()} <= steps


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_each_fault_changes_the_world_or_the_workspace(world: World, name: str) -> None:
    state, workspace = world.state(), files(world.run.workspace)
    apply_faults([FAULTS[name]], world.run)
    assert world.state() != state or files(world.run.workspace) != workspace


def test_faults_change_exactly_the_named_thing(world: World) -> None:
    apply_faults(lookup(["kms-rotation-400-days", "dataset-all-users", "unapproved-prod-build"]), world.run)
    state = world.state()
    key = next(k for p, k in state["kms"]["keys"].items() if p.endswith("/storage-cmek"))
    assert key["rotationPeriod"] == "34560000s"
    assert {"role": "READER", "iamMember": "allUsers"} in state["bigquery"]["datasets"][
        f"{world.project}:hipaa_prod_deidentified"
    ]["access"]
    assert next(iter(state["builds"].values()))["approval"]["state"] == "PENDING"


def test_repository_faults_edit_the_committed_file_as_a_commit_would(world: World) -> None:
    FAULTS["manifest-runs-as-root"].apply(FaultContext(world.run))
    text = (world.run.workspace / "workloads" / "k8s" / "deployment.yaml").read_text(encoding="utf-8")
    assert "runAsNonRoot: false" in text and "runAsUser: 0" in text


def test_unknown_names_are_refused() -> None:
    with pytest.raises(UnknownFaultError, match="no-such-fault"):
        lookup(["no-such-fault"])
