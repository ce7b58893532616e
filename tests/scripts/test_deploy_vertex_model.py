"""deploy-vertex-model.sh: only to the private, peered CMEK endpoint; proves the model is served there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.scripts import deploy_fixtures as fx
from tests.scripts.fakes import FakeTools, Result

SCRIPT = "deploy-vertex-model.sh"
STEM = "deploy-vertex-model"
USAGE = "usage: deploy-vertex-model.sh ENV PROJECT_ID REGION ENDPOINT_DISPLAY_NAME MODEL_DISPLAY_NAME"
ENDPOINT_ID = "4127398822107443200"
MODEL_ID = "2215678390312304640"


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


def args(environment: str) -> tuple[str, ...]:
    return (environment, fx.PROJECTS[environment], fx.REGION, f"hipaa-{environment}-endpoint", "readmission-risk")


def endpoints(environment: str = "dev") -> Any:
    return fx.load(STEM, "endpoints", environment)


def answer(
    tools: FakeTools,
    environment: str = "dev",
    *,
    listed: Any = None,
    models: Any = None,
    after: Any = None,
) -> None:
    tools.on("gcloud", ["ai", "endpoints", "list"], stdout=endpoints(environment) if listed is None else listed)
    tools.on(
        "gcloud", ["ai", "models", "list"], stdout=fx.load(STEM, "models", environment) if models is None else models
    )
    tools.on("gcloud", ["ai", "endpoints", "deploy-model"], stderr="Deployed a model to the endpoint.\n")
    deployed = fx.load(STEM, "endpoint-deployed", environment)
    tools.on("gcloud", ["ai", "endpoints", "describe"], stdout=deployed if after is None else after)


def run(tools: FakeTools, environment: str = "dev") -> Result:
    return tools.run(SCRIPT, *args(environment))


def deploy_calls(tools: FakeTools) -> list[list[str]]:
    return [c.argv for c in tools.calls("gcloud") if c.argv[:3] == ["ai", "endpoints", "deploy-model"]]


def test_model_is_deployed_privately_and_passes(tools: FakeTools) -> None:
    answer(tools)
    result = run(tools)
    assert result.returncode == 0, result.stderr
    assert result.reason == "deploy-vertex-model.sh: PASS: deploy-vertex: 7 checked, 0 violations"
    [deploy] = deploy_calls(tools)
    assert deploy[3] == ENDPOINT_ID
    for flag in (f"--model={MODEL_ID}", "--disable-container-logging", "--traffic-split=0=100", "--region=us-central1"):
        assert flag in deploy, flag
    evidence = tools.evidence_of("deploy-vertex")
    assert evidence["status"] == "pass" and evidence["checked"] == 7


def test_a_model_already_served_is_not_deployed_twice(tools: FakeTools) -> None:
    served = fx.load(STEM, "endpoint-deployed")
    answer(tools, listed=[served])
    result = run(tools)
    assert result.returncode == 0, result.stderr
    assert deploy_calls(tools) == []
    assert "already deployed" in result.stderr


def test_a_non_compliant_endpoint_gets_nothing_deployed(tools: FakeTools) -> None:
    # One endpoint breaks every rule; the evidence must name each of them.
    public = fx.with_value(endpoints(), "0.network", "")
    public = fx.without(public, "0.encryptionSpec")
    public = fx.with_value(public, "0.predictRequestResponseLoggingConfig", {"enabled": True, "samplingRate": 1})
    public = fx.with_value(public, "0.dedicatedEndpointEnabled", True)
    answer(tools, listed=public)
    result = run(tools)
    assert result.returncode == 1
    assert result.reason == (
        f"deploy-vertex-model.sh: FAIL: endpoint {ENDPOINT_ID} or model {MODEL_ID} is not compliant; nothing deployed"
    )
    assert deploy_calls(tools) == []
    assert tools.evidence_of("deploy-vertex")["violations"][:-1] == [
        f"endpoint {ENDPOINT_ID}: public (no VPC peering network)",
        f"endpoint {ENDPOINT_ID}: dedicated public DNS endpoint is enabled",
        f"endpoint {ENDPOINT_ID}: no CMEK encryptionSpec from {fx.keyring('dev')}",
        f"endpoint {ENDPOINT_ID}: request-response logging is on (copies PHI to BigQuery)",
    ]


def test_an_endpoint_peered_elsewhere_with_a_foreign_key_is_refused(tools: FakeTools) -> None:
    foreign_key = "projects/nwh-analytics-dev/locations/us-east1/keyRings/hipaa-dev-keyring/cryptoKeys/vertex-cmek"
    elsewhere = fx.with_value(endpoints(), "0.network", "projects/318204775619/global/networks/default")
    answer(tools, listed=fx.with_value(elsewhere, "0.encryptionSpec.kmsKeyName", foreign_key))
    result = run(tools)
    assert result.returncode == 1 and deploy_calls(tools) == []
    assert tools.evidence_of("deploy-vertex")["violations"][:-1] == [
        f"endpoint {ENDPOINT_ID}: peered to projects/318204775619/global/networks/default, not hipaa-dev-vpc",
        f"endpoint {ENDPOINT_ID}: no CMEK encryptionSpec from {fx.keyring('dev')}",
    ]


def test_a_model_without_cmek_is_refused(tools: FakeTools) -> None:
    answer(tools, models=fx.without(fx.load(STEM, "models"), "0.encryptionSpec"))
    result = run(tools)
    assert result.returncode == 1 and deploy_calls(tools) == []
    assert (
        f"model {MODEL_ID}: no CMEK encryptionSpec from {fx.keyring('dev')}"
        in tools.evidence_of("deploy-vertex")["violations"]
    )


def test_model_missing_from_the_endpoint_after_deploy_fails(tools: FakeTools) -> None:
    answer(tools, after=endpoints()[0])
    result = run(tools)
    assert result.returncode == 1
    assert f"model {MODEL_ID} is not listed on endpoint {ENDPOINT_ID} after the deploy" in result.reason


def test_deployed_model_without_a_private_endpoint_fails(tools: FakeTools) -> None:
    after = fx.without(fx.load(STEM, "endpoint-deployed"), "deployedModels.0.privateEndpoints")
    answer(tools, after=fx.with_value(after, "trafficSplit", {}))
    result = run(tools)
    assert result.returncode == 1
    assert tools.evidence_of("deploy-vertex")["violations"] == [
        "deployed model 7390563812741201920: no private predict endpoint",
        "deployed model 7390563812741201920: receives no traffic",
    ]


@pytest.mark.parametrize(
    ("listed", "reason"),
    [
        ([], "0 endpoints named 'hipaa-dev-endpoint' in us-central1; expected exactly one"),
        ("", "endpoint list: gcloud printed nothing"),
        ({"displayName": "hipaa-dev-endpoint"}, "endpoint list: expected a JSON array"),
    ],
)
def test_missing_empty_or_malformed_endpoint_list_fails_closed(tools: FakeTools, listed: Any, reason: str) -> None:
    answer(tools, listed=listed)
    result = run(tools)
    assert result.returncode == 1 and reason in result.reason
    assert deploy_calls(tools) == []


@pytest.mark.parametrize("garbage", ['[{"displayName": "hipaa-dev-endpoint",', "not json", "]["])
@pytest.mark.parametrize("listing", ["endpoints", "models"])
def test_unparseable_json_from_a_listing_fails_closed(tools: FakeTools, listing: str, garbage: str) -> None:
    answer(tools, **({"listed": garbage} if listing == "endpoints" else {"models": garbage}))
    result = run(tools)
    what = "endpoint list" if listing == "endpoints" else "model list"
    assert result.returncode == 1
    assert result.reason == f"deploy-vertex-model.sh: FAIL: {what}: gcloud printed malformed JSON"
    assert deploy_calls(tools) == []
    assert tools.evidence_of("deploy-vertex")["status"] == "fail"


def test_unparseable_describe_after_deploy_fails_closed(tools: FakeTools) -> None:
    answer(tools, after='{"deployedModels": [')
    result = run(tools)
    assert result.returncode == 1
    assert (
        result.reason == f"deploy-vertex-model.sh: FAIL: describe endpoint {ENDPOINT_ID}: gcloud printed malformed JSON"
    )
    assert tools.evidence_of("deploy-vertex")["status"] == "fail"


def test_two_endpoints_with_the_name_are_ambiguous(tools: FakeTools) -> None:
    twins = endpoints()
    answer(tools, listed=[twins[0], fx.with_value(twins[0], "name", twins[0]["name"] + "1")])
    result = run(tools)
    assert result.returncode == 1 and "2 endpoints named 'hipaa-dev-endpoint'" in result.reason


def test_deploy_failure_fails_with_the_tool_error(tools: FakeTools) -> None:
    tools.on(
        "gcloud",
        ["ai", "endpoints", "deploy-model"],
        exit=1,
        stderr="ERROR: (gcloud.ai.endpoints.deploy-model) FAILED_PRECONDITION: quota exceeded\n",
    )
    answer(tools)
    result = run(tools)
    assert result.returncode == 1
    assert (
        f"deploy model {MODEL_ID}: gcloud failed (exit 1): ERROR: (gcloud.ai.endpoints.deploy-model)" in result.reason
    )
    assert not tools.called("gcloud", "ai", "endpoints", "describe")


def test_empty_describe_after_deploy_fails_closed(tools: FakeTools) -> None:
    answer(tools, after="")
    result = run(tools)
    assert result.returncode == 1 and f"describe endpoint {ENDPOINT_ID}: gcloud printed nothing" in result.reason


def test_prod_without_approval_deploys_nothing(tools: FakeTools) -> None:
    tools.approve_build("PENDING")
    answer(tools, "prod")
    result = run(tools, "prod")
    assert result.returncode == 1 and "approval state is PENDING" in result.reason
    assert deploy_calls(tools) == []


def test_prod_with_approval_deploys_with_more_replicas(tools: FakeTools) -> None:
    tools.approve_build()
    answer(tools, "prod")
    result = run(tools, "prod")
    assert result.returncode == 0, result.stderr
    [deploy] = deploy_calls(tools)
    assert "--min-replica-count=2" in deploy and "--project=nwh-analytics-prd" in deploy


@pytest.mark.parametrize(
    ("position", "value", "named"),
    [
        (3, "endpoint;rm -rf", "ENDPOINT_DISPLAY_NAME="),
        (4, "-model", "MODEL_DISPLAY_NAME="),
        (2, "us central1", "REGION="),
    ],
)
def test_malformed_argument_exits_2(tools: FakeTools, position: int, value: str, named: str) -> None:
    bad = list(args("dev"))
    bad[position] = value
    result = tools.run(SCRIPT, *bad)
    assert result.returncode == 2 and named in result.stderr and result.reason == USAGE
    assert tools.calls() == []


def test_missing_argument_exits_2(tools: FakeTools) -> None:
    result = tools.run(SCRIPT, *args("dev")[:4])
    assert result.returncode == 2 and result.reason == USAGE


def registered(model_id: str) -> Any:
    """The model as BigQuery ML registers it (vertex_ai_model_id): its name ends in that ID, not a number."""
    return fx.with_value(
        fx.load(STEM, "models"), "0.name", f"projects/318204775619/locations/us-central1/models/{model_id}"
    )


def test_a_model_bigquery_ml_registered_under_its_id_is_deployed(tools: FakeTools) -> None:
    deployed = fx.with_value(
        fx.load(STEM, "endpoint-deployed", "dev"),
        "deployedModels.0.model",
        "projects/318204775619/locations/us-central1/models/hipaa-dev-model",
    )
    answer(tools, models=registered("hipaa-dev-model"), after=deployed)
    result = run(tools)
    assert result.returncode == 0, result.stderr
    [deploy] = deploy_calls(tools)
    assert "--model=hipaa-dev-model" in deploy


@pytest.mark.parametrize("model_id", ["-model", "Model", "model.v1", "a" * 64])
def test_a_name_whose_last_part_is_no_vertex_model_id_fails(tools: FakeTools, model_id: str) -> None:
    answer(tools, models=registered(model_id))
    result = run(tools)
    assert result.returncode == 1
    assert result.reason == "deploy-vertex-model.sh: FAIL: model 'readmission-risk': no model id in its resource name"
    assert deploy_calls(tools) == []
