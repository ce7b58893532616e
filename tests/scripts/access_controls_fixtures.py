"""A compliant project as validate-access-controls.sh sees it, and how to run the gate on it: the
project as its expected inventory (security/inventory/) plans it, with the IAM policy the allow-list
allows.

Shared by the gate's tests and tests/infra/plan/test_allowlist.py (the generated allow-lists must pass it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.scripts.fakes import PROJECT_ROOT, FakeTools, Result
from tests.scripts.gcloud_fixtures import PROJECT, Scenario, load
from tests.scripts.inventory_world import for_env, listing, project_numbers, scope

SCRIPT = "validate-access-controls.sh"
STEM = "validate-access-controls"
GATE = "access-controls"
ALLOWLISTS = PROJECT_ROOT / "security" / "iam-allowlist"
ACCOUNTS = [f"hipaa-prod-{n}@{PROJECT}.iam.gserviceaccount.com" for n in ("cloudbuild", "gke-nodes", "dataproc")]
BUCKETS = (f"{PROJECT}-phi-raw", f"{PROJECT}-reports")
DATASETS = ("hipaa_prod_curated", "hipaa_prod_deidentified")
PRIMITIVE = ("roles/owner", "roles/editor")  # the break-glass group's and the Google APIs agent's


def iam_policy(env: str) -> dict[str, Any]:
    """The recorded prod policy; for another environment, with its groups and without the grants
    that only prod's allow-list holds (the release approver's)."""
    policy: dict[str, Any] = load(STEM, "iam-policy")
    if env == "prod":
        return policy
    policy = json.loads(json.dumps(for_env(env, policy)).replace("group:prod-", f"group:{env}-"))
    roles = {b["role"] for b in json.loads((ALLOWLISTS / f"{env}.json").read_text())["bindings"]}
    policy["bindings"] = [b for b in policy["bindings"] if b["role"] in roles or b["role"] in PRIMITIVE]
    return policy


def compliant(env: str = "prod") -> Scenario:
    """The project as its inventory plans it, with the IAM policy the allow-list allows."""
    project = scope(env)["project"]
    scenario = Scenario()
    scenario.add("iam", "gcloud", ["projects", "get-iam-policy", project], iam_policy(env))
    accounts = listing(env, "service_accounts", load(STEM, "service-accounts")[0])
    # Google's default Compute Engine account lives in the project under its own domain: not unmanaged.
    default = f"{project_numbers(env)[project]}-compute@developer.gserviceaccount.com"
    accounts.append({**accounts[0], "displayName": "Compute Engine default service account", "email": default})
    # Key listings first: the fakes answer the first rule whose tokens appear in order, and
    # `iam service-accounts list` is a subsequence of `iam service-accounts keys list`.
    for account in accounts:
        email = account["email"]
        scenario.add(email, "gcloud", ["service-accounts", "keys", "list", "--iam-account", email], [])
    scenario.add("accounts", "gcloud", ["iam", "service-accounts", "list"], accounts)
    buckets = listing(env, "buckets", load(STEM, "buckets")[0])
    scenario.add("buckets", "gcloud", ["storage", "buckets", "list", "--project", project], buckets)
    for bucket in buckets:
        policy = for_env(env, load(STEM, f"bucket-iam/{PROJECT}-raw"))
        scenario.add(bucket["name"], "gcloud", ["buckets", "get-iam-policy", f"gs://{bucket['name']}"], policy)
    datasets = listing(env, "datasets", load(STEM, "datasets/hipaa_prod_curated"))
    scenario.add(
        "datasets", "bq", ["ls", f"--project_id={project}"], listing(env, "datasets", load(STEM, "datasets")[0])
    )
    for dataset in datasets:
        dataset_id = dataset["datasetReference"]["datasetId"]
        scenario.add(dataset_id, "bq", ["show", f"{project}:{dataset_id}"], dataset)
    return scenario


def run(tools: FakeTools, scenario: Scenario, allowlist: Path | None = None, env: str = "prod") -> Result:
    scenario.install(tools)
    return tools.run(SCRIPT, env, scope(env)["project"], str(allowlist or ALLOWLISTS / f"{env}.json"))


def grant(scenario: Scenario, role: str, member: str) -> None:
    scenario["iam"]["bindings"].append({"members": [member], "role": role})
