"""Each image's PATH holds exactly its inventory's tools: real ones, the world's, or a loud absence."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pipeline.images import IMAGES
from pipeline.simulate.inventory import ImageTools, inventory
from pipeline.simulate.run import REPOSITORY
from pipeline.simulate.toolbox import WORLD_MAIN, MissingToolsError, Toolbox, missing_tool_trees
from pipeline.simulate.world import state as world_state
from tests.build_workspace import IN_BUILD_WORKSPACE

# make test builds .tools/jq; a build's workspace has the toolchain step's jq in bin/ instead.
needs_tool_trees = pytest.mark.skipif(
    IN_BUILD_WORKSPACE and bool(missing_tool_trees(REPOSITORY, inventory())),
    reason="in a build's workspace: the repository's .tools/jq is not built there",
)


def toolbox(tmp_path: Path, tools: frozenset[str]) -> Toolbox:
    box = Toolbox(tmp_path / "toolbox", tmp_path / "world", REPOSITORY, {"only": "registry.example/only:1"})
    box.images = {"only": ImageTools("only", "registry.example/only:1", tools, None, frozenset(), None)}
    (tmp_path / "world").mkdir()
    box.build()
    return box


@needs_tool_trees
def test_the_directory_holds_the_inventory_and_nothing_else(tmp_path: Path) -> None:
    box = toolbox(tmp_path, frozenset({"bash", "jq", "gcloud"}))
    directory = Path(str(box.path_for("registry.example/only:1")))
    assert sorted(p.name for p in directory.iterdir()) == ["bash", "gcloud", "jq"]
    assert (directory / "bash").resolve() == Path("/usr/bin/bash").resolve()
    assert str(WORLD_MAIN) in (directory / "gcloud").read_text(encoding="utf-8")
    assert box.path_for("registry.example/other:1") is None


def test_a_tool_this_machine_lacks_fails_loudly_and_is_listed(tmp_path: Path) -> None:
    box = toolbox(tmp_path, frozenset({"no-such-tool-anywhere"}))
    shim = Path(str(box.path_for("registry.example/only:1"))) / "no-such-tool-anywhere"
    completed = subprocess.run([str(shim), "--flag"], capture_output=True, text=True, check=False)
    assert completed.returncode == 127 and "this machine has no no-such-tool-anywhere" in completed.stderr
    assert world_state.journal(tmp_path / "world", world_state.UNMODELLED)[0]["tool"] == "no-such-tool-anywhere"


@needs_tool_trees
def test_extract_only_images_yield_their_files_for_docker_cp(tmp_path: Path) -> None:
    refs = {key: image.ref for key, image in IMAGES.items()}
    box = Toolbox(tmp_path / "toolbox", tmp_path / "world", REPOSITORY, refs)
    (tmp_path / "world").mkdir()
    box.build()
    files = box.extractable()
    assert files[IMAGES["jq"].ref]["/jq"]["jq"].endswith("/jq")
    assert str(WORLD_MAIN) in Path(files[IMAGES["trivy"].ref]["/usr/local/bin/trivy"]["trivy"]).read_text("utf-8")
    assert "jq" not in {p.name for p in Path(str(box.path_for(IMAGES["cloud-sdk"].ref))).iterdir()}


def test_the_phi_scanner_images_python_is_the_virtualenv_at_the_pipelines_pins(tmp_path: Path) -> None:
    box = Toolbox(tmp_path / "toolbox", tmp_path / "world", REPOSITORY, {"phi-scanner": "registry.example/phi:1"})
    box.images = {
        "phi-scanner": ImageTools("phi-scanner", "x", frozenset({"python3", "bash"}), None, frozenset(), None)
    }
    (tmp_path / "world").mkdir()
    box.build()
    directory = Path(str(box.path_for("registry.example/phi:1")))
    prefix = subprocess.run(
        [str(directory / "python3"), "-c", "import sys; print(sys.prefix)"], capture_output=True, text=True, check=True
    )
    assert Path(prefix.stdout.strip()) == REPOSITORY / ".venv"
    assert (directory / "bash").resolve() == Path("/usr/bin/bash").resolve()


def test_a_repository_without_its_tool_trees_is_refused_naming_them(tmp_path: Path) -> None:
    """Never this machine's jq 1.6 or a Python without Presidio standing in silently for an image's tools."""
    box = Toolbox(tmp_path / "toolbox", tmp_path / "world", tmp_path / "checkout", {"jq": IMAGES["jq"].ref})
    box.images = {"jq": inventory()["jq"], "phi-scanner": inventory()["phi-scanner"]}
    (tmp_path / "world").mkdir()
    with pytest.raises(MissingToolsError) as refused:
        box.build()
    message = str(refused.value)
    assert str(tmp_path / "checkout" / ".tools" / "jq" / "bin" / "jq") in message
    assert str(tmp_path / "checkout" / ".venv" / "bin" / "python") in message
    assert ".venv-tools/bin/checkov" not in message  # no image here needs Checkov
    assert not (tmp_path / "toolbox").exists()  # refused before anything was built


def test_this_checkouts_tool_trees_are_built_for_every_image() -> None:
    if IN_BUILD_WORKSPACE:
        pytest.skip("in a build's workspace: the repository's .tools/jq is not built there")
    assert missing_tool_trees(REPOSITORY, inventory()) == []


def test_the_zap_images_work_directory_is_a_directory_of_the_run(tmp_path: Path) -> None:
    """run-zap-dast.sh refuses a missing /zap/wrk; the image has one, this machine has not."""
    box = Toolbox(tmp_path / "toolbox", tmp_path / "world", REPOSITORY, {"zap": IMAGES["zap"].ref})
    box.images = {"zap": inventory()["zap"]}
    (tmp_path / "world").mkdir()
    box.build()
    directories = box.directories(IMAGES["zap"].ref)
    assert directories == {"ZAP_WORK_DIR": str(tmp_path / "toolbox" / "zap-wrk")}
    assert Path(directories["ZAP_WORK_DIR"]).is_dir()
    assert box.directories("registry.example/other:1") == {}
