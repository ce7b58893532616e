"""build-api-image.sh: built through the mirrors, token only as a BuildKit secret, pushed, digest handed on."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scripts import scanner_fixtures as fx
from tests.scripts.fakes import FakeTools, Result

COMMIT = "0123456789abcdef0123456789abcdef01234567"
REPOSITORY = "us-central1-docker.pkg.dev/nwh-analytics-prd/hipaa-prod-images/hipaa-api"
REF = f"{REPOSITORY}:0123456-b-123"
INDEX = "https://us-central1-python.pkg.dev/nwh-analytics-prd/hipaa-prod-pypi-mirror/simple/"
BASES = (
    "PYTHON_REGISTRY=us-central1-docker.pkg.dev/nwh-analytics-prd/hipaa-prod-dockerhub-mirror/library",
    "DISTROLESS_REGISTRY=us-central1-docker.pkg.dev/nwh-analytics-prd/hipaa-prod-gcr-mirror/distroless",
)
TOKEN = "ya29.fake-token"
assert fx.IMAGE.startswith(REPOSITORY + "@")


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


def registry(tools: FakeTools, digest_ref: str = fx.IMAGE) -> FakeTools:
    tools.on("gcloud", ["auth", "print-access-token"], stdout=f"{TOKEN}\n")
    tools.on("gcloud", ["auth", "configure-docker"], stderr="Adding credentials for: us-central1-docker.pkg.dev\n")
    tools.on("docker", ["build"], stderr="#1 [internal] load build definition from Dockerfile\n")
    tools.on("docker", ["push", REF], stdout="latest: digest: sha256:ab size: 1\n")
    tools.on("docker", ["inspect", "--format", "{{index .RepoDigests 0}}", REF], stdout=f"{digest_ref}\n")
    return tools


def run(tools: FakeTools, *args: str, ref: str = REF, commit: str = COMMIT) -> Result:
    words = args or ("prod", ref, commit, "workloads/api", INDEX, *BASES)
    return tools.run("build-api-image.sh", *words, env={"OUTPUT_DIR": str(tools.root / "outputs")})


def handed_on(tools: FakeTools) -> Path:
    return tools.root / "outputs" / "api-image"


def test_the_image_is_built_through_the_mirrors_pushed_and_its_digest_handed_on(tools: FakeTools) -> None:
    result = run(registry(tools))
    assert result.returncode == 0, result.stderr
    assert handed_on(tools).read_text(encoding="utf-8") == f"{fx.IMAGE}\n"
    assert tools.called("gcloud", "auth", "configure-docker", "us-central1-docker.pkg.dev", "--quiet")
    build = next(c.argv for c in tools.calls("docker") if c.argv[0] == "build")
    assert build[:2] == ["build", "--pull"]
    secret = build[build.index("--secret") + 1]
    assert secret.startswith("id=netrc,src=") and secret.endswith("/netrc")
    build_args = [build[i + 1] for i, word in enumerate(build) if word == "--build-arg"]
    assert build_args == [*BASES, f"PIP_INDEX_URL={INDEX}"]
    assert build[build.index("--label") + 1] == f"org.opencontainers.image.revision={COMMIT}"
    assert build[-3:] == ["-t", REF, "workloads/api"]
    # DOCKER_BUILDKIT=1 docker build needs buildx where the CLI looks for plugins.
    plugin = tools.root / ".docker" / "cli-plugins" / "docker-buildx"
    assert plugin.is_symlink() and plugin.resolve() == (tools.bin / "docker-buildx").resolve()
    # The token never reaches the command line, the log or a build argument.
    assert all(TOKEN not in word for call in tools.calls() for word in call.argv)
    assert TOKEN not in result.stderr + result.stdout


def test_a_tag_without_the_commit_is_refused_before_anything_is_built(tools: FakeTools) -> None:
    result = run(registry(tools), ref=f"{REPOSITORY}:-b-123")
    assert result.returncode == 1
    assert "no commit (SHORT_SHA) to tag the image with" in result.reason
    assert tools.calls() == []


def test_an_empty_commit_is_a_usage_error(tools: FakeTools) -> None:
    result = run(registry(tools), commit="")
    assert result.returncode == 2 and "argument 3 is empty" in result.stderr
    assert tools.calls() == []


@pytest.mark.parametrize(
    ("ref", "index", "extra", "problem"),
    [
        (REF.replace("hipaa-prod-images", "hipaa-dev-images"), INDEX, (), "is not in the hipaa-prod-images repository"),
        (REF.replace("0123456", "abcdef0"), INDEX, (), "does not name commit 0123456"),
        (REF, INDEX.replace("https", "http"), (), "PIP_INDEX_URL="),
        (REF, INDEX, ("PIP_INDEX_URL=https://pypi.org/simple",), "PIP_INDEX_URL is its own argument"),
        (REF, INDEX, ("lower=case",), "BUILD_ARG='lower=case' is malformed"),
    ],
)
def test_bad_arguments_are_usage_errors(
    tools: FakeTools, ref: str, index: str, extra: tuple[str, ...], problem: str
) -> None:
    result = run(registry(tools), "prod", ref, COMMIT, "workloads/api", index, *BASES, *extra)
    assert result.returncode == 2
    assert problem in result.stderr
    assert tools.calls() == []


def test_a_failed_build_fails_and_pushes_nothing(tools: FakeTools) -> None:
    tools.on("docker", ["build"], exit=1, stderr="ERROR: failed to solve: process did not complete successfully\n")
    result = run(registry(tools))
    assert result.returncode == 1
    assert result.reason == f"build-api-image.sh: FAIL: docker build of {REF} failed (exit 1)"
    assert not tools.called("docker", "push")
    assert not handed_on(tools).exists()


def test_a_failed_push_fails_and_hands_nothing_on(tools: FakeTools) -> None:
    tools.on("docker", ["push"], exit=1, stderr="denied: Permission 'artifactregistry.repositories.uploadArtifacts'\n")
    result = run(registry(tools))
    assert result.returncode == 1
    assert result.reason == f"build-api-image.sh: FAIL: docker push of {REF} failed (exit 1)"
    assert not handed_on(tools).exists()


def test_no_token_fails_before_the_build(tools: FakeTools) -> None:
    tools.on("gcloud", ["auth", "print-access-token"], stdout="\n")
    result = run(registry(tools))
    assert result.returncode == 1
    assert result.reason == "build-api-image.sh: FAIL: mirror token: gcloud printed no access token"
    assert not tools.called("docker", "build")


@pytest.mark.parametrize(
    "printed",
    ["", "<no value>", f"{REPOSITORY}:0123456-b-123", fx.IMAGE.replace("hipaa-api@", "other@")],
)
def test_a_pushed_image_without_its_digest_is_never_handed_on(tools: FakeTools, printed: str) -> None:
    result = run(registry(tools, digest_ref=printed))
    assert result.returncode == 1
    assert (
        result.reason
        == f"build-api-image.sh: FAIL: docker inspect printed no digest of {REPOSITORY} for the pushed image"
    )
    assert not handed_on(tools).exists()


def test_without_the_buildx_plugin_nothing_is_built(tools: FakeTools) -> None:
    result = run(registry(tools).remove("docker-buildx"))
    assert result.returncode == 1
    assert result.reason == "build-api-image.sh: FAIL: required tool 'docker-buildx' is not installed"
    assert not any(c.argv[0] == "build" for c in tools.calls("docker"))
