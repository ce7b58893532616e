"""Dropping any item from a component's own list fails the plan: the rules judge against their baseline.

Each test takes one item out of the list a component is built from, builds that component again under
the mock engine (the component's own test builder, unchanged), and names the rule that now fails.
"""

from __future__ import annotations

import dataclasses
import inspect
import sys
from collections.abc import Callable, Iterator

import pytest

import infra.security.org_constraints as org_data
import infra.security.security_alerts as alert_data
from infra.placement import Placement
from infra.rules import Resource, Rule, all_rules, evaluate
from infra.rules.perimeter import RULES as PERIMETER_RULES
from infra.rules.perimeter_coverage import RULES as COVERAGE_RULES
from infra.security import audit_streams, perimeter_services
from infra.security.perimeter_services import RESTRICTED_SERVICES
from tests.conftest import planned
from tests.infra.data.builders import built_storage
from tests.infra.security.builders import (
    built_audit_logging,
    built_monitoring,
    built_org_policies,
    built_perimeter,
)

PERIMETER = "gcp:accesscontextmanager/servicePerimeter:ServicePerimeter"
BASELINE_SERVICES = {
    "aiplatform.googleapis.com",
    "artifactregistry.googleapis.com",
    "bigquery.googleapis.com",
    "cloudbuild.googleapis.com",
    "cloudkms.googleapis.com",
    "container.googleapis.com",
    "dataproc.googleapis.com",
    "logging.googleapis.com",
    "pubsub.googleapis.com",
    "secretmanager.googleapis.com",
    "storage.googleapis.com",
}


def replace_everywhere(monkeypatch: pytest.MonkeyPatch, original: object, replacement: object) -> None:
    """Rebind every `infra.*` module name bound to `original` (the data module and each importer)."""
    for name, module in list(sys.modules.items()):
        if not name.startswith("infra.") or name.startswith("infra.rules"):
            continue
        for attribute, value in list(vars(module).items()):
            if value is original:
                monkeypatch.setattr(module, attribute, replacement)


def component_rules() -> list[Rule]:
    """Every rule that can judge one component alone: resource rules and scoped stack rules (an
    unscoped stack rule, such as one trigger per stack, judges a whole stack)."""
    return [rule for rule in all_rules() if rule.check is not None or rule.scope]


def failing(resources: tuple[Resource, ...] | list[Resource], rules: list[Rule] | None = None) -> set[str]:
    return {f.rule_id for f in evaluate(list(resources), "prod", component_rules() if rules is None else rules)}


def rebuilt(builder: Callable[[str], tuple[Resource, ...]]) -> tuple[Resource, ...]:
    """The component built afresh by its cached test builder, bypassing the cache."""
    build: Callable[[str], tuple[Resource, ...]] = inspect.unwrap(builder)
    return build("prod")


@pytest.fixture(scope="module", autouse=True)
def components_comply() -> Iterator[None]:
    """Unchanged, every component here passes: a failure below is the removal's doing."""
    for builder in (built_audit_logging, built_org_policies, built_monitoring, built_storage):
        assert failing(builder("prod")) == set()
    yield


@pytest.mark.parametrize("service", sorted(RESTRICTED_SERVICES))
def test_a_service_dropped_from_the_perimeter_fails(monkeypatch: pytest.MonkeyPatch, service: str) -> None:
    monkeypatch.delitem(RESTRICTED_SERVICES, service)
    perimeter = rebuilt(built_perimeter)
    stack = [r for r in planned("prod") if r.type != PERIMETER] + [r for r in perimeter if r.type == PERIMETER]
    expected = {"VPC-02", "VPC-08"} if service in BASELINE_SERVICES else {"VPC-08"}
    assert failing(stack, [*PERIMETER_RULES, *COVERAGE_RULES]) == expected


def test_the_restricted_vip_dropped_from_vpc_accessible_services_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    replace_everywhere(monkeypatch, perimeter_services.VPC_ACCESSIBLE_SERVICES, ())
    perimeter = [r for r in rebuilt(built_perimeter) if r.type == PERIMETER]
    assert failing(perimeter, PERIMETER_RULES) == {"VPC-03"}


@pytest.mark.parametrize("log_type", audit_streams.AUDIT_LOG_TYPES)
def test_an_audit_log_type_dropped_fails(monkeypatch: pytest.MonkeyPatch, log_type: str) -> None:
    kept = tuple(t for t in audit_streams.AUDIT_LOG_TYPES if t != log_type)
    replace_everywhere(monkeypatch, audit_streams.AUDIT_LOG_TYPES, kept)
    assert failing(rebuilt(built_audit_logging)) == {"AUD-01"}


@pytest.mark.parametrize("log_id", [*audit_streams.AUDIT_LOG_IDS, *audit_streams.PLATFORM_LOG_IDS])
def test_a_log_dropped_from_the_siem_sink_fails(monkeypatch: pytest.MonkeyPatch, log_id: str) -> None:
    if log_id in audit_streams.PLATFORM_LOG_IDS:
        monkeypatch.delitem(audit_streams.PLATFORM_LOG_IDS, log_id)
    else:
        kept = tuple(i for i in audit_streams.AUDIT_LOG_IDS if i != log_id)
        replace_everywhere(monkeypatch, audit_streams.AUDIT_LOG_IDS, kept)
    assert failing(rebuilt(built_audit_logging)) == {"AUD-03"}


def _constraints_without(monkeypatch: pytest.MonkeyPatch, name: str, value: str | None = None) -> None:
    """CONSTRAINTS without the constraint `name`, or (given `value`) with that value taken out of it."""
    changed = []
    for item in org_data.CONSTRAINTS:
        if item.name != name:
            changed.append(item)
        elif value is not None:
            changed.append(dataclasses.replace(item, values=tuple(v for v in item.values if v != value)))
    replace_everywhere(monkeypatch, org_data.CONSTRAINTS, tuple(changed))


@pytest.mark.parametrize("name", [c.name for c in org_data.CONSTRAINTS])
def test_an_org_constraint_dropped_fails(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    _constraints_without(monkeypatch, name)
    assert failing(rebuilt(built_org_policies)) == {"ORG-01"}


@pytest.mark.parametrize("service", org_data.CMEK_SERVICES)
def test_a_service_dropped_from_the_cmek_list_fails(monkeypatch: pytest.MonkeyPatch, service: str) -> None:
    _constraints_without(monkeypatch, "gcp.restrictNonCmekServices", service)
    assert failing(rebuilt(built_org_policies)) == {"ORG-01", "ORG-03"}


@pytest.mark.parametrize("version", org_data.WEAK_TLS)
def test_a_weak_tls_version_dropped_from_the_refused_list_fails(monkeypatch: pytest.MonkeyPatch, version: str) -> None:
    _constraints_without(monkeypatch, "gcp.restrictTLSVersion", version)
    assert failing(rebuilt(built_org_policies)) == {"ORG-01"}


@pytest.mark.parametrize("label", ["compliance", "data-classification", "environment"])
def test_a_label_dropped_from_the_placement_labels_fails(monkeypatch: pytest.MonkeyPatch, label: str) -> None:
    labels: property = vars(Placement)["labels"]
    original = labels.fget
    assert original is not None

    def without(placement: Placement) -> dict[str, str]:
        return {key: value for key, value in original(placement).items() if key != label}

    monkeypatch.setattr(Placement, "labels", property(without))
    assert failing(rebuilt(built_storage)) == {"LBL-01"}


@pytest.mark.parametrize("alert_id", [a.id for a in alert_data.ALERTS])
def test_a_security_alert_dropped_fails(monkeypatch: pytest.MonkeyPatch, alert_id: str) -> None:
    kept = tuple(a for a in alert_data.ALERTS if a.id != alert_id)
    replace_everywhere(monkeypatch, alert_data.ALERTS, kept)
    assert failing(rebuilt(built_monitoring)) == {"MON-04"}


def test_a_method_dropped_from_an_alert_filter_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    weakened = tuple(
        dataclasses.replace(
            a, log_filter=a.log_filter.replace(' OR protoPayload.methodName:"compute.firewalls.delete"', "")
        )
        if a.id == "firewall-change"
        else a
        for a in alert_data.ALERTS
    )
    assert weakened != alert_data.ALERTS
    replace_everywhere(monkeypatch, alert_data.ALERTS, weakened)
    assert failing(rebuilt(built_monitoring)) == {"MON-04"}
