"""The Safe Harbor parameters (45 CFR 164.514(b)(2)), kept as data so a reviewer can read them in one place."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

# Identifying columns of the curated patients and encounters tables (infra/data/warehouse/schema.py); none may
# reach the de-identified dataset. The surrogate ids go too: they would link rows back to curated data.
DIRECT_IDENTIFIERS = (
    "mrn",
    "ssn",
    "given_name",
    "family_name",
    "phone",
    "email",
    "patient_id",
    "encounter_id",
)
# Ages over 89 (and any date element that reveals them) collapse into one category, stored as 90.
AGE_TOP_CODE = 90
# A ZIP prefix that cannot be released, and what an unparseable ZIP becomes (the most general value).
SUPPRESSED_ZIP3 = "000"
# Cells with fewer encounters than this are dropped from the aggregates (CMS cell-size suppression policy).
MIN_CELL_SIZE = 11

_ZIP3 = re.compile(r"^[0-9]{3}$")


@cache
def restricted_zip3() -> frozenset[str]:
    """The HHS list of three-digit ZIP prefixes with 20,000 people or fewer, from the packaged data file."""
    text = resources.files(__package__).joinpath("restricted_zip3.txt").read_text(encoding="utf-8")
    return parse_zip3_list(text)


def parse_zip3_list(text: str) -> frozenset[str]:
    """One prefix a line, `#` comments; a malformed line is an error, never silently skipped."""
    prefixes = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if not _ZIP3.match(line):
            raise ValueError(f"restricted ZIP3 list line {number}: {line!r} is not three digits")
        prefixes.add(line)
    if not prefixes:
        raise ValueError("restricted ZIP3 list is empty")
    return frozenset(prefixes)
