"""gcloud: projects, org policies, KMS, access-context-manager, IAM service accounts, secrets, auth."""

from __future__ import annotations

import hashlib

from pipeline.simulate.world.args import parse
from pipeline.simulate.world.call import Call, RefusedError, Table

TOKEN_PREFIX = "ya29.simulated-"


def projects_describe(call: Call) -> int:
    args = parse(call.argv, positional=(1, 1))
    with call.state(write=False) as state:
        project = state["projects"].get(args.positional[0])
    if project is None:
        raise RefusedError(f"[{args.positional[0]}] not found or permission denied")
    return call.emit(project, args.value("--format"))


def projects_get_iam_policy(call: Call) -> int:
    args = parse(call.argv, positional=(1, 1))
    with call.state(write=False) as state:
        policy = state["iamPolicies"].get(args.positional[0])
    if policy is None:
        raise RefusedError(f"[{args.positional[0]}] not found or permission denied")
    return call.emit(policy, args.value("--format"))


def org_policies_describe(call: Call) -> int:
    args = parse(call.argv, positional=(1, 1), switches=("--effective",))
    project = args.require("--project")
    constraint = args.positional[0]
    with call.state(write=False) as state:
        policy = state["orgPolicies"].get(constraint) if project == state["env"]["project"] else None
    if policy is None:
        # No policy set anywhere: the effective policy is the constraint's default, with no rules.
        policy = {"name": f"projects/{project}/policies/{constraint}", "spec": {}}
    return call.emit(policy, args.value("--format"))


def kms_keyrings_describe(call: Call) -> int:
    args = parse(call.argv, positional=(1, 1), values=("--location",))
    with call.state(write=False) as state:
        ring = state["kms"]["keyrings"].get(args.positional[0])
    if ring is None:
        raise RefusedError(f"NOT_FOUND: KeyRing {args.positional[0]} not found.")
    return call.emit(ring, args.value("--format"))


def kms_keys_list(call: Call) -> int:
    args = parse(call.argv, values=("--keyring", "--location", "--filter"))
    keyring = args.require("--keyring")
    with call.state(write=False) as state:
        if keyring not in state["kms"]["keyrings"]:
            raise RefusedError(f"NOT_FOUND: KeyRing {keyring} not found.")
        keys = [k for path, k in sorted(state["kms"]["keys"].items()) if path.startswith(keyring + "/cryptoKeys/")]
    return call.emit(keys, args.value("--format"))


def kms_keys_get_iam_policy(call: Call) -> int:
    args = parse(call.argv, positional=(1, 1), values=("--keyring", "--location"))
    key = args.positional[0]
    with call.state(write=False) as state:
        if key not in state["kms"]["keys"]:
            raise RefusedError(f"NOT_FOUND: CryptoKey {key} not found.")
        policy = state["kms"]["policies"].get(key, {"etag": "ACAB", "version": 1})
    return call.emit(policy, args.value("--format"))


def perimeters_describe(call: Call) -> int:
    args = parse(call.argv, positional=(1, 1), values=("--policy",))
    with call.state(write=False) as state:
        perimeter = state["perimeters"].get(args.positional[0])
    if perimeter is None:
        raise RefusedError(f"NOT_FOUND: perimeter {args.positional[0]} not found")
    return call.emit(perimeter, args.value("--format"))


def service_accounts_list(call: Call) -> int:
    args = parse(call.argv)
    project = args.require("--project")
    with call.state(write=False) as state:
        accounts = [a for a in state["serviceAccounts"] if a["projectId"] == project]
    return call.emit(accounts, args.value("--format"))


def service_account_keys_list(call: Call) -> int:
    args = parse(call.argv, values=("--iam-account", "--managed-by"))
    account = args.require("--iam-account")
    managed = args.value("--managed-by", "any")
    with call.state(write=False) as state:
        if account not in state["accountKeys"]:
            raise RefusedError(f"NOT_FOUND: service account {account} does not exist")
        keys = state["accountKeys"][account]
    wanted = {"user": "USER_MANAGED", "system": "SYSTEM_MANAGED"}.get(str(managed))
    return call.emit([k for k in keys if wanted is None or k["keyType"] == wanted], args.value("--format"))


def secrets_versions_list(call: Call) -> int:
    args = parse(call.argv, positional=(1, 1), values=("--filter",))
    path = f"projects/{args.require('--project')}/secrets/{args.positional[0]}"
    with call.state(write=False) as state:
        versions = state["secretVersions"].get(path)
    if versions is None:
        raise RefusedError(f"NOT_FOUND: Secret [{path}] not found or has no versions.")
    return call.emit(versions, args.value("--format"))


def secrets_list(call: Call) -> int:
    args = parse(call.argv, values=("--filter",))
    project = args.require("--project")
    with call.state(write=False) as state:
        found = [s for s in state["secrets"] if s["name"].startswith(f"projects/{project}/secrets/")]
    return call.emit(found, args.value("--format"))


def auth_print_access_token(call: Call) -> int:
    parse(call.argv)
    with call.state(write=False) as state:
        account = next(iter(state["builds"].values()))["serviceAccount"]
    call.out.write(TOKEN_PREFIX + hashlib.sha256(account.encode()).hexdigest()[:40] + "\n")
    return 0


def auth_configure_docker(call: Call) -> int:
    args = parse(call.argv, positional=(0, 1))
    with call.state() as state:
        hosts = state.setdefault("docker", {}).setdefault("credentialHelpers", [])
        for host in args.positional[0].split(",") if args.positional else []:
            if host not in hosts:
                hosts.append(host)
    call.err.write("Adding credentials for: " + ",".join(args.positional) + "\n")
    return 0


COMMANDS: Table = {
    ("projects", "describe"): projects_describe,
    ("projects", "get-iam-policy"): projects_get_iam_policy,
    ("org-policies", "describe"): org_policies_describe,
    ("kms", "keyrings", "describe"): kms_keyrings_describe,
    ("kms", "keys", "list"): kms_keys_list,
    ("kms", "keys", "get-iam-policy"): kms_keys_get_iam_policy,
    ("access-context-manager", "perimeters", "describe"): perimeters_describe,
    ("iam", "service-accounts", "list"): service_accounts_list,
    ("iam", "service-accounts", "keys", "list"): service_account_keys_list,
    ("secrets", "list"): secrets_list,
    ("secrets", "versions", "list"): secrets_versions_list,
    ("auth", "print-access-token"): auth_print_access_token,
    ("auth", "configure-docker"): auth_configure_docker,
}
