"""The SQL validate-bqml-model.sh sends, as sent, read with sqlglot's BigQuery dialect.

sqlglot (30.x) cannot parse the `MODEL` argument of BigQuery ML table functions, so the evaluation
query is read with that one argument swapped for a table reference; the rest is parsed as sent.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from tests.scripts.bqml_fixtures import answer, args
from tests.scripts.fakes import SCRIPTS, FakeTools

MODEL = "`nwh-analytics-prd.hipaa_prod_deidentified.encounter_volume_model`"
KEYRING = "projects/nwh-analytics-prd/locations/us-central1/keyRings/hipaa-prod-keyring"
AGGREGATES = "nwh-analytics-prd.hipaa_prod_deidentified.facility_monthly_encounters"
# The aggregate table's columns (workloads/spark aggregate.py): nothing row-level, no identifier.
AGGREGATE_COLUMNS = {
    "facility_id",
    "service_month",
    "patient_zip3",
    "encounter_count",
    "patient_count",
    "mean_length_of_stay_days",
}


@functools.cache
def sent(tmp_root: str) -> tuple[str, ...]:
    tools = FakeTools(Path(tmp_root))
    tools.approve_build()
    answer(tools, "prod")
    result = tools.run("validate-bqml-model.sh", *args("prod"))
    assert result.returncode == 0, result.stderr
    return tuple(call.argv[-1] for call in tools.calls("bq") if "query" in call.argv)


@pytest.fixture
def queries(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, ...]:
    return sent(str(tmp_path_factory.mktemp("bqml-sql")))


def parse(sql: str) -> exp.Expr:
    return sqlglot.parse_one(sql, read="bigquery")


def tables(tree: exp.Expr) -> set[str]:
    return {
        ".".join(part.name for part in (t.args.get("catalog"), t.args.get("db"), t.this) if part)
        for t in tree.find_all(exp.Table)
    }


def options(tree: exp.Expr) -> dict[str, exp.Expr]:
    properties = tree.args["properties"]
    return {str(p.this.name).lower(): p.args["value"] for p in properties.expressions}


def test_the_model_is_created_or_replaced_with_cmek_in_the_vertex_registry(queries: tuple[str, ...]) -> None:
    tree = parse(queries[1])
    assert isinstance(tree, exp.Create) and tree.kind == "MODEL" and tree.args.get("replace") is True
    assert tree.this.sql(dialect="bigquery") == MODEL
    values = {name: value.sql(dialect="bigquery") for name, value in options(tree).items()}
    assert values == {
        "model_type": "'LINEAR_REG'",
        "input_label_cols": "['encounter_count']",
        "data_split_method": "'AUTO_SPLIT'",
        "model_registry": "'VERTEX_AI'",
        "vertex_ai_model_id": "'hipaa-prod-model'",
        "kms_key_name": f"'{KEYRING}/cryptoKeys/bigquery-cmek'",
    }


def test_training_reads_only_the_de_identified_aggregates(queries: tuple[str, ...]) -> None:
    query = parse(queries[1]).expression
    assert isinstance(query, exp.Select)
    assert tables(query) == {AGGREGATES}
    assert {column.name for column in query.find_all(exp.Column)} <= AGGREGATE_COLUMNS
    assert "encounter_count" in {column.name for column in query.find_all(exp.Column)}


def test_the_row_count_reads_the_aggregates(queries: tuple[str, ...]) -> None:
    tree = parse(queries[0])
    assert isinstance(tree, exp.Select) and tables(tree) == {AGGREGATES}
    assert [e.alias_or_name for e in tree.expressions] == ["row_count"]


def test_evaluation_selects_the_gated_metric_of_the_trained_model(queries: tuple[str, ...]) -> None:
    assert f"ML.EVALUATE(MODEL {MODEL})" in queries[2]
    tree = parse(queries[2].replace(f"ML.EVALUATE(MODEL {MODEL})", MODEL))
    assert isinstance(tree, exp.Select)
    assert [e.alias_or_name for e in tree.expressions] == ["r2_score", "mean_absolute_error", "mean_squared_error"]


@pytest.mark.parametrize("name", ["bqml-rows.sql", "bqml-train.sql", "bqml-evaluate.sql"])
def test_every_sql_file_is_sent_without_its_comments(name: str, queries: tuple[str, ...]) -> None:
    text = (SCRIPTS / "sql" / name).read_text(encoding="utf-8")
    assert text.startswith("-- ")
    assert not any(query.lstrip().startswith("--") for query in queries)
