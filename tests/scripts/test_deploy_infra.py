"""deploy-infra.sh: pulumi up with the policy pack; fails on any policy violation, error or failed step."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infra.naming import deployer_account_email
from tests.infra.recording import config_for
from tests.scripts import deploy_fixtures as fx
from tests.scripts.fakes import FakeTools, Result

SCRIPT = "deploy-infra.sh"
STEM = "deploy-infra"
USAGE = "usage: deploy-infra.sh ENV BACKEND_URL"
POLICY_PACK = str(fx.FIXTURES / STEM)
STATE = {"dev": "gs://nwh-security-dev-pulumi-state", "prod": "gs://nwh-security-prd-pulumi-state"}
KEY_URN = (
    "urn:pulumi:dev::hipaa::pulumi:pulumi:Stack$hipaa:platform:HipaaPlatform$hipaa:security:Kms"
    "$gcp:kms/cryptoKey:CryptoKey::platform-kms-storage"
)


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


def events(name: str = "up-events", environment: str = "dev") -> list[dict[str, Any]]:
    text = fx.load_text(STEM, f"{name}.jsonl", environment)
    return [json.loads(line) for line in text.splitlines()]


def jsonl(lines: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(line) + "\n" for line in lines)


# The fake pulumi leaves a file named after the account its caller asked the provider to impersonate.
def as_account(command: str) -> dict[str, str]:
    return {f"$HOME/{command}-as-$GOOGLE_IMPERSONATE_SERVICE_ACCOUNT": ""}


def answer(tools: FakeTools, stream: str | None = None, *, exit: int = 0, stderr: str = "") -> None:
    tools.on(
        "pulumi",
        ["login"],
        stdout="Logged in to pulumi-state as builder (gs://nwh-security-dev-pulumi-state)\n",
        writes=as_account("login"),
    )
    tools.on(
        "pulumi",
        ["up"],
        stdout=jsonl(events()) if stream is None else stream,
        exit=exit,
        stderr=stderr,
        writes=as_account("up"),
    )


def run(tools: FakeTools, environment: str = "dev", **env: str) -> Result:
    project = config_for(environment).project_id
    return tools.run(
        SCRIPT, environment, STATE[environment], env={"POLICY_PACK_DIR": POLICY_PACK, "PROJECT_ID": project, **env}
    )


def impersonated(tools: FakeTools, command: str) -> list[str]:
    """The accounts `pulumi <command>` was asked to impersonate ("" when none)."""
    return sorted(p.name.removeprefix(f"{command}-as-") for p in tools.root.glob(f"{command}-as-*"))


def up_call(tools: FakeTools) -> list[str]:
    [call] = [c.argv for c in tools.calls("pulumi") if c.argv[0] == "up"]
    return call


def test_clean_update_passes_with_the_summary_count(tools: FakeTools) -> None:
    answer(tools)
    result = run(tools)
    assert result.returncode == 0, result.stderr
    assert result.reason == "deploy-infra.sh: PASS: deploy-infra: 147 checked, 0 violations"
    assert tools.called("pulumi", "login", "gs://nwh-security-dev-pulumi-state")
    up = up_call(tools)
    for token in ("--yes", "--skip-preview=false", "--json", "--non-interactive", "--suppress-outputs"):
        assert token in up, token
    assert up[up.index("--stack") + 1] == "dev"
    assert up[up.index("--policy-pack") + 1] == POLICY_PACK
    evidence = tools.evidence_of("deploy-infra")
    assert evidence["status"] == "pass" and evidence["checked"] == 147 and evidence["tool"] == "pulumi/jq"


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_the_update_runs_as_the_deployer_account_and_login_as_the_build(tools: FakeTools, environment: str) -> None:
    if environment == "prod":
        tools.approve_build()
    answer(tools, jsonl(events(environment=environment)))
    result = run(tools, environment)
    assert result.returncode == 0, result.stderr
    deployer = f"hipaa-{environment}-deployer@{config_for(environment).project_id}.iam.gserviceaccount.com"
    assert deployer == deployer_account_email(config_for(environment))  # the script names it as naming.py does
    assert impersonated(tools, "up") == [deployer]
    # The state bucket and the secrets key are read by the CLI as the build account, not the deployer.
    assert impersonated(tools, "login") == [""]


@pytest.mark.parametrize("project", ["", "Not_A_Project", "x"])
def test_a_malformed_project_id_names_no_deployer_and_never_runs_pulumi(tools: FakeTools, project: str) -> None:
    answer(tools)
    result = run(tools, PROJECT_ID=project)
    assert result.returncode == 1 and "cannot name the deployer account to impersonate" in result.reason
    assert tools.calls("pulumi") == []


def test_an_advisory_policy_violation_fails_even_when_pulumi_succeeds(tools: FakeTools) -> None:
    stream = events()
    advisory = {
        "sequence": 99,
        "timestamp": 1795957299,
        "policyEvent": {
            "resourceUrn": KEY_URN,
            "message": "KMS-03: rotation period above 90 days",
            "color": "never",
            "policyName": "KMS-03",
            "policyPackName": "hipaa-policies",
            "policyPackVersion": "0.1.0",
            "policyPackVersionTag": "0.1.0",
            "enforcementLevel": "advisory",
        },
    }
    answer(tools, jsonl([*stream[:5], advisory, *stream[5:]]))
    result = run(tools)
    assert result.returncode == 1
    assert result.reason == "deploy-infra.sh: FAIL: deploy-infra: 1 violation(s) in 147 checked"
    assert tools.evidence_of("deploy-infra")["violations"] == [
        f"policy KMS-03 (hipaa-policies, advisory) flagged {KEY_URN}"
    ]


def test_a_mandatory_violation_stops_the_update_and_is_listed(tools: FakeTools) -> None:
    answer(
        tools,
        jsonl(events("up-events-mandatory-violation")),
        exit=255,
        stderr="error: preview failed: 1 mandatory policy violation\n",
    )
    result = run(tools)
    assert result.returncode == 1
    assert result.reason == (
        "deploy-infra.sh: FAIL: pulumi up failed (exit 255): error: preview failed: 1 mandatory policy violation"
    )
    violations = tools.evidence_of("deploy-infra")["violations"]
    assert violations[0].startswith("policy STO-02 (hipaa-policies, mandatory) flagged urn:pulumi:dev::hipaa::")
    assert violations[1] == "pulumi error on urn:pulumi:dev::hipaa::pulumi:pulumi:Stack::hipaa-dev"
    assert "first error: preview failed: 1 mandatory policy violation" in result.stderr


def test_a_failed_resource_operation_fails(tools: FakeTools) -> None:
    stream = events()
    failed = {
        "sequence": 10,
        "timestamp": 1795957210,
        "resOpFailedEvent": {**stream[8]["resourcePreEvent"], "status": 1, "steps": 1},
    }
    answer(tools, jsonl([*stream[:9], failed]), exit=255, stderr="error: update failed\n")
    result = run(tools)
    assert result.returncode == 1 and "pulumi up failed (exit 255): error: update failed" in result.reason
    assert f"update failed on {KEY_URN}" in tools.evidence_of("deploy-infra")["violations"]


def test_a_possibly_corrupt_state_fails(tools: FakeTools) -> None:
    stream = events()
    stream[-2] = fx.with_value(stream[-2], "summaryEvent.maybeCorrupt", True)
    answer(tools, jsonl(stream))
    result = run(tools)
    assert result.returncode == 1
    assert tools.evidence_of("deploy-infra")["violations"] == ["stack dev: state may be corrupt after the update"]


def test_login_failure_stops_before_the_update(tools: FakeTools) -> None:
    tools.on("pulumi", ["login"], exit=255, stderr="error: problem logging in: storage: bucket doesn't exist\n")
    result = run(tools)
    assert result.returncode == 1
    assert "pulumi login: pulumi failed (exit 255): error: problem logging in" in result.reason
    assert not tools.called("pulumi", "up")


@pytest.mark.parametrize(
    ("stream", "reason"),
    [
        ("", "pulumi up printed no events (exit 0)"),
        ("  \n", "pulumi up printed no events (exit 0)"),
        ('{"sequence":0,"preludeEvent":{\n', "pulumi up printed malformed JSON (exit 0)"),
        ('"done"\n', "pulumi up printed events that are not JSON objects"),
        ('{"sequence":3,"policyEvent":"STO-02"}\n', "pulumi up printed events of an unexpected shape"),
    ],
)
def test_empty_or_malformed_output_fails_closed(tools: FakeTools, stream: str, reason: str) -> None:
    answer(tools, stream)
    result = run(tools)
    assert result.returncode == 1 and reason in result.reason
    evidence = tools.evidence_of("deploy-infra")
    assert evidence["status"] == "fail" and evidence["checked"] == 0


def test_a_stream_without_the_update_summary_fails(tools: FakeTools) -> None:
    answer(tools, jsonl(events()[:6]))
    result = run(tools)
    assert result.returncode == 1 and "pulumi up printed no update summary" in result.reason


def test_an_update_that_touched_nothing_cannot_pass(tools: FakeTools) -> None:
    stream = events()
    stream[-2] = fx.with_value(stream[-2], "summaryEvent.resourceChanges", {})
    answer(tools, jsonl(stream))
    result = run(tools)
    assert result.returncode == 1 and "deploy-infra: nothing was checked, refusing to pass" in result.reason


def test_missing_policy_pack_refuses_to_deploy(tools: FakeTools) -> None:
    answer(tools)
    result = run(tools, POLICY_PACK_DIR=str(tools.root / "no-such-pack"))
    assert result.returncode == 1 and "refusing to deploy without the HIPAA policies" in result.reason
    assert tools.calls("pulumi") == []


def test_prod_without_approval_never_runs_pulumi(tools: FakeTools) -> None:
    tools.approve_build("PENDING")
    answer(tools)
    result = run(tools, "prod")
    assert result.returncode == 1 and "approval state is PENDING" in result.reason
    assert tools.calls("pulumi") == []


def test_prod_with_approval_updates_the_prod_stack(tools: FakeTools) -> None:
    tools.approve_build()
    tools.on("pulumi", ["login"])
    tools.on("pulumi", ["up"], stdout=jsonl(events(environment="prod")))
    result = run(tools, "prod")
    assert result.returncode == 0, result.stderr
    assert up_call(tools)[up_call(tools).index("--stack") + 1] == "prod"
    assert tools.called("pulumi", "login", "gs://nwh-security-prd-pulumi-state")


@pytest.mark.parametrize("backend", ["https://api.pulumi.com", "file:///workspace/state", "gs://", "s3://state-bucket"])
def test_a_backend_that_is_not_a_gcs_bucket_exits_2(tools: FakeTools, backend: str) -> None:
    result = tools.run(SCRIPT, "dev", backend, env={"POLICY_PACK_DIR": POLICY_PACK})
    assert result.returncode == 2 and "BACKEND_URL=" in result.stderr and result.reason == USAGE
    assert tools.calls() == []


def test_missing_argument_exits_2(tools: FakeTools) -> None:
    result = tools.run(SCRIPT, "dev")
    assert result.returncode == 2 and "expected 2 arguments, got 1" in result.stderr and result.reason == USAGE
