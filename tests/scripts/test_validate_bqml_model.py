"""validate-bqml-model.sh: trains on the de-identified aggregates, checks CMEK and registration, gates on r2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from infra.naming import deidentified_dataset, vertex_model_id
from tests.infra.recording import config_for
from tests.scripts import deploy_fixtures as fx
from tests.scripts.bqml_fixtures import STEM, answer, args
from tests.scripts.fakes import FakeTools, Result

SCRIPT = "validate-bqml-model.sh"
USAGE = "usage: validate-bqml-model.sh ENV PROJECT_ID KMS_KEYRING"
EVALUATE = (
    "SELECT r2_score, mean_absolute_error, mean_squared_error\n"
    "FROM ML.EVALUATE(MODEL `nwh-analytics-dev.hipaa_dev_deidentified.encounter_volume_model`)\n"
)


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


def run(tools: FakeTools, environment: str = "dev", **env: str) -> Result:
    return tools.run(SCRIPT, *args(environment), env=env)


def queries(tools: FakeTools) -> list[str]:
    """The SQL of every `bq query` call, in order (the last argument)."""
    return [call.argv[-1] for call in tools.calls("bq") if "query" in call.argv]


def test_a_model_above_the_bar_passes(tools: FakeTools) -> None:
    answer(tools)
    result = run(tools)
    assert result.returncode == 0, result.stderr
    assert result.reason == "validate-bqml-model.sh: PASS: bqml-model: 4 checked, 0 violations"
    sql = queries(tools)
    assert len(sql) == 3 and sql[2] == EVALUATE
    assert sql[1].startswith(
        "CREATE OR REPLACE MODEL `nwh-analytics-dev.hipaa_dev_deidentified.encounter_volume_model`"
    )
    for call in (c.argv for c in tools.calls("bq") if "query" in c.argv):
        assert call[:4] == ["--project_id=nwh-analytics-dev", "query", "--format=json", "--use_legacy_sql=false"]
    assert tools.called(
        "bq", "show", "--model", "--format=json", "nwh-analytics-dev:hipaa_dev_deidentified.encounter_volume_model"
    )
    evidence = tools.evidence_of("bqml-model")
    assert evidence["status"] == "pass" and evidence["checked"] == 4


def test_a_model_below_the_bar_fails(tools: FakeTools) -> None:
    answer(tools, metrics=[{"r2_score": "0.31", "mean_absolute_error": "9.2", "mean_squared_error": "120.4"}])
    result = run(tools)
    assert result.returncode == 1
    assert result.reason == "validate-bqml-model.sh: FAIL: bqml-model: 1 violation(s) in 4 checked"
    assert tools.evidence_of("bqml-model")["violations"] == [
        "model encounter_volume_model: r2_score=0.31 misses the minimum 0.5"
    ]


def test_the_bar_is_configurable(tools: FakeTools) -> None:
    answer(tools)
    result = run(tools, BQML_MIN_R2="0.9")
    assert result.returncode == 1
    assert tools.evidence_of("bqml-model")["violations"] == [
        "model encounter_volume_model: r2_score=0.8127736017342845 misses the minimum 0.9"
    ]


@pytest.mark.parametrize(
    ("path", "value", "violation"),
    [
        (
            "encryptionConfiguration",
            {},
            "model encounter_volume_model: encrypted with 'Google-managed key', not "
            f"{fx.keyring('dev')}/cryptoKeys/bigquery-cmek",
        ),
        (
            "trainingRuns.0.vertexAiModelId",
            "other-model",
            "model encounter_volume_model: registered in Vertex AI as 'other-model', not hipaa-dev-model",
        ),
        (
            "trainingRuns",
            [],
            "model encounter_volume_model: registered in Vertex AI as 'nothing', not hipaa-dev-model",
        ),
    ],
)
def test_a_model_without_cmek_or_registration_fails(tools: FakeTools, path: str, value: Any, violation: str) -> None:
    answer(tools, model=fx.with_value(fx.load(STEM, "model"), path, value))
    result = run(tools)
    assert result.returncode == 1
    assert tools.evidence_of("bqml-model")["violations"] == [violation]


@pytest.mark.parametrize(
    ("rows", "reason"),
    [
        ([{"row_count": "0"}], "hipaa_dev_deidentified.facility_monthly_encounters has 0 rows, fewer than the 10"),
        ([{"row_count": "9"}], "has 9 rows, fewer than the 10 a model needs"),
        ("", "count aggregate rows: bq printed nothing"),
        ('[{"row_count": ', "count aggregate rows: bq printed malformed JSON"),
        ([], "count aggregate rows: no row_count in the response"),
        ([{"rows": "12"}], "count aggregate rows: no row_count in the response"),
    ],
)
def test_no_or_too_few_aggregates_train_nothing(tools: FakeTools, rows: Any, reason: str) -> None:
    answer(tools, rows=rows)
    result = run(tools)
    assert result.returncode == 1 and reason in result.reason
    assert len(queries(tools)) == 1
    assert tools.evidence_of("bqml-model")["status"] == "fail"


@pytest.mark.parametrize(
    ("metrics", "reason"),
    [
        ("", "evaluate model encounter_volume_model: bq printed nothing"),
        ('[{"r2_score": "0.8"', "evaluate model encounter_volume_model: bq printed malformed JSON"),
        ([], "evaluate model encounter_volume_model: expected one row of metrics, got 0"),
        ([{"mean_absolute_error": "3.1"}], "r2_score is missing or not a number"),
        ([{"r2_score": "NaN"}], "r2_score is missing or not a number"),
    ],
)
def test_empty_or_malformed_evaluation_fails_closed(tools: FakeTools, metrics: Any, reason: str) -> None:
    answer(tools, metrics=metrics)
    result = run(tools)
    assert result.returncode == 1 and reason in result.reason
    assert tools.evidence_of("bqml-model")["status"] == "fail"


def test_training_failure_fails_with_the_tool_error(tools: FakeTools) -> None:
    answer(tools, train_exit=1)
    result = run(tools)
    assert result.returncode == 1
    assert "train model encounter_volume_model: bq failed (exit 1): BigQuery error in query operation" in result.reason
    assert not tools.called("bq", "show")


@pytest.mark.parametrize("model", ["", "{not json", '{"trainingRuns": "x"}'])
def test_malformed_model_description_fails_closed(tools: FakeTools, model: str) -> None:
    answer(tools, model=model)
    result = run(tools)
    assert result.returncode == 1 and "describe model encounter_volume_model" in result.reason
    assert tools.evidence_of("bqml-model")["status"] == "fail"


def test_prod_without_approval_trains_nothing(tools: FakeTools) -> None:
    tools.approve_build("PENDING")
    answer(tools, "prod")
    result = run(tools, "prod")
    assert result.returncode == 1 and "approval state is PENDING, not APPROVED" in result.reason
    assert tools.calls("bq") == []


def test_prod_with_approval_registers_the_prod_model(tools: FakeTools) -> None:
    tools.approve_build()
    answer(tools, "prod")
    result = run(tools, "prod")
    assert result.returncode == 0, result.stderr
    train = queries(tools)[1]
    config = config_for("prod")
    assert f"vertex_ai_model_id = '{vertex_model_id(config)}'" in train
    assert f"`{config.project_id}.{deidentified_dataset(config)}.encounter_volume_model`" in train
    assert f"kms_key_name = '{fx.keyring('prod')}/cryptoKeys/bigquery-cmek'" in train


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"BQML_MIN_R2": "high"}, "BQML_MIN_R2='high' is malformed"),
        ({"BQML_MIN_R2": "1.5"}, "BQML_MIN_R2='1.5' is malformed"),
        ({"BQML_MIN_ROWS": "0"}, "BQML_MIN_ROWS='0' is malformed"),
    ],
)
def test_malformed_settings_exit_2(tools: FakeTools, env: dict[str, str], named: str) -> None:
    result = tools.run(SCRIPT, *args(), env=env)
    assert result.returncode == 2 and named in result.stderr and result.reason == USAGE
    assert tools.calls() == []


@pytest.mark.parametrize(
    ("position", "value", "named"),
    [
        (0, "qa", "ENV must be dev, staging or prod"),
        (1, "Bad_Project", "PROJECT_ID="),
        (2, "hipaa-dev-keyring", "KMS_KEYRING="),
    ],
)
def test_malformed_argument_exits_2(tools: FakeTools, position: int, value: str, named: str) -> None:
    bad = list(args())
    bad[position] = value
    result = tools.run(SCRIPT, *bad)
    assert result.returncode == 2 and named in result.stderr and result.reason == USAGE
    assert tools.calls() == []


def test_missing_argument_exits_2(tools: FakeTools) -> None:
    result = tools.run(SCRIPT, "dev", "nwh-analytics-dev")
    assert result.returncode == 2 and result.reason == USAGE
