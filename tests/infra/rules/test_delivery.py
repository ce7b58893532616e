"""Delivery rules: the component passes each of them; each catches a violating resource."""

from __future__ import annotations

from typing import Any

import pytest

from infra.rules import Resource, evaluate
from infra.rules.delivery import POOL, RULES, TRIGGER
from tests.infra.delivery.builders import built_delivery
from tests.infra.recording import changed


def ids(resources: list[Resource], environment: str = "prod") -> set[str]:
    return {f.rule_id for f in evaluate(resources, environment, RULES)}


def component(kind: str, environment: str = "prod") -> Resource:
    return next(r for r in built_delivery(environment) if r.type == kind)


def test_component_is_compliant_in_every_environment(stack: str) -> None:
    assert ids(list(built_delivery(stack)), stack) == set()


@pytest.mark.parametrize(
    ("kind", "path", "value", "rule"),
    [
        (POOL, "workerConfig.noExternalIp", False, "DLV-01"),
        (POOL, "workerConfig.noExternalIp", None, "DLV-01"),
        (POOL, "networkConfig", None, "DLV-01"),
        (TRIGGER, "serviceAccount", None, "DLV-02"),
        (TRIGGER, "serviceAccount", "123456789012@cloudbuild.gserviceaccount.com", "DLV-02"),
        (TRIGGER, "approvalConfig.approvalRequired", False, "DLV-03"),
        (TRIGGER, "approvalConfig", None, "DLV-03"),
        (TRIGGER, "github.push.tag", "^v.*$", "DLV-04"),
        (TRIGGER, "github.push.branch", "^main$", "DLV-04"),
        (TRIGGER, "github.push.invertRegex", True, "DLV-04"),
        (TRIGGER, "substitutions._SIEM_PROJECT_ID", "", "DLV-05"),
        (TRIGGER, "substitutions._ENVIRONMENT", "dev", "DLV-05"),
        (TRIGGER, "includeBuildLogs", "INCLUDE_BUILD_LOGS_WITH_STATUS", "DLV-06"),
    ],
)
def test_violation_is_caught_in_prod(kind: str, path: str, value: Any, rule: str) -> None:
    resources = [r for r in built_delivery("prod") if r.type != kind] + [changed(component(kind), path, value)]
    assert ids(resources) == {rule}


def test_dev_trigger_may_build_without_approval_but_not_from_a_tag() -> None:
    dev = component(TRIGGER, "dev")
    assert ids([changed(dev, "approvalConfig.approvalRequired", False)], "dev") == set()
    tagged = changed(changed(dev, "github.push.branch", None), "github.push.tag", "^v.*$")
    assert ids([tagged], "dev") == {"DLV-04"}


@pytest.mark.parametrize("count", [0, 2])
def test_exactly_one_trigger_per_stack(count: int) -> None:
    others = [r for r in built_delivery("prod") if r.type != TRIGGER]
    assert ids(others + [component(TRIGGER)] * count) == {"DLV-07"}
