"""Rules for column-level encryption in BigQuery: ciphertext columns, the keysets' KEK, who may decrypt.

Independent of the warehouse modules: the identifiers that must be ciphertext are named here, the KEK is
read from the SQL the plan carries (`KEYS.KEYSET_CHAIN` / `KEYS.NEW_WRAPPED_KEYSET` in job queries and
routine bodies), and the grants are read from the plan's IAM resources.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from infra.rules import Context, Resource, Rule, dig
from infra.rules.bigquery import TABLE, is_view
from infra.rules.bigquery_governance import _fields

JOB = "gcp:bigquery/job:Job"
ROUTINE = "gcp:bigquery/routine:Routine"
ACCESS_RESOURCE = "gcp:bigquery/datasetAccess:DatasetAccess"
CRYPTO_KEY = "gcp:kms/cryptoKey:CryptoKey"
KEY_RING = "gcp:kms/keyRing:KeyRing"
KEY_GRANTS = ("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding")
# Identifiers kept re-identifiable for authorised work: stored as ciphertext wherever data is curated.
ENCRYPTED_IDENTIFIERS = frozenset({"mrn", "medical_record_number", "ssn", "social_security_number"})
CURATED_SUFFIX = "_curated"
# Roles holding cloudkms.cryptoKeyVersions.useToDecrypt (or its delegated form, which BigQuery may use).
DECRYPT_ROLES = frozenset(
    {
        "roles/cloudkms.cryptoKeyDecrypter",
        "roles/cloudkms.cryptoKeyEncrypterDecrypter",
        "roles/cloudkms.cryptoKeyDecrypterViaDelegation",
        "roles/cloudkms.cryptoKeyEncrypterDecrypterViaDelegation",
    }
)
_KEK = re.compile(r"KEYS\.(?:KEYSET_CHAIN|NEW_WRAPPED_KEYSET)\s*\(\s*'gcp-kms://([^']*)'", re.IGNORECASE)
_DECRYPT = re.compile(r"\b(?:AEAD\.DECRYPT_\w+|DETERMINISTIC_DECRYPT_\w+)\s*\(", re.IGNORECASE)
ENCRYPTION = "45 CFR 164.312(a)(2)(iv)"
ACCESS = "45 CFR 164.312(a)(1)"


def ciphertext_columns_are_bytes(resource: Resource, _: Context) -> str | None:
    if is_view(resource) or not str(resource.inputs.get("datasetId", "")).endswith(CURATED_SUFFIX):
        return None
    fields = _fields(resource)
    if fields is None:
        return "schema is not readable JSON, so its encrypted columns cannot be checked"
    clear = sorted(
        f"{f['name']} ({f.get('type')})"
        for f in fields
        if str(f.get("name", "")).lower() in ENCRYPTED_IDENTIFIERS and f.get("type") != "BYTES"
    )
    return f"identifiers stored in clear, not as BYTES ciphertext: {', '.join(clear)}" if clear else None


def _sql(resource: Resource) -> str:
    if resource.type == JOB:
        return str(dig(resource.inputs, "query.query") or "")
    return str(resource.inputs.get("definitionBody") or "")


def _keyring_path(inputs: Mapping[str, Any]) -> str:
    return f"projects/{inputs.get('project')}/locations/{inputs.get('location')}/keyRings/{inputs.get('name')}"


def _planned_keys(context: Context) -> set[str]:
    rings = {_keyring_path(r.inputs) for r in context.of_type(KEY_RING)}
    return {
        f"{r.inputs.get('keyRing')}/cryptoKeys/{r.inputs.get('name')}"
        for r in context.of_type(CRYPTO_KEY)
        if r.inputs.get("keyRing") in rings and r.inputs.get("purpose", "ENCRYPT_DECRYPT") == "ENCRYPT_DECRYPT"
    }


def _keyset_users(context: Context) -> list[tuple[Resource, list[str]]]:
    found = []
    for resource in [*context.of_type(JOB), *context.of_type(ROUTINE)]:
        keks = _KEK.findall(_sql(resource))
        if keks or "KEYS." in _sql(resource).upper():
            found.append((resource, keks))
    return found


def keysets_wrapped_by_a_keyring_key(context: Context) -> list[str]:
    problems = []
    planned = _planned_keys(context)
    users = _keyset_users(context)
    for resource, keks in users:
        if not keks:
            problems.append(f"{resource.urn}: uses a keyset without naming its KEK as a gcp-kms:// literal")
        problems.extend(
            f"{resource.urn}: keyset KEK {kek} is not a symmetric key of a planned keyring"
            for kek in keks
            if kek not in planned
        )
    ciphertext = any(
        str(t.inputs.get("datasetId", "")).endswith(CURATED_SUFFIX)
        and any(str(f.get("name", "")).lower() in ENCRYPTED_IDENTIFIERS for f in _fields(t) or [])
        for t in context.of_type(TABLE)
    )
    creators = [r for r, _ in users if r.type == JOB and "NEW_WRAPPED_KEYSET" in _sql(r).upper()]
    if ciphertext and not creators:
        problems.append("curated identifiers are encrypted but no job creates their wrapped keysets")
    return problems


def _members(grant: Resource) -> list[str]:
    return [str(m) for m in grant.inputs.get("members") or [grant.inputs.get("member")]]


def decryption_only_through_the_granted_routine(context: Context) -> list[str]:
    """Of the people, one group alone may decrypt: it holds the KEK's decrypt role and reads only the routine."""
    problems = []
    keks = {kek for _, found in _keyset_users(context) for kek in found}
    people: set[str] = set()
    for grant in [g for kind in KEY_GRANTS for g in context.of_type(kind)]:
        if grant.inputs.get("cryptoKeyId") in keks and grant.inputs.get("role") in DECRYPT_ROLES:
            people.update(m for m in _members(grant) if not m.startswith("serviceAccount:"))
    groups = sorted(people)
    if keks and (len(groups) != 1 or not groups[0].startswith("group:")):
        problems.append(f"the column KEK's decrypters among people must be one group, found: {groups or 'none'}")
        return problems
    routines = [r for r in context.of_type(ROUTINE) if _DECRYPT.search(_sql(r))]
    if keks and not routines:
        problems.append("no routine decrypts the encrypted columns, so the decrypting group has nothing to call")
    accesses = context.of_type(ACCESS_RESOURCE)
    for routine in routines:
        dataset = routine.inputs.get("datasetId")
        readers = sorted(
            f"{a.inputs.get('role')}:{a.inputs.get('groupByEmail') or a.inputs.get('userByEmail')}"
            for a in accesses
            if a.inputs.get("datasetId") == dataset and "role" in a.inputs
        )
        expected = [f"READER:{groups[0].removeprefix('group:')}"] if groups else []
        if readers != expected:
            problems.append(f"{routine.urn}: its dataset's readers are {readers}, expected only {expected}")
        authorized = [a for a in accesses if dig(a.inputs, "routine.routineId") == routine.inputs.get("routineId")]
        if not authorized:
            problems.append(f"{routine.urn}: decrypts but is authorized on no dataset, so callers need table access")
    return problems


RULES = [
    Rule(
        "CLE-01",
        ENCRYPTION,
        "curated MRNs and SSNs are stored as BYTES ciphertext",
        (TABLE,),
        ciphertext_columns_are_bytes,
    ),
    Rule(
        "CLE-02",
        ENCRYPTION,
        "column keysets are created wrapped, by a KEK of the platform keyring",
        stack_check=keysets_wrapped_by_a_keyring_key,
        scope=(JOB, ROUTINE, TABLE),
    ),
    Rule(
        "CLE-03",
        ACCESS,
        "one group alone may decrypt columns, through an authorized routine only it reads",
        stack_check=decryption_only_through_the_granted_routine,
        scope=(JOB, ROUTINE),
    ),
]
