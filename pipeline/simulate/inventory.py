"""What each pinned image puts on PATH, read from the pipeline's own image inventory.

pipeline/images.py lists, per image, the commands on its PATH (or, for an image the toolchain only
extracts from, the binaries it yields) and where that list was read. The simulator adds only what
that table does not say: an image's ENTRYPOINT, for a step that names none (every step of the
pipeline names one; the synthetic test configs may not).
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.images import IMAGES

ENTRYPOINTS: dict[str, str] = {"checkov": "checkov", "trivy": "trivy", "cosign": "/ko-app/cosign", "jq": "/jq"}


@dataclass(frozen=True)
class ImageTools:
    key: str
    template: str  # the reference as pipeline/images.py writes it (with substitutions)
    tools: frozenset[str]  # on PATH when a step runs on the image (empty for extract-only images)
    extract: str | None  # the path the toolchain copies out of it, and the binaries found there
    extracted: frozenset[str]
    entrypoint: str | None


def inventory() -> dict[str, ImageTools]:
    return {
        key: ImageTools(
            key=key,
            template=image.ref,
            tools=frozenset() if image.extract else frozenset(image.tools),
            extract=image.extract,
            extracted=frozenset(image.tools) if image.extract else frozenset(),
            entrypoint=ENTRYPOINTS.get(key),
        )
        for key, image in IMAGES.items()
    }
