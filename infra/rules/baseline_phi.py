"""The column names that hold a HIPAA Safe Harbor identifier, whatever a plan says about them.

One list for the plan's rules (BQ-09, BQ-12, BQ-14) and the live governance gate
(scripts/validate-bigquery-governance.sh reads `PHI_COLUMN_PATTERN` from scripts/lib/facts.sh,
generated from here), so the two cannot disagree on which column must carry a policy tag.

Listed are the names of the identifiers 45 CFR 164.514(b)(2)(i)(A)-(Q) enumerates. Not listed:
the catch-all (R), "any other unique identifying number, characteristic, or code", because
164.514(c) permits a re-identification code that is not derived from information about the
individual and whose mapping is not disclosed. A random surrogate key such as the warehouse's
`patient_id` (infra/data/warehouse/schema.py) is such a code; whether a column is one is a design
fact a name cannot tell, so it is judged against the plan (the expected inventory carries every
column with its planned policy tag), not by this list.
"""

from __future__ import annotations

import re

# Identify a person on their own: never readable in clear outside the fine-grained readers.
DIRECT_IDENTIFIERS = frozenset(
    {
        # (A) names
        "first_name",
        "last_name",
        "middle_name",
        "full_name",
        "given_name",
        "family_name",
        "patient_name",
        # (B) street addresses (geographic units below a state that point at a dwelling)
        "address",
        "street",
        "street_address",
        # (D)-(F) telephone and fax numbers, email addresses
        "phone",
        "phone_number",
        "fax",
        "fax_number",
        "email",
        "email_address",
        # (G)-(K) SSNs, medical record, health plan beneficiary, account, certificate and license numbers
        "ssn",
        "social_security_number",
        "mrn",
        "medical_record_number",
        "member_id",
        "subscriber_id",
        "beneficiary_id",
        "account_number",
        "certificate_number",
        "license_number",
        # (L)-(M) vehicle and device identifiers and serial numbers
        "vehicle_id",
        "vin",
        "license_plate",
        "device_id",
        "serial_number",
        # (N)-(Q) URLs, IP addresses, biometric identifiers, photographs
        "url",
        "ip_address",
        "biometric_id",
        "photo",
        "photo_url",
    }
)
# Narrow a person down in combination: may appear in a de-identified view only generalized.
QUASI_IDENTIFIERS = frozenset(
    {
        # (B) geographic units smaller than a state
        "city",
        "county",
        "zip",
        "zip_code",
        "zipcode",
        "postal_code",
        # (C) dates (except year) directly related to the individual: birth, admission, discharge, death, care
        "dob",
        "birth_date",
        "date_of_birth",
        "death_date",
        "admission_date",
        "admit_date",
        "discharge_date",
        "observed_at",
    }
)
# Names too common inside other words to match as a part (`facility_name`, `drug_name`): whole names only.
WHOLE_NAME_ONLY = frozenset({"name"})
IDENTIFIERS = DIRECT_IDENTIFIERS | QUASI_IDENTIFIERS | WHOLE_NAME_ONLY

# A column is an identifier when its whole name, or an underscore-delimited part of it, is a listed
# name (`patient_email`, `home_address_line_1`); case is ignored. POSIX ERE, so jq's Oniguruma and
# Python's re read it alike.
PHI_COLUMN_PATTERN = (
    f"^({'|'.join(sorted(WHOLE_NAME_ONLY))})$|(^|_)({'|'.join(sorted(DIRECT_IDENTIFIERS | QUASI_IDENTIFIERS))})(_|$)"
)
_PHI_COLUMN = re.compile(PHI_COLUMN_PATTERN)


def is_identifier_column(name: str) -> bool:
    """Whether a column (a leaf's own name, not its path) is named like a Safe Harbor identifier."""
    return _PHI_COLUMN.search(name.lower()) is not None
