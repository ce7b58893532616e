"""install-toolchain.sh: binaries copied out of pinned tool images, each proven to run."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scripts.fakes import FakeTools, Result

MIRROR = "us-central1-docker.pkg.dev/nwh-analytics-prd/hipaa-prod-ghcr-mirror"
JQ = (f"{MIRROR}/jqlang/jq:1.7.1", "/jq", "jq --version")
COSIGN = (f"{MIRROR}/sigstore/cosign/cosign:v2.4.1", "/ko-app/cosign", "cosign version")
JQ_ID, COSIGN_ID = "a" * 64, "b" * 64


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


def binary(bin_dir: Path, name: str, exit_code: int = 0) -> None:
    """What `docker cp` leaves behind: an executable that answers its smoke command."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    path = bin_dir / name
    path.write_text(f"#!/usr/bin/env bash\necho {name} 1.0\nexit {exit_code}\n", encoding="utf-8")
    path.chmod(0o755)


def images(tools: FakeTools) -> FakeTools:
    tools.on("docker", ["create", JQ[0], "none"], stdout=f"{JQ_ID}\n")
    tools.on("docker", ["create", COSIGN[0], "none"], stdout=f"{COSIGN_ID}\n")
    tools.on("docker", ["cp"])
    tools.on("docker", ["rm"], stdout="removed\n")
    return tools


def run(tools: FakeTools, bin_dir: Path, *triples: tuple[str, str, str]) -> Result:
    words = [word for triple in (triples or (JQ, COSIGN)) for word in triple]
    return tools.run("install-toolchain.sh", "prod", str(bin_dir), *words)


def test_each_binary_is_copied_out_removed_and_smoke_tested(tools: FakeTools, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    binary(bin_dir, "jq")
    binary(bin_dir, "cosign")
    result = run(images(tools), bin_dir)
    assert result.returncode == 0, result.stderr
    assert [c.argv for c in tools.calls("docker") if c.argv[0] == "cp"] == [
        ["cp", f"{JQ_ID}:/jq", f"{bin_dir}/"],
        ["cp", f"{COSIGN_ID}:/ko-app/cosign", f"{bin_dir}/"],
    ]
    assert tools.called("docker", "rm", JQ_ID) and tools.called("docker", "rm", COSIGN_ID)
    assert not tools.called("docker", "run") and not tools.called("docker", "start")
    assert result.reason == f"install-toolchain.sh: 2 tools installed in {bin_dir}"


def test_a_failed_copy_fails_and_still_removes_the_container(tools: FakeTools, tmp_path: Path) -> None:
    tools.on("docker", ["cp", f"{COSIGN_ID}:/ko-app/cosign"], exit=1, stderr="Error: No such container:path\n")
    result = run(images(tools), tmp_path / "bin")
    assert result.returncode == 1
    assert result.reason == (
        f"install-toolchain.sh: FAIL: docker cp /ko-app/cosign from {COSIGN[0]}: docker failed (exit 1):"
        " Error: No such container:path"
    )
    assert tools.called("docker", "rm", COSIGN_ID)


def test_an_image_that_cannot_be_pulled_fails(tools: FakeTools, tmp_path: Path) -> None:
    tools.on("docker", ["create"], exit=1, stderr="Error response from daemon: manifest unknown\n")
    result = run(tools, tmp_path / "bin")
    assert result.returncode == 1
    assert f"docker create {JQ[0]}: docker failed (exit 1): Error response from daemon" in result.reason


def test_docker_create_printing_no_container_id_fails(tools: FakeTools, tmp_path: Path) -> None:
    tools.on("docker", ["create"], stdout="")
    result = run(tools, tmp_path / "bin")
    assert result.returncode == 1
    assert result.reason == f"install-toolchain.sh: FAIL: docker create {JQ[0]}: printed no container id"


def test_a_binary_that_does_not_run_fails(tools: FakeTools, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    binary(bin_dir, "jq")
    binary(bin_dir, "cosign", exit_code=127)
    result = run(images(tools), bin_dir)
    assert result.returncode == 1
    assert "smoke test 'cosign version'" in result.reason and "(exit 127)" in result.reason


def test_a_copy_that_left_no_binary_fails(tools: FakeTools, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    binary(bin_dir, "jq")
    result = run(images(tools), bin_dir)
    assert result.returncode == 1
    assert result.reason == f"install-toolchain.sh: FAIL: cosign: no executable in {bin_dir} after the copy"


@pytest.mark.parametrize(
    ("words", "problem"),
    [
        ((*JQ, COSIGN[0]), "expected IMAGE PATH_IN_IMAGE SMOKE_COMMAND triples after BIN_DIR, got 4 arguments"),
        ((f"{MIRROR}/jqlang/jq", "/jq", "jq --version"), "is malformed"),
        (("/jq", "jq --version"), "expected 5 arguments, got 4"),
        ((f"{MIRROR}/jqlang/jq:latest", "/jq", "jq --version"), "is not pinned (latest)"),
        ((JQ[0], "jq", "jq --version"), "PATH_IN_IMAGE='jq' is malformed"),
        ((JQ[0], "/jq", "jq --version; rm -rf /"), "is malformed"),
    ],
)
def test_bad_arguments_are_usage_errors(tools: FakeTools, tmp_path: Path, words: tuple[str, ...], problem: str) -> None:
    result = tools.run("install-toolchain.sh", "prod", str(tmp_path / "bin"), *words)
    assert result.returncode == 2
    assert problem in result.stderr
    assert tools.calls("docker") == []
