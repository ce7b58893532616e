"""run-iac-validation.sh: ruff, mypy, policy-pack preview and the HIPAA rules over the preview."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.scripts import scanner_fixtures as fx
from tests.scripts.fakes import PROJECT_ROOT, FakeTools, Result

GATE = "iac-validation"
BACKEND = "gs://nwh-security-prd-pulumi-state"
STACK_URN = "urn:pulumi:prod::hipaa::pulumi:pulumi:Stack::hipaa-prod"
RUFF_FINDING = [
    {
        "code": "F401",
        "filename": str(PROJECT_ROOT / "infra" / "kms.py"),
        "location": {"column": 8, "row": 3},
        "end_location": {"column": 10, "row": 3},
        "message": "`os` imported but unused",
        "name": "unused-import",
        "severity": "error",
        "noqa_row": 3,
        "url": "https://docs.astral.sh/ruff/rules/unused-import",
        "fix": None,
        "cell": None,
    }
]


def resources_in(preview: str) -> int:
    steps = json.loads(preview)["steps"]
    return sum(1 for s in steps if not s["newState"]["type"].startswith("pulumi:"))


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


def clean(tools: FakeTools, preview: str | None = None) -> FakeTools:
    tools.on("ruff", ["format", "--check"], stdout="[]")
    tools.on("ruff", ["check"], stdout="[]")
    tools.on("mypy", ["--strict"], stdout="Success: no issues found in 34 source files\n")
    tools.on("pulumi", ["login", BACKEND], stdout="Logged in to gs://nwh-security-prd-pulumi-state\n")
    tools.on("pulumi", ["preview", "--stack"], stdout=preview if preview is not None else fx.preview("prod"))
    return tools


def run(tools: FakeTools, env: str = "prod") -> Result:
    return tools.run("run-iac-validation.sh", env, BACKEND, env={"OUTPUT_DIR": str(tools.root / "outputs")})


def test_compliant_program_and_preview_pass_counting_resources(tools: FakeTools) -> None:
    result = run(clean(tools))
    assert result.returncode == 0, result.stderr
    fx.evidence_ok(tools, GATE, resources_in(fx.preview("prod")))
    preview_call = next(c.argv for c in tools.calls("pulumi") if "preview" in c.argv)
    assert preview_call[:3] == ["preview", "--stack", "prod"]
    assert {"--policy-pack", "policypack", "--json", "--non-interactive"} <= set(preview_call)
    assert tools.called("ruff", "format", "--check", "infra", "policypack", "__main__.py")
    assert tools.called("mypy", "--strict", "infra", "policypack", "__main__.py")
    assert (tools.root / "outputs" / "preview.json").read_text(encoding="utf-8") == fx.preview("prod")


def test_the_preview_runs_as_the_deployer_account(tools: FakeTools) -> None:
    tools.on(
        "pulumi", ["preview"], stdout=fx.preview("prod"), writes={"$HOME/as-$GOOGLE_IMPERSONATE_SERVICE_ACCOUNT": ""}
    )
    result = run(clean(tools))
    assert result.returncode == 0, result.stderr
    assert [p.name for p in tools.root.glob("as-*")] == [
        "as-hipaa-prod-deployer@nwh-analytics-prd.iam.gserviceaccount.com"
    ]


def test_a_malformed_project_id_stops_before_anything_runs(tools: FakeTools) -> None:
    result = tools.run("run-iac-validation.sh", "prod", BACKEND, env={"OUTPUT_DIR": str(tools.root), "PROJECT_ID": ""})
    assert result.returncode == 1 and "cannot name the deployer account to impersonate" in result.reason
    assert tools.calls("pulumi") == []


def test_rule_violation_in_the_preview_fails_through_infra_check(tools: FakeTools) -> None:
    preview = json.loads(fx.preview("prod"))
    key = next(s for s in preview["steps"] if s["newState"]["type"] == "gcp:kms/cryptoKey:CryptoKey")
    key["newState"]["inputs"]["rotationPeriod"] = "31536000s"
    result = run(clean(tools, json.dumps(preview)))
    assert result.returncode == 1
    violations = fx.evidence_failed(tools, GATE)
    assert violations and all(v.startswith("infra check: ") for v in violations)
    assert any(key["urn"] in v for v in violations), violations


def test_ruff_and_mypy_findings_fail_naming_file_line_and_code(tools: FakeTools) -> None:
    tools.on("ruff", ["check"], stdout=json.dumps(RUFF_FINDING), exit=1)
    tools.on(
        "mypy",
        ["--strict"],
        stdout="infra/kms.py:9: error: Missing return  [return]\nFound 1 error in 1 file (checked 34 source files)\n",
        exit=1,
    )
    result = run(clean(tools))
    assert result.returncode == 1
    assert fx.evidence_failed(tools, GATE) == ["ruff check: infra/kms.py:3 F401", "mypy: infra/kms.py:9 [return]"]


def test_preview_failure_from_a_mandatory_policy_fails_naming_it(tools: FakeTools) -> None:
    failed = {
        "steps": [],
        "diagnostics": [
            {
                "urn": "urn:pulumi:prod::hipaa::gcp:kms/cryptoKey:CryptoKey::hipaa-prod-data",
                "message": "mandatory: [KMS-02] rotation above 90 days\nfix it",
                "severity": "info#err",
            },
            {
                "urn": "urn:pulumi:prod::hipaa::pulumi:pulumi:Stack::hipaa-prod",
                "message": "error: preview failed",
                "severity": "error",
            },
        ],
    }
    tools.on("pulumi", ["preview"], stdout=json.dumps(failed), stderr="error: preview failed\n", exit=255)
    result = run(clean(tools))
    assert result.returncode == 1
    assert "pulumi preview: pulumi failed (exit 255): error: preview failed" in result.reason
    violations = fx.evidence_failed(tools, GATE)
    assert "pulumi preview: hipaa-prod-data: mandatory: [KMS-02] rotation above 90 days" in violations


def test_preview_of_another_stack_fails(tools: FakeTools) -> None:
    result = run(clean(tools, fx.preview("dev")), env="prod")
    assert result.returncode == 1
    assert any("is not of stack prod" in v for v in fx.evidence_failed(tools, GATE))


@pytest.mark.parametrize(
    ("tool", "match", "answer", "reason"),
    [
        (
            "ruff",
            ["format"],
            {"exit": 2, "stderr": "error: Failed to parse pyproject.toml"},
            "ruff format: ruff failed (exit 2)",
        ),
        ("mypy", ["--strict"], {"exit": 2, "stderr": "mypy: error: invalid flag"}, "mypy: mypy failed (exit 2)"),
        (
            "pulumi",
            ["login"],
            {"exit": 1, "stderr": "error: problem logging in: 403"},
            "pulumi login: pulumi failed (exit 1)",
        ),
    ],
)
def test_tool_errors_fail(
    tools: FakeTools, tool: str, match: list[str], answer: dict[str, object], reason: str
) -> None:
    tools.on(tool, match, **answer)  # type: ignore[arg-type]
    result = run(clean(tools))
    assert result.returncode == 1 and reason in result.reason
    fx.evidence_failed(tools, GATE)


@pytest.mark.parametrize(
    ("preview", "reason"),
    [
        ("", "pulumi preview: report preview.json is empty"),
        ('{"steps": [', "preview.json is malformed JSON"),
        ('{"changeSummary": {}}', "preview.json does not have the expected shape"),
        (
            json.dumps({"steps": [{"op": "same", "urn": STACK_URN, "newState": {"type": "pulumi:pulumi:Stack"}}]}),
            "no resources",
        ),
    ],
)
def test_empty_or_malformed_preview_fails(tools: FakeTools, preview: str, reason: str) -> None:
    result = run(clean(tools, preview))
    assert result.returncode == 1 and reason in result.reason
    fx.evidence_failed(tools, GATE)


def test_preview_infra_check_cannot_read_fails_as_malformed(tools: FakeTools) -> None:
    preview = json.loads(fx.preview("prod"))
    preview["steps"].insert(
        0, {"op": "create", "urn": "urn:pulumi:prod::x", "newState": {"type": "gcp:x/y:Z", "urn": "not-a-urn"}}
    )
    result = run(clean(tools, json.dumps(preview)))
    assert result.returncode == 1
    assert "infra check: preview.json is malformed" in result.reason


def test_ruff_exit_1_without_findings_fails(tools: FakeTools) -> None:
    tools.on("ruff", ["format"], stdout="[]", exit=1)
    assert run(clean(tools)).returncode == 1
    assert fx.evidence_failed(tools, GATE) == ["ruff format: exit 1 but its report lists nothing"]


def test_missing_pulumi_fails(tools: FakeTools) -> None:
    tools.remove("pulumi")
    result = run(tools)
    assert result.returncode == 1 and "required tool 'pulumi' is not installed" in result.reason


@pytest.mark.parametrize(
    "args", [(), ("prod",), ("qa", BACKEND), ("prod", "s3://bucket"), ("prod", "file:///tmp/state"), ("prod", "")]
)
def test_missing_or_malformed_arguments_exit_2(tools: FakeTools, args: tuple[str, ...]) -> None:
    result = tools.run("run-iac-validation.sh", *args)
    assert result.returncode == 2
    assert result.reason == "usage: run-iac-validation.sh ENV BACKEND_URL"
    assert tools.calls() == []
