"""Graph rules: ids, waitFor order and cycles, release check first, deploys behind every pre-deploy
gate and the deploy verdict, a refused build's record before the verdict, report and notification last."""

from __future__ import annotations

from pipeline.checks.graph import (
    deploys_behind_gates,
    deploys_behind_verdict,
    infra_deploy_alone,
    refused_record_before_verdict,
    release_first,
    report_last,
    unique_ids,
    wait_for_cycles,
    wait_for_order,
)
from pipeline.contract import PRE_DEPLOY_GATES
from pipeline.gates import gate
from tests.pipeline.builds import build, calls, step


def test_unique_ids_pass() -> None:
    assert unique_ids(build(step("a"), step("b"))) == []


def test_a_duplicate_id_fails() -> None:
    assert unique_ids(build(step("a"), step("a"))) == ["[ids] step id a is used more than once"]


def test_a_step_without_id_fails() -> None:
    nameless = step("x")
    del nameless["id"]
    assert unique_ids(build(step("a"), nameless)) == ["[ids] step #1 has no id"]


def test_wait_for_earlier_steps_passes() -> None:
    assert wait_for_order(build(step("a", wait_for=["-"]), step("b", wait_for=["a"]))) == []


def test_wait_for_a_later_step_fails() -> None:
    config = build(step("a", wait_for=["b"]), step("b"))
    assert wait_for_order(config) == ["[waitFor] step a waits for b, which comes later"]


def test_wait_for_an_unknown_id_fails() -> None:
    assert wait_for_order(build(step("a", wait_for=["zzz"]))) == ["[waitFor] step a waits for unknown id zzz"]


def test_wait_for_itself_fails() -> None:
    assert wait_for_order(build(step("a", wait_for=["a"]))) == ["[waitFor] step a waits for itself"]


def test_start_at_once_mixed_with_ids_fails() -> None:
    config = build(step("a"), step("b", wait_for=["-", "a"]))
    assert wait_for_order(config) == ["[waitFor] step b: '-' (start at once) mixed with step ids"]


def test_no_cycle_passes() -> None:
    assert wait_for_cycles(build(step("a", wait_for=["-"]), step("b", wait_for=["a"]))) == []


def test_a_cycle_through_forward_references_fails() -> None:
    config = build(step("a", wait_for=["c"]), step("b", wait_for=["a"]), step("c", wait_for=["b"]))
    assert wait_for_cycles(config) == ["[waitFor] waitFor forms a cycle: a -> c -> b -> a"]


def test_release_check_first_and_everything_behind_it_passes() -> None:
    config = build(calls("verify", "verify-release.sh", ["-"]), step("b", wait_for=["verify"]), step("c"))
    assert release_first(config) == []


def test_a_first_step_that_is_not_the_release_check_fails() -> None:
    config = build(step("a"), calls("verify", "verify-release.sh"))
    assert release_first(config) == ["[order] the first step must run scripts/verify-release.sh"]


def test_a_step_that_starts_before_the_release_check_fails() -> None:
    config = build(calls("verify", "verify-release.sh", ["-"]), step("early", wait_for=["-"]))
    assert release_first(config) == ["[order] step early does not wait (directly or not) for the release check verify"]


def _gate_steps(skip: str = "") -> list[dict[str, object]]:
    return [calls(g, gate(g).script, ["-"]) for g in PRE_DEPLOY_GATES if g != skip]


def test_a_deploy_behind_every_pre_deploy_gate_passes() -> None:
    gates = _gate_steps()
    # Transitively: the deploy waits for one step that waits for all gates.
    config = build(
        *gates, step("join", wait_for=[str(g["id"]) for g in gates]), calls("d", "deploy-infra.sh", ["join"])
    )
    assert deploys_behind_gates(config) == []


def test_a_deploy_not_behind_trivy_fails() -> None:
    gates = _gate_steps()
    config = build(*gates, calls("d", "deploy-gke-hipaa.sh", [str(g["id"]) for g in gates if g["id"] != "trivy"]))
    assert deploys_behind_gates(config) == ["[order] deploy step d does not wait for gate(s): trivy"]


def test_a_gate_that_no_step_runs_leaves_every_deploy_unguarded() -> None:
    gates = _gate_steps(skip="phi-detection")
    config = build(*gates, calls("d", "run-pyspark-job.sh"))
    assert deploys_behind_gates(config) == ["[order] deploy step d does not wait for gate(s): phi-detection"]


def test_report_then_notify_last_passes() -> None:
    config = build(
        step("a"),
        step("b", wait_for=["-"]),
        calls("report", "generate-compliance-report.sh"),
        calls("notify", "notify-security.sh", ["report"]),
    )
    assert report_last(config) == []


def test_a_report_that_does_not_wait_for_everything_fails() -> None:
    config = build(
        step("a"),
        step("b", wait_for=["-"]),
        calls("report", "generate-compliance-report.sh", ["a"]),
        calls("notify", "notify-security.sh", ["report"]),
    )
    assert report_last(config) == ["[order] the report report does not wait for: b"]


def test_a_notification_before_the_report_fails() -> None:
    config = build(
        step("a"),
        calls("report", "generate-compliance-report.sh"),
        calls("notify", "notify-security.sh", ["a"]),
    )
    assert report_last(config) == ["[order] the notification notify does not wait for the report report"]


def test_a_missing_report_step_fails() -> None:
    assert report_last(build(step("a"))) == [
        "[order] expected exactly one step each running generate-compliance-report.sh and notify-security.sh"
        " (not through when-refused.sh)"
    ]


def test_an_infra_deploy_with_nothing_beside_it_passes() -> None:
    config = build(step("a"), step("b"), calls("infra", "deploy-infra.sh"), step("c", wait_for=["infra"]))
    assert infra_deploy_alone(config) == []


def test_a_step_beside_the_infra_deploy_fails() -> None:
    config = build(step("a"), step("test", wait_for=["a"]), calls("infra", "deploy-infra.sh", ["a"]))
    assert infra_deploy_alone(config) == ["[order] test may run while infra (deploy-infra.sh) runs"]


ALL_GATES = " ".join(f'"{g}"' for g in PRE_DEPLOY_GATES)


def _record(
    *, verdict_waits: str = "refused-notify", verdict_extra: dict[str, object] | None = None
) -> list[dict[str, object]]:
    """The pre-deploy gates, a refused build's record, and the deploy verdict, as the pipeline has them."""
    gates = _gate_steps()
    ids = [str(g["id"]) for g in gates]

    def refused(step_id: str, script: str, after: list[str]) -> dict[str, object]:
        return step(step_id, f'exec scripts/when-refused.sh "${{_ENVIRONMENT}}" "scripts/{script}"', after)

    return [
        *gates,
        refused("refused-scan", "run-phi-log-scan.sh", ids),
        refused("refused-report", "generate-compliance-report.sh", ["refused-scan"]),
        refused("refused-notify", "notify-security.sh", ["refused-report"]),
        step(
            "gates-passed",
            f'exec scripts/require-gates-passed.sh "${{_ENVIRONMENT}}" {ALL_GATES}',
            [verdict_waits],
            **(verdict_extra or {}),
        ),
    ]


def test_deploys_behind_the_verdict_after_the_refused_record_pass() -> None:
    config = build(*_record(), calls("d", "deploy-infra.sh", ["gates-passed"]))
    assert deploys_behind_verdict(config) == []
    assert refused_record_before_verdict(config) == []


def test_a_deploy_that_does_not_wait_for_the_verdict_fails() -> None:
    gates = [str(g["id"]) for g in _gate_steps()]
    config = build(*_record(), calls("d", "deploy-infra.sh", gates))
    assert deploys_behind_verdict(config) == [
        "[order] deploy step d does not wait for the deploy verdict (gates-passed)"
    ]


def test_a_verdict_that_may_fail_or_misses_a_gate_is_no_verdict() -> None:
    message = [
        "[order] no step runs scripts/require-gates-passed.sh over every pre-deploy gate without allowFailure or"
        " allowExitCodes: nothing keeps a deploy from starting after a failed gate"
    ]
    allowed = build(*_record(verdict_extra={"allowFailure": True}), calls("d", "deploy-infra.sh", ["gates-passed"]))
    assert deploys_behind_verdict(allowed) == message
    partial = build(
        step("gates-passed", 'exec scripts/require-gates-passed.sh "${_ENVIRONMENT}" "trivy"'),
        calls("d", "deploy-infra.sh", ["gates-passed"]),
    )
    assert deploys_behind_verdict(partial) == message


def test_a_guard_before_a_script_is_not_the_deploy_verdict() -> None:
    guard = step("sign", f'exec scripts/require-gates-passed.sh "${{_ENVIRONMENT}}" {ALL_GATES} -- scripts/x.sh')
    assert deploys_behind_verdict(build(guard, calls("d", "deploy-infra.sh", ["sign"])))[0].startswith(
        "[order] no step runs"
    )


def test_a_verdict_before_the_refused_record_finished_fails() -> None:
    config = build(*_record(verdict_waits="refused-report"))
    assert refused_record_before_verdict(config) == [
        "[order] the deploy verdict gates-passed does not wait for the refused record refused-notify"
    ]


def test_a_missing_refused_record_fails() -> None:
    config = build(*_gate_steps(), calls("d", "deploy-infra.sh"))
    assert refused_record_before_verdict(config)[0].startswith("[order] expected exactly one step each running")
