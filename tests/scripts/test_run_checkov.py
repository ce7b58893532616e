"""run-checkov.sh: Checkov's Kubernetes, Dockerfile and secrets checks and the HIPAA policies of
security/checkov, offline; any failed check, a HIPAA policy skipped inline or one that never ran fails.

Reports (fixtures/run-checkov/) are recorded from Checkov 3.3.30 with the gate's own flags; the passed
records of Checkov's own checks are left out to keep them small (the gate reads the summaries, the failed
and skipped checks, and which HIPAA policies ran). report-clean: the project's manifests with a TLS
Service and its Dockerfile; report-failed: a bare Pod and Dockerfile; report-skipped: a Dockerfile that
skips CKV_HIPAA_8 inline.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.scripts import scanner_fixtures as fx
from tests.scripts.fakes import PROJECT_ROOT, SCRIPTS, FakeTools

STEM = "run-checkov"
GATE = "checkov"
CLEAN_CHECKS = 71 + 98
POLICIES = [f"CKV_HIPAA_{n}" for n in range(1, 10)]


def without(report: list[dict[str, Any]], drop: set[str] | None = None, frameworks: set[str] | None = None) -> str:
    """The report with the records of the `drop` checks removed (and counted out), or only `frameworks`."""
    kept = [r for r in report if frameworks is None or r["check_type"] in frameworks]
    for framework in kept:
        for status in ("passed", "failed", "skipped"):
            records = framework["results"][f"{status}_checks"]
            gone = [c for c in records if c["check_id"] in (drop or set())]
            framework["results"][f"{status}_checks"] = [c for c in records if c not in gone]
            framework["summary"][status] -= len(gone)
    return fx.dumps(kept)


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


@pytest.fixture
def manifests(tmp_path: Path) -> Path:
    (tmp_path / "k8s").mkdir()
    return tmp_path / "k8s"


def test_clean_directory_passes_counting_passed_and_failed_checks(tools: FakeTools, manifests: Path) -> None:
    tools.on("checkov", ["-d", str(manifests)], stdout=fx.text(STEM, "report-clean.json"))
    result = tools.run("run-checkov.sh", "prod", str(manifests))
    assert result.returncode == 0, result.stderr
    fx.evidence_ok(tools, GATE, CLEAN_CHECKS)
    argv = tools.calls("checkov")[0].argv
    assert argv[argv.index("--framework") + 1 : argv.index("--framework") + 4] == [
        "kubernetes",
        "dockerfile",
        "secrets",
    ]
    # The HIPAA policies always load; passed checks are listed (no --quiet) to see which of them ran.
    assert argv[argv.index("--external-checks-dir") + 1] == str(PROJECT_ROOT / "security" / "checkov")
    assert {"--output", "json", "--compact", "--skip-download"} <= set(argv) and "--quiet" not in argv
    assert "checkov: 9 HIPAA policies declared in security/checkov, 9 ran" in result.stderr


def test_every_directory_is_scanned_and_counted(tools: FakeTools, tmp_path: Path, manifests: Path) -> None:
    (tmp_path / "docker").mkdir()
    tools.on("checkov", ["-d"], stdout=fx.text(STEM, "report-clean.json"))
    result = tools.run("run-checkov.sh", "dev", str(manifests), str(tmp_path / "docker"))
    assert result.returncode == 0, result.stderr
    fx.evidence_ok(tools, GATE, 2 * CLEAN_CHECKS)
    assert [c.argv[1] for c in tools.calls("checkov")] == [str(manifests), str(tmp_path / "docker")]


def test_the_hipaa_policies_may_run_in_different_directories(tools: FakeTools, tmp_path: Path, manifests: Path) -> None:
    (tmp_path / "docker").mkdir()
    report = fx.document(STEM, "report-clean.json")
    tools.on("checkov", ["-d", str(manifests)], stdout=without(report, frameworks={"kubernetes"}))
    tools.on("checkov", ["-d", str(tmp_path / "docker")], stdout=without(report, frameworks={"dockerfile"}))
    result = tools.run("run-checkov.sh", "dev", str(manifests), str(tmp_path / "docker"))
    assert result.returncode == 0, result.stderr
    fx.evidence_ok(tools, GATE, CLEAN_CHECKS)


def test_failed_checks_fail_naming_file_resource_and_check(tools: FakeTools, manifests: Path) -> None:
    tools.on("checkov", ["-d"], stdout=fx.text(STEM, "report-failed.json"), exit=1)
    result = tools.run("run-checkov.sh", "staging", str(manifests))
    assert result.returncode == 1
    violations = fx.evidence_failed(tools, GATE)
    assert len(violations) == 27 + 3
    assert f"checkov: {manifests}/pod.yaml Pod.x.p CKV_K8S_12 Memory requests should be set" in violations
    assert any(v.startswith(f"checkov: {manifests}/Dockerfile /Dockerfile. CKV_DOCKER_2 ") for v in violations)
    assert (
        f"checkov: {manifests}/pod.yaml Pod.x.p CKV_HIPAA_4 HIPAA: Workload runs as a dedicated ServiceAccount "
        "bound by Workload Identity, with no API token mounted [45 CFR 164.312(a)(2)(i) unique user identification]"
    ) in violations
    assert any(
        v.startswith(f"checkov: {manifests}/Dockerfile /Dockerfile.FROM CKV_HIPAA_7 HIPAA: ") for v in violations
    )
    # Nothing in a bare Pod and Dockerfile is a Namespace or a Service: those policies never ran.
    assert [v for v in violations if "never ran" in v] == [
        f"checkov: HIPAA policy CKV_HIPAA_{n} never ran (Checkov did not load it, or no DIR holds a file it checks)"
        for n in (1, 2, 6)
    ]
    assert result.reason == "run-checkov.sh: FAIL: checkov: 30 violation(s) in 118 checked"


def test_failed_checks_in_the_report_fail_even_when_checkov_exits_0(tools: FakeTools, manifests: Path) -> None:
    tools.on("checkov", ["-d"], stdout=fx.text(STEM, "report-failed.json"), exit=0)
    assert tools.run("run-checkov.sh", "prod", str(manifests)).returncode == 1
    assert len(fx.evidence_failed(tools, GATE)) == 30


@pytest.mark.parametrize("drop", [{"CKV_HIPAA_6"}, set(POLICIES)])
def test_a_hipaa_policy_that_never_ran_fails(tools: FakeTools, manifests: Path, drop: set[str]) -> None:
    # As when Checkov cannot import a policy file (it only logs that), or loads none of them.
    tools.on("checkov", ["-d"], stdout=without(fx.document(STEM, "report-clean.json"), drop))
    result = tools.run("run-checkov.sh", "prod", str(manifests))
    assert result.returncode == 1
    assert fx.evidence_failed(tools, GATE) == [
        f"checkov: HIPAA policy {policy} never ran (Checkov did not load it, or no DIR holds a file it checks)"
        for policy in POLICIES
        if policy in drop
    ]


def test_a_hipaa_policy_skipped_inline_fails(tools: FakeTools, tmp_path: Path, manifests: Path) -> None:
    (tmp_path / "docker").mkdir()
    tools.on("checkov", ["-d", str(manifests)], stdout=fx.text(STEM, "report-clean.json"))
    tools.on("checkov", ["-d", str(tmp_path / "docker")], stdout=fx.text(STEM, "report-skipped.json"))
    result = tools.run("run-checkov.sh", "prod", str(manifests), str(tmp_path / "docker"))
    assert result.returncode == 1
    assert fx.evidence_failed(tools, GATE) == [
        f"checkov: {tmp_path}/docker/Dockerfile /Dockerfile. CKV_HIPAA_8 skipped inline: "
        "a HIPAA policy cannot be suppressed"
    ]


def copy_of_the_gate(root: Path, policy_files: dict[str, str] | None) -> str:
    """scripts/run-checkov.sh and its libraries in another tree, with these files as its policies."""
    shutil.copytree(SCRIPTS / "lib", root / "scripts" / "lib")
    shutil.copy(SCRIPTS / "run-checkov.sh", root / "scripts")
    if policy_files is not None:
        (root / "security" / "checkov" / "hipaa_checks").mkdir(parents=True)
        for name, text in policy_files.items():
            (root / "security" / "checkov" / "hipaa_checks" / name).write_text(text, encoding="utf-8")
    return str(root / "scripts" / "run-checkov.sh")


@pytest.mark.parametrize(
    ("policy_files", "reason"),
    [
        (None, "HIPAA policy directory security/checkov/hipaa_checks is missing"),
        ({"__init__.py": ""}, "no HIPAA policy (ckv_hipaa_<n>_*.py) in security/checkov/hipaa_checks"),
        ({"ckv_hipaa_one.py": ""}, "HIPAA policy file ckv_hipaa_one.py is not named ckv_hipaa_<n>_<what>.py"),
    ],
)
def test_missing_or_empty_policy_directory_fails_before_checkov_runs(
    tools: FakeTools, tmp_path: Path, manifests: Path, policy_files: dict[str, str] | None, reason: str
) -> None:
    tools.on("checkov", ["-d"], stdout=fx.text(STEM, "report-clean.json"))
    result = tools.run(copy_of_the_gate(tmp_path / "repo", policy_files), "prod", str(manifests))
    assert result.returncode == 1 and result.reason == f"run-checkov.sh: FAIL: {reason}"
    assert fx.evidence_failed(tools, GATE) == [reason]
    assert tools.calls("checkov") == []


def test_the_declared_policies_are_the_policy_files_of_the_repository() -> None:
    files = sorted((PROJECT_ROOT / "security" / "checkov" / "hipaa_checks").glob("ckv_hipaa_*.py"))
    assert [f"CKV_HIPAA_{f.name.split('_')[2]}" for f in files] == sorted(POLICIES)
    assert all(f'"CKV_HIPAA_{f.name.split("_")[2]}",' in f.read_text(encoding="utf-8") for f in files)


def test_directory_without_anything_checkov_parses_fails(tools: FakeTools, manifests: Path) -> None:
    tools.on("checkov", ["-d"], stdout=fx.text(STEM, "report-nothing.json"))
    result = tools.run("run-checkov.sh", "prod", str(manifests))
    assert result.returncode == 1
    assert "no file Checkov parses (nothing was checked)" in result.reason
    fx.evidence_failed(tools, GATE)


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ({"exit": 2, "stderr": "usage: checkov [-h]"}, "checkov failed (exit 2): usage: checkov [-h]"),
        ({"exit": 1, "stderr": "Traceback (most recent call last):"}, "checkov failed (exit 1): Traceback"),
        ({"exit": 1, "stdout": fx.text(STEM, "report-clean.json")}, None),
    ],
)
def test_tool_errors_fail(tools: FakeTools, manifests: Path, answer: dict[str, object], reason: str | None) -> None:
    tools.on("checkov", ["-d"], **answer)  # type: ignore[arg-type]
    result = tools.run("run-checkov.sh", "prod", str(manifests))
    assert result.returncode == 1
    if reason:
        assert reason in result.reason
    else:
        assert fx.evidence_failed(tools, GATE) == [f"checkov: {manifests}: exit 1 but its report has no failed check"]


@pytest.mark.parametrize(
    ("stdout", "reason"),
    [
        ("", "report checkov-0.json is empty"),
        ("[{]", "report checkov-0.json is malformed JSON"),
        ('["passed"]', "does not have the expected shape"),
    ],
)
def test_empty_or_malformed_report_fails(tools: FakeTools, manifests: Path, stdout: str, reason: str) -> None:
    tools.on("checkov", ["-d"], stdout=stdout)
    result = tools.run("run-checkov.sh", "prod", str(manifests))
    assert result.returncode == 1 and reason in result.reason
    fx.evidence_failed(tools, GATE)


def test_checkov_runs_offline_without_the_vendor_api_key(tools: FakeTools, manifests: Path) -> None:
    # The fake names a file after the variables as Checkov sees them: an unset one expands to nothing.
    seen = tools.root / "env-$BC_API_KEY-$BC_SKIP_MAPPING-$CKV_SKIP_PACKAGE_UPDATE_CHECK"
    tools.on("checkov", ["-d"], stdout=fx.text(STEM, "report-clean.json"), writes={str(seen): "x"})
    result = tools.run("run-checkov.sh", "prod", str(manifests), env={"BC_API_KEY": "k-123"})
    assert result.returncode == 0, result.stderr
    assert (tools.root / "env--TRUE-TRUE").exists()


def test_missing_checkov_fails(tools: FakeTools, manifests: Path) -> None:
    tools.remove("checkov")
    result = tools.run("run-checkov.sh", "prod", str(manifests))
    assert result.returncode == 1 and "required tool 'checkov' is not installed" in result.reason


@pytest.mark.parametrize("args", [(), ("prod",), ("qa", "."), ("prod", "no-such-dir"), ("prod", ".", "--quiet")])
def test_missing_or_malformed_arguments_exit_2(tools: FakeTools, args: tuple[str, ...]) -> None:
    result = tools.run("run-checkov.sh", *args)
    assert result.returncode == 2
    assert result.reason == "usage: run-checkov.sh ENV DIR..."
    assert tools.calls() == []
