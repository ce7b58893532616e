"""scripts/lib/facts.sh: the facts the scripts share with the Python program, generated from it.

Every name, list and constant a script needs from the platform (the environments, the services a
perimeter must restrict, key and keyring names, service accounts, datasets, buckets, Dataproc's
image line) is defined once in Python. This module renders them as a sourced shell file, so no
script holds a hand copy; `python -m infra shell-facts --check` (and a test) fail when it is stale.

Names are rendered by calling the real naming functions with placeholder values (`@PROJECT_ID@`,
...) and turning each placeholder into a positional argument of a shell function: the shell and
the program cannot disagree on a name, whatever the functions do inside.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from infra import naming
from infra.compute import dataproc
from infra.config import ENVIRONMENTS, PlatformConfig, build_config
from infra.data.warehouse.encryption import ENCRYPTED_COLUMNS
from infra.plan.mockrun import PROJECT_ROOT, stack_config
from infra.rules.baseline import REQUIRED_RESTRICTED_SERVICES
from infra.rules.baseline_org import CMEK_REQUIRED_SERVICES, REQUIRED_CONSTRAINTS
from infra.rules.baseline_phi import PHI_COLUMN_PATTERN
from infra.security.kms import KEY_USERS

FACTS_PATH = PROJECT_ROOT / "scripts" / "lib" / "facts.sh"

# Placeholder per config field, in the order shell functions take them as arguments.
PLACEHOLDERS = {
    "environment": "ENVIRONMENT",
    "project_id": "PROJECT_ID",
    "security_project_id": "SECURITY_PROJECT_ID",
    "region": "REGION",
}
PURPOSE = "PURPOSE"

Namer = Callable[[PlatformConfig], str]


class ShellName(NamedTuple):
    """One shell function of facts.sh: what it names, and the Python function that names it."""

    what: str
    namer: Namer


def _per_purpose(namer: Callable[[PlatformConfig, str], str]) -> Namer:
    """A namer that also takes a purpose: the purpose becomes the function's last argument."""
    return lambda config: namer(config, f"@{PURPOSE}@")


# shell function name -> what it names and the Python function that names it
NAMES: dict[str, ShellName] = {
    "hipaa_resource_name": ShellName("a platform resource `hipaa-<env>-<purpose>`", _per_purpose(naming.resource_name)),
    "hipaa_dataset_id": ShellName("a BigQuery dataset of the environment", _per_purpose(naming.dataset_id)),
    "hipaa_bucket_name": ShellName("a bucket of the environment project", _per_purpose(naming.bucket_name)),
    "hipaa_service_account_email": ShellName("a platform service account", _per_purpose(naming.service_account_email)),
    "hipaa_docker_mirror_repository": ShellName(
        "the pull-through mirror of one upstream registry",
        _per_purpose(naming.docker_mirror_repository),
    ),
    "hipaa_keyring_path": ShellName("the environment's keyring (`_KMS_KEYRING`)", naming.keyring_path),
    "hipaa_deployer_account_email": ShellName(
        "the account pulumi preview/up impersonate", naming.deployer_account_email
    ),
    "hipaa_network_name": ShellName("the private VPC", naming.network_name),
    "hipaa_subnet_name": ShellName("the private workload subnet", naming.subnet_name),
    "hipaa_docker_repository": ShellName("the repository the pipeline pushes images to", naming.docker_repository),
    "hipaa_security_topic": ShellName("the security team's topic", naming.security_topic),
    "hipaa_pulumi_backend_url": ShellName("where Pulumi state lives", naming.pulumi_backend_url),
    "hipaa_deidentified_dataset": ShellName(
        "where the PySpark job writes de-identified tables", naming.deidentified_dataset
    ),
    "hipaa_materialization_dataset": ShellName(
        "where the BigQuery connector materializes views",
        naming.materialization_dataset,
    ),
    "hipaa_compliance_bucket": ShellName(
        "where compliance reports land (`_COMPLIANCE_BUCKET`)", naming.compliance_bucket
    ),
    "hipaa_dataproc_staging_bucket": ShellName(
        "the Dataproc cluster's CMEK staging bucket", naming.dataproc_staging_bucket
    ),
    "hipaa_dataproc_temp_bucket": ShellName("the Dataproc cluster's CMEK temp bucket", naming.dataproc_temp_bucket),
    "hipaa_dataproc_autoscaling_policy": ShellName(
        "the Dataproc autoscaling policy", naming.dataproc_autoscaling_policy_path
    ),
    "hipaa_dataproc_kerberos_bucket": ShellName(
        "the CMEK bucket of the Kerberos root principal password",
        naming.dataproc_kerberos_bucket,
    ),
    "hipaa_dataproc_kerberos_password_uri": ShellName(
        "the KMS-encrypted Kerberos root principal password object",
        naming.dataproc_kerberos_password_uri,
    ),
    "hipaa_column_kek_path": ShellName("the KEK that wraps the column keysets", naming.column_kek_path),
    "hipaa_reidentification_dataset": ShellName(
        "the dataset of the decrypting procedure", naming.reidentification_dataset
    ),
    "hipaa_mrn_hmac_secret_id": ShellName("the MRN pseudonymization key's secret", naming.mrn_hmac_secret_id),
    "hipaa_vertex_model_id": ShellName("the Model Registry id of the validated model", naming.vertex_model_id),
}


def _placeholder_config() -> PlatformConfig:
    values = {k.split(":", 1)[1]: v for k, v in stack_config("prod").items() if k.startswith("hipaa:")}
    real = build_config("prod", values)
    return dataclasses.replace(
        real,
        environment=f"@{PLACEHOLDERS['environment']}@",
        project_id=f"@{PLACEHOLDERS['project_id']}@",
        security_project_id=f"@{PLACEHOLDERS['security_project_id']}@",
        region=f"@{PLACEHOLDERS['region']}@",
    )


def _shell_function(name: str, what: str, template: str) -> str:
    order = [*PLACEHOLDERS.values(), PURPOSE]
    used = [token for token in order if f"@{token}@" in template]
    # The template becomes a single-quoted printf format: nothing in it may need escaping.
    if re.search(r"[\\'%$`\"]", template):
        raise ValueError(f"{name}: template {template!r} cannot be rendered safely")
    # Arguments come in the canonical order; the format takes them in order of appearance.
    appearance = re.findall(r"@([A-Z_]+)@", template)
    fmt = re.sub(r"@[A-Z_]+@", "%s", template)
    args = " ".join(f'"${used.index(token) + 1}"' for token in appearance)
    usage = " ".join([name, *used])
    return (
        f"# {usage}: {what}.\n"
        f"{name}() {{\n"
        f"  (($# == {len(used)})) || {{ echo '{name}: expected {' '.join(used) or 'no arguments'}' >&2; return 2; }}\n"
        f"  printf '{fmt}' {args}\n"
        "}\n"
    )


def _constraints(kind: str) -> list[str]:
    # The live checks judge a deployed project as the rules judge the plan: by the rules' baseline,
    # not by the list the component was built from.
    return [constraint.name for constraint in REQUIRED_CONSTRAINTS if constraint.kind == kind]


def render() -> str:
    if "'" in PHI_COLUMN_PATTERN:
        raise ValueError("PHI_COLUMN_PATTERN cannot be rendered in single quotes")
    config = _placeholder_config()
    functions = "\n".join(_shell_function(name, entry.what, entry.namer(config)) for name, entry in NAMES.items())
    cmek_keys = [naming.cmek_key_name(purpose) for purpose in KEY_USERS]
    restricted = json.dumps(list(REQUIRED_RESTRICTED_SERVICES), separators=(",", ":"))
    return (
        "# GENERATED by `python -m infra shell-facts` from the Python program: do not edit by hand.\n"
        "# The facts the scripts share with infra/ (names, lists, constants), defined once in Python.\n"
        "# shellcheck shell=bash disable=SC2034  # constants are read by the scripts that source this file\n"
        '[[ -z "${_HIPAA_FACTS_SH:-}" ]] || return 0\n'
        "readonly _HIPAA_FACTS_SH=1\n\n"
        "# The environments, one stack each (infra/config.py ENVIRONMENTS).\n"
        f"readonly HIPAA_ENVIRONMENTS=({' '.join(ENVIRONMENTS)})\n"
        "# Services every perimeter must restrict (infra/rules/baseline.py REQUIRED_RESTRICTED_SERVICES).\n"
        f"readonly REQUIRED_RESTRICTED_SERVICES='{restricted}'\n"
        "# One CMEK key per purpose (infra/security/kms.py KEY_USERS, named by naming.cmek_key_name).\n"
        f"readonly CMEK_KEY_NAMES='{json.dumps(cmek_keys, separators=(',', ':'))}'\n"
        f"readonly CMEK_KEY_COMPUTE={naming.cmek_key_name('compute')}\n"
        f"readonly CMEK_KEY_SECRETS={naming.cmek_key_name('secrets')}\n"
        f"readonly CMEK_KEY_BIGQUERY={naming.cmek_key_name('bigquery')}\n"
        "# Dataproc's image line and dev idle TTL (infra/compute/dataproc.py).\n"
        f"readonly DATAPROC_IMAGE_VERSION={dataproc.IMAGE_VERSION}\n"
        f"readonly DATAPROC_DEV_IDLE_TTL={dataproc.DEV_IDLE_DELETE_TTL}\n"
        "# The key the Kerberos root principal password object is encrypted with (kerberosConfig.kmsKeyUri).\n"
        f"readonly DATAPROC_KERBEROS_KEY={naming.cmek_key_name(dataproc.KERBEROS_KEY_PURPOSE)}\n"
        f"readonly SECURITY_TOPIC_ID={naming.SECURITY_TOPIC_ID}\n"
        "# Org policy constraints the project must carry, by kind (infra/rules/baseline_org.py).\n"
        f"readonly ORG_ENFORCED_CONSTRAINTS=({' '.join(_constraints('enforce'))})\n"
        f"readonly ORG_DENY_ALL_CONSTRAINTS=({' '.join(_constraints('deny_all'))})\n"
        "# Services that may create resources only with a CMEK key (gcp.restrictNonCmekServices).\n"
        f"readonly CMEK_ONLY_SERVICES='{json.dumps(list(CMEK_REQUIRED_SERVICES), separators=(',', ':'))}'\n"
        "# Names of Safe Harbor identifier columns, which must carry a policy tag (infra/rules/baseline_phi.py).\n"
        f"readonly PHI_COLUMN_PATTERN='{PHI_COLUMN_PATTERN}'\n"
        "# Columns stored as AEAD ciphertext and the one procedure that decrypts them (infra/data/warehouse/).\n"
        f"readonly ENCRYPTED_COLUMN_NAMES=({' '.join(sorted({c.column for c in ENCRYPTED_COLUMNS}))})\n"
        f"readonly REIDENTIFY_PROCEDURE={naming.REIDENTIFY_PROCEDURE}\n\n" + functions
    )


def command(check_only: bool, path: Path = FACTS_PATH) -> int:
    """`python -m infra shell-facts [--check]`: write, or compare with, scripts/lib/facts.sh."""
    generated = render()
    if check_only:
        current = path.read_text(encoding="utf-8") if path.is_file() else ""
        if current != generated:
            print(f"{path.name}: differs from the facts in infra/; run python -m infra shell-facts", file=sys.stderr)
            return 1
        print(f"{path.name}: matches infra/")
        return 0
    path.write_text(generated, encoding="utf-8")
    print(f"wrote {path}")
    return 0
