"""require-private-pool.sh: the build's steps run only on the environment's private pool."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scripts.fakes import FakeTools

SCRIPT = "require-private-pool.sh"
POOL = "projects/nwh-analytics-prd/locations/us-central1/workerPools/hipaa-prod-build-pool"
QUERY = ["builds", "describe", "b-123", "--region", "us-central1", "--format=value(options.pool.name)"]


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


def run(tools: FakeTools, answer: str) -> tuple[int, str]:
    tools.on("gcloud", QUERY, stdout=answer)
    result = tools.run(SCRIPT, "prod", POOL, env={"PATH": tools.image_path("cloud-sdk"), "BUILD_REGION": "us-central1"})
    return result.returncode, result.reason


def test_the_private_pool_passes_with_only_the_images_tools(tools: FakeTools) -> None:
    assert run(tools, f"{POOL}\n") == (0, f"{SCRIPT}: build b-123 runs on the private pool {POOL}")


@pytest.mark.parametrize(
    ("answer", "named"),
    [
        ("\n", "the default pool"),
        (POOL.replace("hipaa-prod", "hipaa-dev") + "\n", POOL.replace("hipaa-prod", "hipaa-dev")),
        ("ERROR: something else\n", "an unreadable answer"),
    ],
    ids=["default-pool", "another-pool", "not-a-pool"],
)
def test_any_other_pool_is_refused_naming_it(tools: FakeTools, answer: str, named: str) -> None:
    code, reason = run(tools, answer)
    assert code == 1
    assert reason == f"{SCRIPT}: FAIL: build b-123 runs on '{named}', not the private pool {POOL}"


def test_a_failed_describe_refuses(tools: FakeTools) -> None:
    tools.on("gcloud", QUERY, exit=1, stderr="ERROR: (gcloud.builds.describe) NOT_FOUND\n")
    result = tools.run(SCRIPT, "prod", POOL, env={"BUILD_REGION": "us-central1"})
    assert result.returncode == 1 and "build pool" in result.reason


@pytest.mark.parametrize("pool", ["", "hipaa-prod-build-pool", "projects/x/locations/us-central1/workerPools/p"])
def test_a_pool_that_is_not_a_pool_path_is_a_usage_error(tools: FakeTools, pool: str) -> None:
    result = tools.run(SCRIPT, "prod", pool)
    assert result.returncode == 2 and tools.calls() == []
