"""The API image's Dockerfile: the hardened base the requirement asks for, stated one property per test."""

from __future__ import annotations

import re
from pathlib import Path

DOCKERFILE = Path(__file__).resolve().parents[3] / "workloads" / "api" / "Dockerfile"
LINES = [line.strip() for line in DOCKERFILE.read_text(encoding="utf-8").splitlines()]
FROM = [line.split()[1] for line in LINES if line.startswith("FROM ")]
DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")


def test_every_base_image_is_pinned_by_digest() -> None:
    assert FROM and all(DIGEST.search(image) for image in FROM), FROM


def test_the_runtime_stage_is_distroless_nonroot() -> None:
    assert FROM[-1].startswith("gcr.io/distroless/python3-debian12:nonroot@sha256:")


def test_the_runtime_user_is_not_root() -> None:
    final_stage = LINES[max(i for i, line in enumerate(LINES) if line.startswith("FROM ")) :]
    [user] = [line.split()[1] for line in final_stage if line.startswith("USER ")]
    assert user == "65532:65532"


def test_dependencies_are_installed_against_their_hashes_from_wheels_only() -> None:
    [install] = [line for line in LINES if "-r requirements.lock" in line]
    assert "--require-hashes" in install and "--only-binary=:all:" in install
