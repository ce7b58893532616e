"""Shared fixtures: the offline plan of each stack, run once per session under the mock engine."""

from __future__ import annotations

import fcntl
import functools
import gc
import os
import pickle
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from infra.config import ENVIRONMENTS
from infra.plan.mockrun import run_stack
from infra.rules import Resource

# Every command line the script tests send to the fake gcloud, bq, gsutil and kubectl must also pass the
# real CLI's parser: checked once per run, on the controller, after every worker's tests.
pytest_plugins = ("tests.scripts.cli_conformance",)


@functools.cache
def planned(stack: str) -> tuple[Resource, ...]:
    """Every resource the real program registers for a stack, from its own Pulumi.<stack>.yaml."""
    return _plan_run(stack)[0]


@functools.cache
def planned_urns(stack: str) -> tuple[str, ...]:
    """Every URN the engine would give the stack's registrations, providers included."""
    return _plan_run(stack)[1]


def _plan_run(stack: str) -> tuple[tuple[Resource, ...], tuple[str, ...]]:
    """Planned once per test run: under pytest-xdist the first worker to ask plans the stack and the
    others read its result (one run's workers share PYTEST_XDIST_TESTRUNUID; nothing outlives it).
    """
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run is None:
        return _plan(stack)
    shared = _shared_plans(run)
    shared.mkdir(exist_ok=True)
    target = shared / f"{stack}.pickle"
    with (shared / f"{stack}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.exists():
            result: tuple[tuple[Resource, ...], tuple[str, ...]] = pickle.loads(target.read_bytes())  # noqa: S301 - written by this run
            return result
        result = _plan(stack)
        target.write_bytes(pickle.dumps(result))
        return result


def _plan(stack: str) -> tuple[tuple[Resource, ...], tuple[str, ...]]:
    monitor = run_stack(stack)
    return tuple(monitor.recorded()), tuple(monitor.engine_urns.values())


def _shared_plans(run: str) -> Path:
    return Path(tempfile.gettempdir()) / f"hipaa-plans-{run}"


# An e-mail-shaped string in a test id lands in junit.xml, which the pipeline's PHI gate scans: the
# first full simulated build refused itself on synthetic addresses in parametrized ids.
EMAIL_IN_ID = re.compile(r"[\w.+*-]+@[\w-]+(\.[\w-]+)+")


def pytest_make_parametrize_id(config: pytest.Config, val: object, argname: str) -> str | None:
    """Parametrized ids keep their meaning but never the shape of an e-mail address (`@` -> `-at-`)."""
    del config, argname
    if isinstance(val, str) and EMAIL_IN_ID.search(val):
        return val.replace("@", "-at-")
    return None


def pytest_configure(config: pytest.Config) -> None:
    """On the xdist controller, fix the run id the workers get, so it can remove their shared plans."""
    controller = not hasattr(config, "workerinput")
    if controller and getattr(config.option, "numprocesses", None) and config.option.testrunuid is None:
        config.option.testrunuid = uuid.uuid4().hex


def pytest_unconfigure(config: pytest.Config) -> None:
    run = getattr(config.option, "testrunuid", None)
    if run and not hasattr(config, "workerinput"):
        shutil.rmtree(_shared_plans(run), ignore_errors=True)


# Tests that pay a start-up cost once per worker (a JVM for Spark, Great Expectations' context)
# share one worker under `--dist loadgroup`: the cost is paid once per run instead of once per worker.
_WORKER_GROUPS = {
    "tests/workloads/spark/": "spark-jvm",
    "tests/workloads/quality/": "great-expectations",
    # The README's quality command parses with the quality CLI, whose import loads Great Expectations (~5 s).
    "tests/docs/test_readme_commands.py::test_every_python_command_parses_as_shown[python -m workloads.quality ": (
        "great-expectations"
    ),
    # One real checkov gate run (tests/security/checkov/gate_run.py) serves both modules.
    "tests/workloads/k8s/test_checkov.py": "checkov",
    "tests/security/checkov/test_hipaa_policies.py": "checkov",
}


# tryfirst: xdist's worker reads the group marker in its own modifyitems hook, registered after this
# conftest and so called before it; marking later leaves every test ungrouped.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for prefix, group in _WORKER_GROUPS.items():
            if item.nodeid.startswith(prefix):
                item.add_marker(pytest.mark.xdist_group(group))


def find(resources: tuple[Resource, ...], type_token: str, name: str | None = None) -> list[Resource]:
    """Resources of a type (and, given, a logical name) out of a plan."""
    return [r for r in resources if r.type == type_token and (name is None or r.name == name)]


def one(resources: tuple[Resource, ...], type_token: str, name: str) -> Resource:
    matches = find(resources, type_token, name)
    assert len(matches) == 1, f"expected one {type_token} named {name}, found {len(matches)}"
    return matches[0]


@pytest.fixture(params=ENVIRONMENTS)
def stack(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def mocked() -> None:
    """Pulumi's mock engine for tests that build one component directly (testing-unit-py style)."""
    import pulumi

    from infra.plan.mocks import PlanMocks

    pulumi.runtime.set_mocks(PlanMocks(), project="hipaa", stack="prod", preview=False)


@pytest.fixture
def plan() -> Callable[[str], tuple[Resource, ...]]:
    return planned


def pytest_collection_finish(session: pytest.Session) -> None:
    """What collection loaded (test modules, Pulumi, Presidio, pandas) lives for the whole run: freeze
    it, so a full garbage collection no longer walks it each time. Before this, garbage collection was
    about 10 % of the suite's CPU (perf: gc_collect_main, visit_decref, visit_reachable)."""
    del session
    gc.collect()
    gc.freeze()
