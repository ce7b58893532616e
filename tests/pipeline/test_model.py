"""The typed model: a step is args or script, never both; dicts in Cloud Build's shape and order."""

from __future__ import annotations

import pytest

from pipeline.model import Pipeline, Secret, Stage, Step


def test_a_step_with_script_and_args_is_refused() -> None:
    with pytest.raises(ValueError, match="step a: a step with script may not also have args or entrypoint"):
        Step(id="a", name="x:1", timeout_seconds=60, args=("b",), script="echo")


def test_a_step_without_a_positive_timeout_is_refused() -> None:
    with pytest.raises(ValueError, match="step a: timeout must be positive"):
        Step(id="a", name="x:1", timeout_seconds=0)


def test_step_dict_keys_in_a_fixed_order() -> None:
    step = Step(
        id="a",
        name="x:1",
        timeout_seconds=90,
        entrypoint="bash",
        args=("-c", "true"),
        env=("A=1",),
        secret_env=("S",),
        wait_for=("-",),
        dir="sub",
    )
    assert list(step.to_dict()) == ["id", "name", "entrypoint", "args", "dir", "env", "secretEnv", "waitFor", "timeout"]
    assert step.to_dict()["timeout"] == "90s"


def test_a_script_step_renders_script_only() -> None:
    assert Step(id="a", name="x:1", timeout_seconds=5, script="echo hi").to_dict() == {
        "id": "a",
        "name": "x:1",
        "script": "echo hi",
        "timeout": "5s",
    }


def test_pipeline_dict_and_secrets() -> None:
    model = Pipeline(
        stages=(Stage("one", (Step(id="a", name="x:1", timeout_seconds=5),)), Stage("two", ())),
        substitutions={"_ENVIRONMENT": "dev"},
        options={"logging": "CLOUD_LOGGING_ONLY"},
        timeout_seconds=60,
        secrets=(Secret("projects/p/secrets/s/versions/1", "S"),),
    )
    assert [s.id for s in model.steps] == ["a"]
    assert model.to_dict() == {
        "steps": [{"id": "a", "name": "x:1", "timeout": "5s"}],
        "timeout": "60s",
        "substitutions": {"_ENVIRONMENT": "dev"},
        "options": {"logging": "CLOUD_LOGGING_ONLY"},
        "availableSecrets": {"secretManager": [{"versionName": "projects/p/secrets/s/versions/1", "env": "S"}]},
    }


def test_a_pipeline_without_secrets_has_no_available_secrets() -> None:
    model = Pipeline(stages=(), substitutions={}, options={}, timeout_seconds=60)
    assert "availableSecrets" not in model.to_dict()
