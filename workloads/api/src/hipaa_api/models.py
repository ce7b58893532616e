"""Response shapes: aggregates only, each cell already past small-cell suppression."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

# The job publishes no cell under this many encounters; the API refuses to serve one if it ever appears.
MIN_CELL_SIZE = 11
FACILITY_ID = r"^[A-Z0-9][A-Z0-9-]{0,31}$"
MONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


class MonthlyEncounters(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    facility_id: str = Field(pattern=FACILITY_ID)
    service_month: str = Field(pattern=MONTH, description="YYYY-MM")
    patient_zip3: str = Field(pattern=r"^[0-9]{3}$", description="three-digit ZIP, 000 where Safe Harbor requires")
    encounter_count: int = Field(ge=MIN_CELL_SIZE)
    patient_count: int = Field(ge=0)
    mean_length_of_stay_days: float | None


class MonthlyEncountersPage(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    facility_id: str
    from_month: str
    to_month: str
    items: list[MonthlyEncounters]


class Health(BaseModel):
    status: str
