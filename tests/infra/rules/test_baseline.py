"""The rules keep their own baseline: no rule reads a component's data, and every planned type is classified."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from infra.plan.mockrun import PROJECT_ROOT
from infra.plan.python_source import parse_python
from infra.rules import Resource, all_rules, evaluate
from infra.rules.api_identity import API_KSA
from infra.rules.baseline import REQUIRED_RESTRICTED_SERVICES
from infra.rules.perimeter_coverage import RULES as COVERAGE
from infra.rules.services import MODULE_SERVICES, UNRESTRICTED_SERVICES, services_of
from tests.conftest import planned

RULES_DIR = PROJECT_ROOT / "infra" / "rules"
# Where the platform is built: the rules may not read any of it.
COMPONENT_PACKAGES = (
    "infra.security",
    "infra.network",
    "infra.data",
    "infra.compute",
    "infra.delivery",
    "infra.naming",
    "infra.platform",
)


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function, relative imports resolved."""
    found: set[str] = set()
    for node in ast.walk(parse_python(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = "infra.rules" if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def from_components(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(f"{p}.") for p in COMPONENT_PACKAGES))


@pytest.mark.parametrize("path", sorted(RULES_DIR.glob("*.py")), ids=lambda p: p.name)
def test_no_rule_module_imports_a_component(path: Path) -> None:
    assert from_components(imported_modules(path)) == []


def test_the_import_check_sees_lazy_and_aliased_imports(tmp_path: Path) -> None:
    source = tmp_path / "rule.py"
    source.write_text(
        "import infra.security.kms as k\n"
        "def f():\n    from infra.network.private_access import RESTRICTED_VIP_RANGE\n"
        "from infra import naming\n"
    )
    assert from_components(imported_modules(source)) == [
        "infra.naming",
        "infra.network.private_access",
        "infra.network.private_access.RESTRICTED_VIP_RANGE",
        "infra.security.kms",
    ]


def test_loading_every_rule_loads_no_component_and_no_pulumi() -> None:
    """Transitively too: the policy pack loads the rules without the SDK or the platform's code."""
    code = (
        "import sys, infra.rules as r; r.all_rules(); "
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in ('pulumi', 'pulumi_gcp') "
        f"or m.startswith({COMPONENT_PACKAGES!r}))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT, check=True)
    assert result.stdout.strip() == ""


def test_every_planned_type_is_classified(stack: str) -> None:
    unclassified = sorted({r.type for r in planned(stack) if services_of(r.type) is None})
    assert unclassified == []


def test_every_type_a_rule_judges_is_classified() -> None:
    named = {t for rule in all_rules() for t in (*rule.types, *rule.scope) if t.startswith("gcp:")}
    assert sorted(t for t in named if services_of(t) is None) == []


def test_a_resource_of_an_unclassified_module_fails_the_plan() -> None:
    stack = [*planned("prod"), Resource("gcp:spanner/instance:Instance", "db", "urn:db", {})]
    assert [f.message for f in evaluate(stack, "prod", COVERAGE)] == [
        "gcp:spanner/instance:Instance: no Google API is known for this type; classify it in infra/rules/services.py"
    ]


def test_a_planned_service_the_perimeter_leaves_out_fails_the_plan() -> None:
    """Cloud SQL is not restricted: planning an instance makes the perimeter incomplete."""
    stack = [*planned("prod"), Resource("gcp:sql/databaseInstance:DatabaseInstance", "db", "urn:db", {})]
    messages = [f.message for f in evaluate(stack, "prod", COVERAGE)]
    assert messages == [
        "perimeter perimeter-perimeter status does not restrict sqladmin.googleapis.com "
        "(used by gcp:sql/databaseInstance:DatabaseInstance)"
    ]


def test_a_platform_without_a_perimeter_fails() -> None:
    stack = [r for r in planned("prod") if "servicePerimeter" not in r.type]
    messages = [f.message for f in evaluate(stack, "prod", COVERAGE)]
    assert len(messages) == 1 and messages[0].startswith("no perimeter is planned around")


def test_unrestricted_services_are_control_plane_only() -> None:
    """No service of the baseline may be excused, and every excused one is one the map can produce."""
    assert set(UNRESTRICTED_SERVICES).isdisjoint(REQUIRED_RESTRICTED_SERVICES)
    assert set(UNRESTRICTED_SERVICES) <= set(MODULE_SERVICES.values()) | {"serviceusage.googleapis.com"}


def test_the_api_service_account_is_the_one_the_manifest_deploys() -> None:
    documents = yaml.safe_load_all((PROJECT_ROOT / "workloads" / "k8s" / "serviceaccount.yaml").read_text())
    accounts = [d["metadata"] for d in documents if d and d.get("kind") == "ServiceAccount"]
    assert [f"{m['namespace']}/{m['name']}" for m in accounts] == [API_KSA]
