"""The HIPAA Checkov policies, run by the real checkov gate: each fails its violating fixture, passes the
compliant one, and runs on the project's own manifests and Dockerfile.

Fixtures (fixtures/): `compliant/kubernetes/` and `compliant/dockerfile/` satisfy every policy;
`violating/ckv_hipaa_<n>/` breaks exactly policy CKV_HIPAA_<n> and no other HIPAA policy.
"""

from __future__ import annotations

import re

import pytest

from pipeline.gates import CONTROLS
from pipeline.gates import gate as pipeline_gate
from tests.security.checkov.gate_run import HIPAA, PROJECT_API, PROJECT_K8S, GateRun, gate_run

# Each policy and the file of its violating fixture the gate must name.
VIOLATING = {
    "CKV_HIPAA_1": "namespace.yaml",
    "CKV_HIPAA_2": "namespace.yaml",
    "CKV_HIPAA_3": "workload.yaml",
    "CKV_HIPAA_4": "deployment.yaml",
    "CKV_HIPAA_5": "deployment.yaml",
    "CKV_HIPAA_6": "service.yaml",
    "CKV_HIPAA_7": "Dockerfile",
    "CKV_HIPAA_8": "Dockerfile",
    "CKV_HIPAA_9": "Dockerfile",
}
POLICIES = sorted(VIOLATING, key=lambda policy: int(policy.rsplit("_", 1)[1]))
CITATION = re.compile(r"^HIPAA: [A-Z].+ \[45 CFR 164\.3[01][0-9](\([0-9a-zA-Z]+\))+ [a-z ]+\]$")
KNOWN_GAP = pytest.mark.xfail(
    strict=True,
    reason="KNOWN GAP: the API serves plain HTTP (uvicorn without TLS) on 8080, behind its internal load "
    "balancer on port 80; it needs TLS in the pod and a certificate source, a decision outside this change",
)


@pytest.fixture(scope="module")
def gate() -> GateRun:
    return gate_run()


def violating(policy: str) -> str:
    return f"{HIPAA}violating/{policy.lower()}/"


def test_the_gate_loads_and_runs_every_policy_of_security_checkov(gate: GateRun) -> None:
    assert f"{len(POLICIES)} HIPAA policies declared in security/checkov, {len(POLICIES)} ran" in gate.stderr
    ran = {r.check_id for r in gate.results if r.check_id.startswith("CKV_HIPAA_")}
    assert sorted(ran) == sorted(POLICIES)
    assert gate.returncode == 1 and gate.evidence["status"] == "fail"


def test_every_policy_reports_its_reason_and_its_45_cfr_citation(gate: GateRun) -> None:
    names = {r.check_id: r.check_name for r in gate.results if r.check_id.startswith("CKV_HIPAA_")}
    assert {policy: bool(CITATION.match(names[policy])) for policy in POLICIES} == dict.fromkeys(POLICIES, True)
    # The compliance report credits the checkov gate with every control a policy cites.
    cited = {re.findall(r"\[45 CFR (\S+)", name)[0] for name in names.values()}
    assert cited <= set(pipeline_gate("checkov").controls) and cited <= set(CONTROLS)


@pytest.mark.parametrize("policy", POLICIES)
def test_violating_fixture_fails_its_policy_and_no_other_through_the_gate(gate: GateRun, policy: str) -> None:
    under = violating(policy)
    assert {r.check_id for r in gate.select(under, hipaa=True, status="failed")} == {policy}
    named = [v for v in gate.evidence["violations"] if f"{under}{VIOLATING[policy]} " in v and f" {policy} " in v]
    assert len(named) == 1 and named[0].startswith(f"checkov: {gate.scanned}{under}{VIOLATING[policy]} ")


@pytest.mark.parametrize("policy", POLICIES)
def test_compliant_fixture_passes_the_policy(gate: GateRun, policy: str) -> None:
    compliant = f"{HIPAA}compliant/"
    assert policy in {r.check_id for r in gate.select(compliant, hipaa=True, status="passed")}
    assert gate.select(compliant, hipaa=True, status="failed") == []
    assert not [v for v in gate.evidence["violations"] if f"{compliant}" in v and "CKV_HIPAA_" in v]


def test_every_policy_runs_on_the_projects_own_manifests_and_dockerfile(gate: GateRun) -> None:
    own = gate.select(PROJECT_K8S, hipaa=True) + gate.select(PROJECT_API, hipaa=True)
    assert sorted({r.check_id for r in own}) == sorted(POLICIES)
    assert [r for r in own if r.status == "skipped"] == []


@pytest.mark.parametrize("policy", [pytest.param(p, marks=KNOWN_GAP) if p == "CKV_HIPAA_6" else p for p in POLICIES])
def test_the_projects_own_manifests_and_dockerfile_pass(gate: GateRun, policy: str) -> None:
    own = [
        r for r in gate.select(PROJECT_K8S, hipaa=True) + gate.select(PROJECT_API, hipaa=True) if r.check_id == policy
    ]
    assert own and {r.status for r in own} == {"passed"}, [(r.file_path, r.resource, r.status) for r in own]
