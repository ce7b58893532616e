"""Config validation: every bad value stops the program with exit 2 and one line naming the key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from infra.config import ConfigError, build_config, row_policy_id
from infra.plan.mockrun import PROJECT_ROOT
from tests.infra.recording import raw


def test_every_stack_file_is_valid(stack: str) -> None:
    config = build_config(stack, raw(stack))
    assert config.environment == stack


def test_prod_values_are_typed() -> None:
    config = build_config("prod", raw())
    assert config.key_rotation_days == 30
    assert config.rotation_period == "2592000s"
    assert config.allowed_locations == ("in:us-locations",)
    assert config.is_prod
    assert config.labels["compliance"] == "hipaa"


@pytest.mark.parametrize(
    ("stack_name", "groups"),
    [
        ("dev", (("dev-analysts@northwind-health.example", ("northeast", "midwest", "south", "west")),)),
        (
            "staging",
            (
                ("staging-analysts-east@northwind-health.example", ("northeast", "south")),
                ("staging-analysts-west@northwind-health.example", ("west",)),
            ),
        ),
        (
            "prod",
            (
                ("prod-analysts-northeast@northwind-health.example", ("northeast",)),
                ("prod-analysts-south@northwind-health.example", ("south",)),
            ),
        ),
    ],
)
def test_each_analyst_group_has_its_own_regions(
    stack_name: str, groups: tuple[tuple[str, tuple[str, ...]], ...]
) -> None:
    assert build_config(stack_name, raw(stack_name)).analyst_regions == groups


def test_row_policy_ids_are_the_group_email_in_safe_characters() -> None:
    assert (
        row_policy_id("Prod-Analysts.NE@northwind-health.example")
        == "analysts_prod_analysts_ne_northwind_health_example"
    )


def test_stacks_use_distinct_projects() -> None:
    projects = [build_config(s, raw(s)).project_id for s in ("dev", "staging", "prod")]
    assert len(set(projects)) == 3


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("keyRotationDays", "400", "hipaa:keyRotationDays=400 exceeds 90"),
        ("keyRotationDays", "0", "hipaa:keyRotationDays=0 must be at least 1"),
        ("keyRotationDays", "ninety", "hipaa:keyRotationDays=ninety is not an integer"),
        ("region", "US Central", "hipaa:region=US Central is not a Google Cloud region"),
        ("environment", "qa", "hipaa:environment=qa must be one of dev, staging, prod"),
        ("environment", "dev", "hipaa:environment=dev does not match the stack name prod"),
        ("projectId", "Bad_Project", "hipaa:projectId=Bad_Project is not a valid GCP project id"),
        ("siemProjectId", "nwh-analytics-prd", "hipaa:siemProjectId=nwh-analytics-prd must differ"),
        ("subnetCidr", "10.30.0.1/20", "hipaa:subnetCidr=10.30.0.1/20 has host bits set; the network is 10.30.0.0/20"),
        ("subnetCidr", "8.8.8.0/24", "hipaa:subnetCidr=8.8.8.0/24 is not inside an RFC 1918 private range"),
        ("gkeServicesCidr", "10.30.8.0/22", "hipaa:gkeServicesCidr=10.30.8.0/22 overlaps hipaa:subnetCidr"),
        ("gkeMasterCidr", "172.16.30.0/24", "hipaa:gkeMasterCidr=172.16.30.0/24 must be a /28"),
        ("logRetentionDays", "30", "hipaa:logRetentionDays=30 is below the prod minimum of 2190"),
        ("reportRetentionDays", "365", "hipaa:reportRetentionDays=365 is below the prod minimum of 2190"),
        ("accessPolicyId", "policies/abc", "hipaa:accessPolicyId=policies/abc is not a valid numeric"),
        ("allowedLocations", "[]", "hipaa:allowedLocations=[] must be a non-empty list"),
        ("approverGroup", "not-an-email", "hipaa:approverGroup=not-an-email is not a valid group email"),
        ("repoName", "bad name!", "hipaa:repoName=bad name! is not a valid repository name"),
        ("reidentificationGroup", "not-an-email", "hipaa:reidentificationGroup=not-an-email is not a valid group"),
        (
            "reidentificationGroup",
            "Prod-Data-Engineers@northwind-health.example",
            "hipaa:reidentificationGroup=Prod-Data-Engineers@northwind-health.example must differ from "
            "hipaa:engineerGroup",
        ),
        ("analystRegions", "[]", "hipaa:analystRegions=[] must be a non-empty list"),
        (
            "analystRegions",
            '["northeast"]',
            "invalid entry (expected GROUP_EMAIL=REGION[,REGION...]): 'northeast'",
        ),
        ("analystRegions", '["not-an-email=south"]', "has an invalid entry (expected GROUP_EMAIL=REGION"),
        (
            "analystRegions",
            '["a@x.example=North East"]',
            "invalid facility region code for a@x.example: 'North East'",
        ),
        ("analystRegions", '["a@x.example=x\') OR TRUE --"]', "has an invalid facility region code for a@x.example"),
        ("analystRegions", '["a@x.example=south,"]', "has an invalid facility region code for a@x.example: ''"),
        ("analystRegions", "a@x.example=south", "hipaa:analystRegions=a@x.example=south must be a non-empty list"),
        (
            "analystRegions",
            '["a@x.example=south,south"]',
            "hipaa:analystRegions=['a@x.example=south,south'] lists a region of a@x.example more than once: south",
        ),
        (
            "analystRegions",
            '["a-b@x.example=south", "a.b@x.example=west"]',
            "gives a.b@x.example and a-b@x.example the same row policy id analysts_a_b_x_example",
        ),
    ],
)
def test_bad_value_names_key_and_problem(key: str, value: str, message: str) -> None:
    values = raw()
    values[key] = value
    with pytest.raises(ConfigError) as error:
        build_config("prod", values)
    assert str(error.value).startswith("Pulumi.prod.yaml: ")
    assert message in str(error.value)


@pytest.mark.parametrize(
    "key",
    [
        "projectId",
        "siemProjectId",
        "keyRotationDays",
        "accessPolicyId",
        "allowedLocations",
        "analystRegions",
        "reidentificationGroup",
    ],
)
def test_missing_key_is_named(key: str) -> None:
    values = raw()
    del values[key]
    with pytest.raises(ConfigError, match=f"hipaa:{key} is required but missing"):
        build_config("prod", values)


def test_bad_stack_file_exits_2_with_one_line(tmp_path: Path) -> None:
    """The offline plan of a broken stack file ends with exit 2 and one line, no traceback."""
    for name in ("__main__.py", "Pulumi.yaml"):
        (tmp_path / name).write_text((PROJECT_ROOT / name).read_text())
    text = (PROJECT_ROOT / "Pulumi.prod.yaml").read_text().replace("keyRotationDays: 30", "keyRotationDays: 400")
    (tmp_path / "Pulumi.prod.yaml").write_text(text)
    code = (
        "import sys; from pathlib import Path; import infra.plan.mockrun as m; "
        f"m.run_program('prod', root=Path({str(tmp_path)!r}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT, check=False)
    assert result.returncode == 2
    assert result.stderr.strip() == "error: Pulumi.prod.yaml: hipaa:keyRotationDays=400 exceeds 90"


def test_pulumi_yaml_declares_every_key_with_type_and_description() -> None:
    import yaml

    from infra.config import KEYS

    declared = yaml.safe_load((PROJECT_ROOT / "Pulumi.yaml").read_text())["config"]
    assert set(declared) == {f"hipaa:{key}" for key in KEYS}
    for key, spec in declared.items():
        assert spec.get("type") in {"string", "integer", "array"}, key
        assert len(spec.get("description", "")) > 20, key


def test_every_stack_file_sets_every_key(stack: str) -> None:
    from infra.config import KEYS

    assert set(raw(stack)) == set(KEYS)


def test_runtime_uses_the_project_virtualenv() -> None:
    import yaml

    runtime = yaml.safe_load((PROJECT_ROOT / "Pulumi.yaml").read_text())["runtime"]
    assert runtime["name"] == "python"
    assert runtime["options"]["virtualenv"] == ".venv"
