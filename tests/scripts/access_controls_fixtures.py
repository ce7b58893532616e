"""A compliant project as validate-access-controls.sh sees it, and how to run the gate on it.

Shared by the gate's tests and tests/infra/plan/test_allowlist.py (the generated allow-lists must pass it)."""

from __future__ import annotations

from pathlib import Path

from tests.scripts.fakes import PROJECT_ROOT, FakeTools, Result
from tests.scripts.gcloud_fixtures import PROJECT, Scenario, load

SCRIPT = "validate-access-controls.sh"
STEM = "validate-access-controls"
GATE = "access-controls"
ALLOWLISTS = PROJECT_ROOT / "security" / "iam-allowlist"
ACCOUNTS = [f"hipaa-prod-{n}@{PROJECT}.iam.gserviceaccount.com" for n in ("cloudbuild", "gke-nodes", "dataproc")]
BUCKETS = (f"{PROJECT}-raw", f"{PROJECT}-reports")
DATASETS = ("hipaa_prod_curated", "hipaa_prod_deidentified")


def compliant() -> Scenario:
    scenario = Scenario()
    scenario.add("iam", "gcloud", ["projects", "get-iam-policy", PROJECT], load(STEM, "iam-policy"))
    # Key listings first: the fakes answer the first rule whose tokens appear in order, and
    # `iam service-accounts list` is a subsequence of `iam service-accounts keys list`.
    for account in ACCOUNTS:
        scenario.add(account, "gcloud", ["service-accounts", "keys", "list", "--iam-account", account], [])
    scenario.add("accounts", "gcloud", ["iam", "service-accounts", "list"], load(STEM, "service-accounts"))
    scenario.add("buckets", "gcloud", ["storage", "buckets", "list", "--project", PROJECT], load(STEM, "buckets"))
    for bucket in BUCKETS:
        scenario.add(
            bucket, "gcloud", ["buckets", "get-iam-policy", f"gs://{bucket}"], load(STEM, f"bucket-iam/{bucket}")
        )
    scenario.add("datasets", "bq", ["ls", f"--project_id={PROJECT}"], load(STEM, "datasets"))
    for dataset in DATASETS:
        scenario.add(dataset, "bq", ["show", f"{PROJECT}:{dataset}"], load(STEM, f"datasets/{dataset}"))
    return scenario


def run(tools: FakeTools, scenario: Scenario, allowlist: Path = ALLOWLISTS / "prod.json", env: str = "prod") -> Result:
    scenario.install(tools)
    return tools.run(SCRIPT, env, PROJECT, str(allowlist))


def grant(scenario: Scenario, role: str, member: str) -> None:
    scenario["iam"]["bindings"].append({"members": [member], "role": role})
