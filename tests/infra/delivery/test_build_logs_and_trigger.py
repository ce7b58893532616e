"""Delivery: the build-log route's lock and writer, the trigger's state, and the values it hands the pipeline."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from infra.delivery.delivery import trigger_substitutions
from tests.infra.delivery.builders import built_delivery
from tests.infra.recording import config_for, only

LOG_BUCKET = "gcp:logging/projectBucketConfig:ProjectBucketConfig"
SINK = "gcp:logging/projectSink:ProjectSink"
TRIGGER = "gcp:cloudbuild/trigger:Trigger"
PLACED = (
    "gcp:cloudbuild/workerPool:WorkerPool",
    LOG_BUCKET,
    SINK,
    "gcp:logging/projectExclusion:ProjectExclusion",
    TRIGGER,
)
CONTRACTS = Path(__file__).resolve().parents[3] / "docs" / "contracts.md"


def inputs(type_token: str, environment: str = "prod") -> dict[str, Any]:
    return dict(only(list(built_delivery(environment)), type_token).inputs)


@pytest.mark.parametrize(("environment", "locked"), [("dev", False), ("staging", True), ("prod", True)])
def test_build_log_bucket_is_locked_outside_dev(environment: str, locked: bool) -> None:
    # Build logs document every deployment: their retention can never be shortened once locked.
    assert inputs(LOG_BUCKET, environment)["locked"] is locked


def test_build_log_bucket_opens_no_log_analytics_read_path(stack: str) -> None:
    assert inputs(LOG_BUCKET, stack)["enableAnalytics"] is False


def test_build_log_sink_writes_as_its_own_identity_and_is_enabled() -> None:
    sink = inputs(SINK)
    assert (sink["uniqueWriterIdentity"], sink["disabled"]) == (True, False)


def test_trigger_is_enabled() -> None:
    assert inputs(TRIGGER)["disabled"] is False


def test_pool_logs_and_trigger_are_in_the_environment_project(stack: str) -> None:
    for type_token in PLACED:
        assert inputs(type_token, stack)["project"] == config_for(stack).project_id, type_token


def test_trigger_substitutions_are_the_values_docs_contracts_gives_for_prod() -> None:
    # The gates validate what these name (perimeter, keyring, compliance bucket, SIEM project).
    rows = re.findall(r"^\| `(_[A-Z_]+)` \| `([^`]+)` \|", CONTRACTS.read_text(encoding="utf-8"), re.MULTILINE)
    assert len(rows) == 10
    assert trigger_substitutions(config_for("prod")) == dict(rows)
