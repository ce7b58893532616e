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


def script_call(script: str, args: Sequence[str], wrapper: Sequence[str] = ()) -> str:
    """`scripts/<script> "arg"...`, or, with a wrapper (`when-refused.sh`, `require-gates-passed.sh`
    and their leading arguments), the wrapper's call with the script and its arguments after them."""
    if wrapper:
        return script_call(wrapper[0], (*wrapper[1:], f"scripts/{script}", *args))
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
    extra_path: Sequence[str] = (),
    wrapper: Sequence[str] = (),
    allow_failure: bool = False,
    allow_exit_codes: Sequence[int] = (),
) -> Step:
    # The virtualenvs are built with the Cloud SDK image's python3, so only that image may use them;
    # the project's comes before the tool virtualenvs, so `python3` is always the project's.
    path = ":".join((TOOL_BIN, f"{VENV}/bin", *extra_path) if image_key == "cloud-sdk" else (TOOL_BIN,))
    line = f'PATH="{path}:$$PATH" exec {script_call(script, args, wrapper)}'
    return Step(
        id=step_id,
        name=image(image_key),
        entrypoint="bash",
        args=("-c", line),
        env=(*STEP_ENV, *extra_env),
        wait_for=tuple(wait_for),
        timeout_seconds=timeout,
        allow_failure=allow_failure,
        allow_exit_codes=tuple(allow_exit_codes),
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
