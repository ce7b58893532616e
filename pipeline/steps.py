"""Builders for the two kinds of step the pipeline has: a call of one script, and a few lines of shell.

A script step is one line of bash: it puts the extracted tools (and, on the Cloud SDK image, the
virtualenv) first on PATH and execs `scripts/<script>` with its arguments, each double-quoted.
Arguments are shell words: substitutions (`${_KMS_KEYRING}`) are filled by Cloud Build before bash
runs; shell expressions are written with `$$` (`"$$(cat "$$OUTPUT_DIR/api-image")"`).
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.contract import STEP_ENV, TOOL_BIN, VENV
from pipeline.images import image
from pipeline.model import Step

API_IMAGE_REF = '$$(cat "$$OUTPUT_DIR/api-image")'


def script_call(script: str, args: Sequence[str]) -> str:
    quoted = " ".join(f'"{arg}"' for arg in args)
    return f"scripts/{script} {quoted}".rstrip()


def script_step(
    step_id: str,
    script: str,
    args: Sequence[str],
    *,
    wait_for: Sequence[str],
    timeout: int,
    image_key: str = "cloud-sdk",
    extra_env: Sequence[str] = (),
) -> Step:
    # The virtualenv is built with the Cloud SDK image's python3, so only that image may use it.
    path = f"{TOOL_BIN}:{VENV}/bin" if image_key == "cloud-sdk" else TOOL_BIN
    line = f'PATH="{path}:$$PATH" exec {script_call(script, args)}'
    return Step(
        id=step_id,
        name=image(image_key),
        entrypoint="bash",
        args=("-c", line),
        env=(*STEP_ENV, *extra_env),
        wait_for=tuple(wait_for),
        timeout_seconds=timeout,
    )


def shell_step(
    step_id: str,
    lines: Sequence[str],
    *,
    wait_for: Sequence[str],
    timeout: int,
    image_key: str = "cloud-sdk",
    extra_env: Sequence[str] = (),
) -> Step:
    """Inline shell for glue that no script owns (at most five lines and eight commands: checked)."""
    return Step(
        id=step_id,
        name=image(image_key),
        entrypoint="bash",
        args=("-c", "\n".join(lines)),
        env=(*STEP_ENV, *extra_env),
        wait_for=tuple(wait_for),
        timeout_seconds=timeout,
    )
