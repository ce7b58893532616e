"""`python -m infra check` on a malformed preview: exit 2 and one line naming the file, the step and the problem."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infra.__main__ import main

URN = "urn:pulumi:prod::hipaa::gcp:storage/bucket:Bucket::b"
GOOD = {"type": "gcp:storage/bucket:Bucket", "urn": URN, "inputs": {}}


def step(**state: Any) -> dict[str, Any]:
    return {"op": "create", "urn": URN, "newState": {**GOOD, **state}}


def preview(*steps: object) -> str:
    return json.dumps({"steps": list(steps)})


CASES: list[tuple[str, str, str]] = [
    ("empty-file", "", "not readable JSON (Expecting value: line 1 column 1 (char 0))"),
    (
        "not-json",
        "{steps",
        "not readable JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))",
    ),
    ("a-list", "[]", "top level is not an object"),
    ("no-steps", "{}", "steps is missing"),
    ("steps-not-a-list", '{"steps": {}}', "steps is not a list"),
    ("steps-empty", '{"steps": []}', "preview JSON has no steps"),
    ("step-not-an-object", preview("create"), "step 0 is not an object"),
    ("step-without-new-state", preview({"op": "create", "urn": URN}), "step 0 has no newState object"),
    ("new-state-not-an-object", preview({"op": "create", "newState": []}), "step 0 has no newState object"),
    ("no-type", preview(step(type=None)), "step 0: newState.type is not a type token (got null)"),
    ("type-a-number", preview(step(type=5)), "step 0: newState.type is not a type token (got 5)"),
    ("type-empty", preview(step(type="")), 'step 0: newState.type is not a type token (got "")'),
    ("no-urn", preview(step(urn=None)), "step 0: newState.urn is not a string (got null)"),
    ("urn-not-a-urn", preview(step(urn="bucket")), "step 0: newState.urn is not a Pulumi URN: 'bucket'"),
    ("inputs-a-list", preview(step(inputs=["a"])), "step 0: newState.inputs is not an object"),
    ("protect-a-string", preview(step(protect="yes")), 'step 0: newState.protect is not true or false (got "yes")'),
    ("dependencies-a-string", preview(step(dependencies=URN)), "step 0: newState.dependencies is not a list of URNs"),
    ("dependencies-numbers", preview(step(dependencies=[1])), "step 0: newState.dependencies is not a list of URNs"),
    ("dependencies-an-object", preview(step(dependencies={})), "step 0: newState.dependencies is not a list of URNs"),
    (
        "two-stacks",
        preview(step(), step(urn="urn:pulumi:dev::hipaa::gcp:storage/bucket:Bucket::b")),
        "steps belong to more than one stack: dev, prod",
    ),
    (
        "only-the-stack",
        preview(step(type="pulumi:pulumi:Stack", urn="urn:pulumi:prod::hipaa::pulumi:pulumi:Stack::hipaa-prod")),
        "no resources besides the stack and providers",
    ),
]


@pytest.mark.parametrize(("content", "message"), [(c, m) for _, c, m in CASES], ids=[n for n, _, _ in CASES])
def test_malformed_preview_exits_2_with_one_line(
    content: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "preview.json"
    path.write_text(content, encoding="utf-8")
    assert main(["check", str(path)]) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", f"error: {path}: {message}\n")


def test_a_delete_step_needs_no_new_state(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "preview.json"
    path.write_text(preview({"op": "delete", "urn": URN}, step()), encoding="utf-8")
    assert main(["check", str(path)]) == 1  # judged: the bare bucket breaks storage rules
    assert capsys.readouterr().err == ""


def test_missing_preview_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "absent.json"
    assert main(["check", str(path)]) == 2
    assert capsys.readouterr().err == f"error: {path}: no such file\n"
