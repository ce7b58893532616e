"""The image inventory: every step image says what it puts on PATH and where that list comes from."""

from __future__ import annotations

from pipeline.definition import pipeline
from pipeline.images import IMAGES, extracted, image, tools_of

STEP_IMAGES = {step.name for step in pipeline().steps}


def test_every_image_names_its_tools_and_their_source() -> None:
    for key, img in IMAGES.items():
        assert img.tools, key
        assert len(img.inventory_source) > 40, key


def test_every_step_image_is_one_the_table_describes_as_a_step_image() -> None:
    assert all(tools_of(ref) for ref in STEP_IMAGES)


def test_the_cloud_sdk_image_has_no_docker_make_or_jq() -> None:
    # Removed from :latest in 531.0.0 (docker) and 533.0.0 (make); jq never installed.
    tools = tools_of(image("cloud-sdk"))
    assert {"bash", "gcloud", "bq", "gsutil", "kubectl", "python3", "java"} <= tools
    assert not {"docker", "make", "jq"} & tools


def test_an_unknown_or_extract_only_image_provides_nothing() -> None:
    assert tools_of("docker.io/library/ubuntu:24.04") == frozenset()
    for _, img in extracted():
        assert tools_of(img.ref) == frozenset(), img.ref


def test_the_alpine_tool_images_that_lack_bash_are_not_step_images() -> None:
    # Prowler's image (python:3.12-alpine) has no bash; its gate runs from a virtualenv instead.
    assert not any("prowler" in ref or "semgrep" in ref for ref in STEP_IMAGES)
