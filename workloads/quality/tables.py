"""The tables the suites validate, and where they live: the data contract with the job and the warehouse."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Role = Literal["curated", "deidentified"]
# The restricted ZIP3 list is data owned by the job's package; the suite reads the same file.
RESTRICTED_ZIP3_FILE = Path(__file__).resolve().parents[1] / "spark" / "src" / "hipaa_spark" / "restricted_zip3.txt"
_CURATED = re.compile(r"^(?P<stem>[A-Za-z_][A-Za-z0-9_]*)_curated$")


@dataclass(frozen=True)
class Table:
    role: Role
    name: str


# The curated tables infra/data/warehouse/schema.py creates, then the Spark job's two outputs.
PATIENTS = Table("curated", "patients")
ENCOUNTERS = Table("curated", "encounters")
DEIDENTIFIED_ROWS = Table("deidentified", "encounters_safe_harbor")
AGGREGATES = Table("deidentified", "facility_monthly_encounters")
TABLES = (PATIENTS, ENCOUNTERS, DEIDENTIFIED_ROWS, AGGREGATES)


def deidentified_dataset_for(curated: str) -> str | None:
    """`hipaa_prod_curated` -> `hipaa_prod_deidentified` (the naming contract); None when it does not apply."""
    match = _CURATED.match(curated)
    return f"{match['stem']}_deidentified" if match else None


def restricted_zip3() -> tuple[str, ...]:
    lines = RESTRICTED_ZIP3_FILE.read_text(encoding="utf-8").splitlines()
    prefixes = tuple(sorted({line.split("#", 1)[0].strip() for line in lines} - {""}))
    if not prefixes or not all(re.fullmatch(r"[0-9]{3}", p) for p in prefixes):
        raise ValueError(f"{RESTRICTED_ZIP3_FILE}: malformed restricted ZIP3 list")
    return prefixes
