"""The fake answers validate-bqml-model.sh gets, shared by its tests and the SQL tests (test_bqml_sql)."""

from __future__ import annotations

from typing import Any

from tests.scripts import deploy_fixtures as fx
from tests.scripts.fakes import FakeTools

STEM = "validate-bqml-model"


def args(environment: str = "dev") -> tuple[str, ...]:
    return environment, fx.PROJECTS[environment], fx.keyring(environment)


def answer(
    tools: FakeTools,
    environment: str = "dev",
    *,
    rows: Any = None,
    model: Any = None,
    metrics: Any = None,
    train_exit: int = 0,
) -> None:
    # Row count and evaluation both bypass the cache; the count comes first.
    tools.on(
        "bq",
        ["query", "--nouse_cache"],
        stdout=fx.load(STEM, "rows", environment) if rows is None else rows,
        times=1,
    )
    tools.on("bq", ["query", "--nouse_cache"], stdout=fx.load(STEM, "ml-evaluate") if metrics is None else metrics)
    tools.on("bq", ["query"], exit=train_exit, stderr="BigQuery error in query operation: Access Denied\n")
    tools.on("bq", ["show", "--model"], stdout=fx.load(STEM, "model", environment) if model is None else model)
