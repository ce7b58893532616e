"""The API image build step: everything through the Artifact Registry mirrors, a tag unique per build."""

from __future__ import annotations

import re
import shlex
from itertools import pairwise

from infra.registry import DOCKER_UPSTREAMS
from pipeline.definition import pipeline
from pipeline.stages.build import API_IMAGE, BASE_REGISTRIES
from pipeline.stages.prepare import PYTHON_VENV
from pipeline.substitutions import API_IMAGE_TAG, PYPI_MIRROR
from tests.workloads.api.test_dockerfile import GLOBAL_ARGS

STEPS = {step.id: step.to_dict() for step in pipeline().steps}
SCRIPT = STEPS[API_IMAGE]["args"][1]
BUILD_LINE = next(line for line in SCRIPT.splitlines() if " docker build " in f" {line}")
WORDS = shlex.split(BUILD_LINE)
BUILD_ARGS = dict(arg.split("=", 1) for flag, arg in pairwise(WORDS) if flag == "--build-arg")
# What each public registry of the Dockerfile's defaults is mirrored as (infra/registry.py upstreams).
MIRROR_OF_HOST = {"docker.io": "dockerhub", "gcr.io": "gcr"}


def test_the_tag_is_unique_per_build_and_names_the_commit() -> None:
    assert API_IMAGE_TAG.endswith("/hipaa-${_ENVIRONMENT}-images/hipaa-api:$SHORT_SHA-$BUILD_ID")
    assert "revision=$COMMIT_SHA" in BUILD_LINE
    refusal = "{ echo 'build-api-image: no commit (SHORT_SHA) to tag the image with' >&2; exit 1; }"
    assert SCRIPT.splitlines()[0].endswith(f'[[ -n "$SHORT_SHA" ]] || {refusal}')


def test_every_base_registry_argument_of_the_dockerfile_is_passed_as_its_mirror() -> None:
    assert set(BASE_REGISTRIES) == set(GLOBAL_ARGS)
    for name, public in GLOBAL_ARGS.items():
        host, path = public.split("/", 1)
        upstream = MIRROR_OF_HOST[host]
        assert upstream in DOCKER_UPSTREAMS
        assert BUILD_ARGS[name] == f"${{_ARTIFACT_REGISTRY}}/hipaa-${{_ENVIRONMENT}}-{upstream}-mirror/{path}"


def test_the_gcr_mirror_proxies_gcr_io() -> None:
    assert DOCKER_UPSTREAMS["gcr"] == "https://gcr.io" and DOCKER_UPSTREAMS["dockerhub"] is None


def test_pip_in_the_image_uses_the_same_pypi_mirror_as_the_build_virtualenv() -> None:
    assert BUILD_ARGS["PIP_INDEX_URL"] == PYPI_MIRROR
    assert f"PIP_INDEX_URL={PYPI_MIRROR}" in STEPS[PYTHON_VENV]["env"]


def test_the_mirror_token_reaches_pip_as_a_buildkit_secret_never_as_a_build_argument() -> None:
    assert BUILD_LINE.startswith('DOCKER_BUILDKIT=1 docker build --pull --secret "id=netrc,src=$$NETRC" ')
    assert not any("token" in value or "NETRC" in value for value in BUILD_ARGS.values())
    host = PYPI_MIRROR.removeprefix("https://").split("/", 1)[0]
    assert re.search(
        rf"printf 'machine %s login oauth2accesstoken password %s\\n' \"{re.escape(host)}\""
        r" \"\$\$\(gcloud auth print-access-token\)\" >\"\$\$NETRC\"",
        SCRIPT,
    )
    assert "trap 'rm -f \"$$NETRC\"' EXIT" in SCRIPT


def test_the_pushed_digest_is_handed_on() -> None:
    assert SCRIPT.splitlines()[-1] == (
        'docker push "$$ref" && docker inspect --format \'{{index .RepoDigests 0}}\' "$$ref" >"$$OUTPUT_DIR/api-image"'
    )


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
    assert "docker build --pull" in BUILD_LINE and BUILD_LINE.rstrip().endswith("workloads/api")
    assert 'ref="' + API_IMAGE_TAG + '"' in SCRIPT or API_IMAGE_TAG in SCRIPT
    assert SCRIPT.rstrip().endswith('>"$$OUTPUT_DIR/api-image"')


def test_scans_signature_and_deploy_use_the_pushed_digest() -> None:
    for step_id in ("trivy", "image-signing", "deploy-gke"):
        assert '"$$(cat "$$OUTPUT_DIR/api-image")"' in shell(step_id), step_id
