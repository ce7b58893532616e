"""Every mistake in a stack file ends `python -m infra plan` with exit 2 and one line naming file, key and problem.

Each case edits the real prod stack file, writes it to a temporary project root and runs the plan
command through its entry function (`infra.__main__.main`); a handful run it in a fresh interpreter,
and two through the Pulumi program itself (`__main__.py`), which must say the same line.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from infra.__main__ import main
from infra.plan import mockrun

STACK_FILE = (mockrun.PROJECT_ROOT / "Pulumi.prod.yaml").read_text(encoding="utf-8")
Edit = Callable[[str], str]


def setting(key: str, value: str) -> Edit:
    """Set `hipaa:<key>` to the YAML text `value` (a block, when it starts with a newline)."""

    def edit(text: str) -> str:
        lines = text.splitlines()
        index = next(i for i, line in enumerate(lines) if line.startswith(f"  hipaa:{key}:"))
        end = index + 1
        while end < len(lines) and lines[end].startswith("    "):
            end += 1  # the old value's block lines (a list)
        lines[index:end] = f"  hipaa:{key}: {value}".rstrip().splitlines()
        return "\n".join(lines) + "\n"

    return edit


def adding(line: str) -> Edit:
    return lambda text: text.rstrip("\n") + f"\n{line}\n"


def replacing(old: str, new: str) -> Edit:
    def edit(text: str) -> str:
        assert old in text
        return text.replace(old, new, 1)

    return edit


def whole(content: str) -> Edit:
    return lambda _: content


P = "Pulumi.prod.yaml"
CASES: list[tuple[str, Edit, str]] = [
    # The file itself
    (
        "yaml-syntax",
        setting("region", "[us-central1"),
        f"{P}: line 10: YAML syntax error: expected ',' or ']', but got ':'",
    ),
    (
        "yaml-tab",
        replacing("  hipaa:region: us-central1", "\thipaa:region: us-central1"),
        f"{P}: line 9: YAML syntax error: found character '\\t' that cannot start any token",
    ),
    (
        "yaml-mapping-in-value",
        setting("region", "us: central1"),
        f"{P}: line 9: YAML syntax error: mapping values are not allowed here",
    ),
    ("empty-file", whole(""), f"{P}: the file is empty; it needs a config: block"),
    ("file-is-a-list", whole("- config\n"), f"{P}: the file is a list, not a mapping with a config: block"),
    ("file-is-text", whole("just some text\n"), f"{P}: the file is a string, not a mapping with a config: block"),
    ("no-config-block", whole("encryptionsalt: abc\n"), f"{P}: config: is missing"),
    (
        "config-is-a-list",
        whole("config:\n  - hipaa:region\n"),
        f"{P}: config: is a list, not a mapping of namespace:key to value",
    ),
    ("config-is-text", whole("config: hipaa\n"), f"{P}: config: is a string, not a mapping of namespace:key to value"),
    (
        "duplicate-key",
        adding("  hipaa:region: us-east1"),
        # the line appended after the file's last one
        f"{P}: line {len(STACK_FILE.splitlines()) + 1}: hipaa:region appears twice (first on line 9)",
    ),
    (
        "key-without-namespace",
        adding("  region: us-east1"),
        f"{P}: region: is not namespaced; write it as hipaa:region",
    ),
    (
        "secure-hipaa-value",
        setting("accessPolicyId", "\n    secure: v1:abcdef"),
        f"{P}: hipaa:accessPolicyId is a secure value; no hipaa: key is a secret and the offline plan cannot"
        " decrypt one",
    ),
    # Keys
    (
        "misspelled-key",
        adding("  hipaa:keyRotatonDays: 400"),
        f"{P}: hipaa:keyRotatonDays=400 is not a key of this project; did you mean hipaa:keyRotationDays?",
    ),
    (
        "misspelled-key-in-case",
        adding("  hipaa:ProjectID: nwh-analytics-prd"),
        f"{P}: hipaa:ProjectID=nwh-analytics-prd is not a key of this project; did you mean hipaa:projectId?",
    ),
    (
        "unknown-key",
        adding("  hipaa:colour: blue"),
        f"{P}: hipaa:colour=blue is not a key of this project; Pulumi.yaml declares every key",
    ),
    ("key-with-no-value", setting("projectId", ""), f"{P}: hipaa:projectId is required but missing"),
    # Region and locations
    ("unknown-region", setting("region", "mars-north1"), f"{P}: hipaa:region=mars-north1 is not a Google Cloud region"),
    (
        "misspelled-region",
        setting("region", "us-centrall1"),
        f"{P}: hipaa:region=us-centrall1 is not a Google Cloud region; did you mean us-central1?",
    ),
    (
        "zone-as-region",
        setting("region", "us-central1-a"),
        f"{P}: hipaa:region=us-central1-a is a zone, not a region (its region is us-central1)",
    ),
    (
        "unknown-location",
        setting("allowedLocations", "\n    - mars"),
        f"{P}: hipaa:allowedLocations=['mars'] has mars, which is neither a Google Cloud region nor a zone "
        "(or an in: group such as in:us-locations)",
    ),
    (
        "unknown-location-group",
        setting("allowedLocations", "\n    - in:mars-locations"),
        f"{P}: hipaa:allowedLocations=['in:mars-locations'] has in:mars-locations, which is not a location group "
        "(e.g. in:us-locations, in:us-central1-locations)",
    ),
    (
        "misspelled-location-group",
        setting("allowedLocations", "\n    - in:us-location"),
        f"{P}: hipaa:allowedLocations=['in:us-location'] has in:us-location, which is not a location group; "
        "did you mean in:us-locations?",
    ),
    (
        "global-location",
        setting("allowedLocations", "\n    - global"),
        f"{P}: hipaa:allowedLocations=['global'] has global, which is neither a Google Cloud region nor a zone "
        "(or an in: group such as in:us-locations)",
    ),
    (
        "unknown-zone",
        setting("allowedLocations", "\n    - us-central1-z"),
        f"{P}: hipaa:allowedLocations=['us-central1-z'] has us-central1-z, which is not a zone of us-central1 "
        "(its zones end in a, b, c, f)",
    ),
    (
        "location-not-text",
        setting("allowedLocations", "\n    - 5"),
        f"{P}: hipaa:allowedLocations=[5] has an invalid location: 5",
    ),
    (
        "locations-not-a-list",
        setting("allowedLocations", "in:us-locations"),
        f"{P}: hipaa:allowedLocations=in:us-locations must be a non-empty list",
    ),
    # CIDR ranges
    (
        "prefix-over-32",
        setting("subnetCidr", "10.30.0.0/33"),
        f"{P}: hipaa:subnetCidr=10.30.0.0/33 has prefix length /33; an IPv4 prefix is /0 to /32",
    ),
    (
        "not-an-address",
        setting("subnetCidr", "10.30.0/20"),
        f"{P}: hipaa:subnetCidr=10.30.0/20 has 10.30.0, which is not an IPv4 address (A.B.C.D)",
    ),
    (
        "prefix-not-a-number",
        setting("subnetCidr", "10.30.0.0/twenty"),
        f"{P}: hipaa:subnetCidr=10.30.0.0/twenty has prefix length /twenty, not a number",
    ),
    (
        "host-bits-set",
        setting("subnetCidr", "10.30.0.1/20"),
        f"{P}: hipaa:subnetCidr=10.30.0.1/20 has host bits set; the network is 10.30.0.0/20",
    ),
    (
        "no-prefix",
        setting("subnetCidr", "10.30.0.0"),
        f"{P}: hipaa:subnetCidr=10.30.0.0 has no prefix length; write it as A.B.C.D/N",
    ),
    (
        "public-range",
        setting("subnetCidr", "8.8.8.0/24"),
        f"{P}: hipaa:subnetCidr=8.8.8.0/24 is not inside an RFC 1918 private range "
        "(10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)",
    ),
    (
        "loopback-range",
        setting("subnetCidr", "127.0.0.0/20"),
        f"{P}: hipaa:subnetCidr=127.0.0.0/20 is not inside an RFC 1918 private range "
        "(10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)",
    ),
    (
        "ipv6-range",
        setting("subnetCidr", '"fd00::/64"'),
        f"{P}: hipaa:subnetCidr=fd00::/64 is an IPv6 range; the platform's ranges are IPv4",
    ),
    (
        "overlapping-ranges",
        setting("gkeServicesCidr", "10.30.8.0/22"),
        f"{P}: hipaa:gkeServicesCidr=10.30.8.0/22 overlaps hipaa:subnetCidr=10.30.0.0/20",
    ),
    (
        "master-range-too-big",
        setting("gkeMasterCidr", "172.16.30.0/24"),
        f"{P}: hipaa:gkeMasterCidr=172.16.30.0/24 must be a /28 (GKE control plane range), not a /24",
    ),
    (
        "master-range-too-small",
        setting("gkeMasterCidr", "172.16.30.0/29"),
        f"{P}: hipaa:gkeMasterCidr=172.16.30.0/29 must be a /28 (GKE control plane range), not a /29",
    ),
    # Other values
    ("rotation-too-long", setting("keyRotationDays", "400"), f"{P}: hipaa:keyRotationDays=400 exceeds 90"),
    (
        "rotation-not-a-number",
        setting("keyRotationDays", "ninety"),
        f"{P}: hipaa:keyRotationDays=ninety is not an integer",
    ),
    (
        "environment-of-another-stack",
        setting("environment", "dev"),
        f"{P}: hipaa:environment=dev does not match the stack name prod",
    ),
    (
        "bad-project-id",
        setting("projectId", "Bad_Project"),
        f"{P}: hipaa:projectId=Bad_Project is not a valid GCP project id",
    ),
    (
        "bad-group",
        setting("approverGroup", "not-an-email"),
        f"{P}: hipaa:approverGroup=not-an-email is not a valid group email",
    ),
    (
        "short-log-retention",
        setting("logRetentionDays", "30"),
        f"{P}: hipaa:logRetentionDays=30 is below the prod minimum of 2190",
    ),
]
SUBPROCESS_CASES = ("yaml-syntax", "config-is-a-list", "unknown-region")
PROGRAM_CASES = ("misspelled-key", "unknown-location")


def project(root: Path, edit: Edit) -> Path:
    """A project root with the edited prod stack file, and the program and Pulumi.yaml beside it."""
    (root / "Pulumi.prod.yaml").write_text(edit(STACK_FILE), encoding="utf-8")
    for name in ("__main__.py", "Pulumi.yaml"):
        (root / name).write_text((mockrun.PROJECT_ROOT / name).read_text(encoding="utf-8"), encoding="utf-8")
    return root


def case(name: str) -> tuple[Edit, str]:
    return next((edit, message) for n, edit, message in CASES if n == name)


def test_there_are_at_least_thirty_distinct_cases() -> None:
    assert len({name for name, _, _ in CASES}) == len(CASES) >= 30
    assert len({message for _, _, message in CASES}) == len(CASES)


@pytest.mark.parametrize(("edit", "message"), [(e, m) for _, e, m in CASES], ids=[n for n, _, _ in CASES])
def test_plan_refuses_with_exit_2_and_one_line(
    edit: Edit, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(mockrun, "PROJECT_ROOT", project(tmp_path, edit))
    assert main(["plan", "--stack", "prod"]) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", f"error: {message}\n")


@pytest.mark.parametrize("name", SUBPROCESS_CASES)
def test_python_m_infra_plan_refuses_in_a_fresh_interpreter(name: str, tmp_path: Path) -> None:
    edit, message = case(name)
    code = (
        "import sys; from pathlib import Path; import infra.plan.mockrun as m; "
        f"m.PROJECT_ROOT = Path({str(project(tmp_path, edit))!r}); "
        "from infra.__main__ import main; sys.exit(main(['plan', '--stack', 'prod']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=mockrun.PROJECT_ROOT, check=False
    )
    assert (result.returncode, result.stdout, result.stderr) == (2, "", f"error: {message}\n")


@pytest.mark.parametrize("name", PROGRAM_CASES)
def test_the_pulumi_program_refuses_with_the_same_line(name: str, tmp_path: Path) -> None:
    """`pulumi up` runs __main__.py, which reads every hipaa: key through pulumi.Config."""
    edit, message = case(name)
    code = (
        "from pathlib import Path; import infra.plan.mockrun as m; "
        f"m.run_program('prod', root=Path({str(project(tmp_path, edit))!r}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=mockrun.PROJECT_ROOT, check=False
    )
    assert (result.returncode, result.stderr) == (2, f"error: {message}\n")
