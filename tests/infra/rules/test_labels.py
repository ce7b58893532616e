"""Label rule: every labelled resource of every stack carries the inventory labels; a wrong one is caught."""

from __future__ import annotations

from typing import Any

import pytest

from infra.rules import Resource, evaluate
from infra.rules.labels import LABEL_FIELDS, RULES
from tests.conftest import planned
from tests.infra.recording import changed


def messages(resources: list[Resource], environment: str = "prod") -> list[str]:
    return [f.message for f in evaluate(resources, environment, RULES)]


def bucket(environment: str = "prod") -> Resource:
    return next(r for r in planned(environment) if r.type == "gcp:storage/bucket:Bucket")


def test_every_stack_is_labelled(stack: str) -> None:
    assert messages(list(planned(stack)), stack) == []


def test_every_labelled_type_the_plan_holds_is_checked(stack: str) -> None:
    """A planned type with Google Cloud labels in its inputs must be one the rule reads."""
    label_inputs = ("labels", "resourceLabels", "userLabels")
    labelled = {
        r.type for r in planned(stack) if r.type.startswith("gcp:") and any(k in r.inputs for k in label_inputs)
    }
    assert labelled <= set(LABEL_FIELDS)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (
            "labels.environment",
            "staging",
            "labels has environment=staging; every labelled resource carries compliance=hipaa, "
            "data-classification=phi, environment=prod",
        ),
        (
            "labels.data-classification",
            "public",
            "labels has data-classification=public; every labelled resource carries compliance=hipaa, "
            "data-classification=phi, environment=prod",
        ),
        (
            "labels",
            None,
            "labels has compliance=(missing), data-classification=(missing), environment=(missing); every labelled "
            "resource carries compliance=hipaa, data-classification=phi, environment=prod",
        ),
        (
            "labels",
            ["compliance=hipaa"],
            "labels has compliance=(missing), data-classification=(missing), environment=(missing); every labelled "
            "resource carries compliance=hipaa, data-classification=phi, environment=prod",
        ),
    ],
)
def test_a_wrong_or_missing_label_is_caught(path: str, value: Any, message: str) -> None:
    assert messages([changed(bucket(), path, value)]) == [message]


def test_labels_are_read_where_the_type_keeps_them() -> None:
    cluster = next(r for r in planned("prod") if r.type == "gcp:container/cluster:Cluster")
    assert messages([changed(cluster, "resourceLabels.compliance", "none")])
    assert messages([changed(cluster, "labels", {"compliance": "hipaa"})]) == []
