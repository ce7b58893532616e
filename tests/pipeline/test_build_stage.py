"""The API image build step: everything through the Artifact Registry mirrors, a tag unique per build."""

from __future__ import annotations

import shlex

from infra.delivery.registry import DOCKER_UPSTREAMS
from pipeline.definition import pipeline
from pipeline.stages.build import API_IMAGE, BASE_REGISTRIES
from pipeline.stages.prepare import PYTHON_VENV
from pipeline.substitutions import API_IMAGE_TAG, PYPI_MIRROR
from tests.workloads.api.dockerfile import GLOBAL_ARGS

STEPS = {step.id: step.to_dict() for step in pipeline().steps}
LINE = STEPS[API_IMAGE]["args"][1]
# The script call's words after the script: ENV IMAGE_REF COMMIT_SHA CONTEXT_DIR PIP_INDEX_URL BUILD_ARG...
WORDS = shlex.split(LINE.split(" exec ", 1)[1])
SCRIPT, ARGS = WORDS[0], WORDS[1:]
BUILD_ARGS = dict(arg.split("=", 1) for arg in ARGS[5:])
# What each public registry of the Dockerfile's defaults is mirrored as (infra/delivery/registry.py upstreams).
MIRROR_OF_HOST = {"docker.io": "dockerhub", "gcr.io": "gcr"}


def test_the_image_is_built_by_its_script_from_the_api_context() -> None:
    assert SCRIPT == "scripts/build-api-image.sh"
    assert ARGS[0] == "${_ENVIRONMENT}" and ARGS[3] == "workloads/api"
    assert STEPS[API_IMAGE]["waitFor"] == ["toolchain"]  # the Docker CLI and buildx come from the toolchain


def test_the_tag_is_unique_per_build_and_names_the_commit() -> None:
    assert API_IMAGE_TAG.endswith("/hipaa-${_ENVIRONMENT}-images/hipaa-api:$SHORT_SHA-$BUILD_ID")
    assert ARGS[1] == API_IMAGE_TAG
    assert ARGS[2] == "$COMMIT_SHA"


def test_every_base_registry_argument_of_the_dockerfile_is_passed_as_its_mirror() -> None:
    assert set(BASE_REGISTRIES) == set(GLOBAL_ARGS) == set(BUILD_ARGS)
    for name, public in GLOBAL_ARGS.items():
        host, path = public.split("/", 1)
        upstream = MIRROR_OF_HOST[host]
        assert upstream in DOCKER_UPSTREAMS
        assert BUILD_ARGS[name] == f"${{_ARTIFACT_REGISTRY}}/hipaa-${{_ENVIRONMENT}}-{upstream}-mirror/{path}"


def test_the_gcr_mirror_proxies_gcr_io() -> None:
    assert DOCKER_UPSTREAMS["gcr"] == "https://gcr.io" and DOCKER_UPSTREAMS["dockerhub"] is None


def test_pip_in_the_image_uses_the_same_pypi_mirror_as_the_build_virtualenv() -> None:
    # The script passes it as --build-arg PIP_INDEX_URL and writes the token's netrc for its host.
    assert ARGS[4] == PYPI_MIRROR
    assert f'"{PYPI_MIRROR}"' in STEPS[PYTHON_VENV]["args"][1]


def test_no_token_or_secret_is_passed_on_the_command_line() -> None:
    assert not any("token" in word.lower() or "NETRC" in word for word in ARGS)
    assert "secretEnv" not in STEPS[API_IMAGE]


def shell(step_id: str) -> str:
    step = STEPS[step_id]
    return str(step.get("script") or step["args"][-1])


def test_the_spark_wheel_is_built_from_the_workload_and_its_uri_handed_on() -> None:
    text = shell("build-spark-wheel")
    assert "pip wheel --no-deps --no-build-isolation --wheel-dir dist/spark workloads/spark" in text
    assert 'gcloud storage cp "$$wheel" workloads/spark/main.py "$$dest/"' in text
    assert '>"$$OUTPUT_DIR/spark-wheel"' in text
    assert STEPS["build-spark-wheel"]["waitFor"] == ["python-venv"]


def test_scans_signature_and_deploy_use_the_pushed_digest() -> None:
    for step_id in ("trivy", "image-signing", "deploy-gke"):
        assert '"$$(cat "$$OUTPUT_DIR/api-image")"' in shell(step_id), step_id
