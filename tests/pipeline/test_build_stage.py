"""The build steps: the PySpark wheel and the API image are built in the pipeline and handed on by reference."""

from __future__ import annotations

from pipeline.definition import pipeline

STEPS = {step.to_dict()["id"]: step.to_dict() for step in pipeline().steps}


def shell(step_id: str) -> str:
    step = STEPS[step_id]
    return str(step.get("script") or step["args"][-1])


def test_the_spark_wheel_is_built_from_the_workload_and_its_uri_handed_on() -> None:
    text = shell("build-spark-wheel")
    assert "pip wheel --no-deps --no-build-isolation --wheel-dir dist/spark workloads/spark" in text
    assert 'gcloud storage cp "$$wheel" workloads/spark/main.py "$$dest/"' in text
    assert '>"$$OUTPUT_DIR/spark-wheel"' in text
    assert STEPS["build-spark-wheel"]["waitFor"] == ["python-venv"]


def test_the_api_image_is_built_from_its_dockerfile_pushed_and_handed_on_by_digest() -> None:
    text = shell("build-api-image")
    assert "docker build --pull" in text and text.rstrip().endswith('>"$$OUTPUT_DIR/api-image"')
    assert "workloads/api" in text and "hipaa-${_ENVIRONMENT}-images/hipaa-api:$SHORT_SHA" in text
    assert "docker push" in text and "{{index .RepoDigests 0}}" in text


def test_scans_signature_and_deploy_use_the_pushed_digest() -> None:
    for step_id in ("trivy", "image-signing", "deploy-gke"):
        assert '"$$(cat "$$OUTPUT_DIR/api-image")"' in shell(step_id), step_id
