"""A fake aggregates repository with synthetic cells, recording what it was asked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from hipaa_api.models import MonthlyEncounters


def cell(month: str, zip3: str = "941", count: int = 12) -> MonthlyEncounters:
    return MonthlyEncounters(
        facility_id="FAC-001",
        service_month=month,
        patient_zip3=zip3,
        encounter_count=count,
        patient_count=count - 2,
        mean_length_of_stay_days=2.5,
    )


@dataclass
class FakeRepository:
    cells: list[MonthlyEncounters] = field(default_factory=list)
    is_ready: bool = True
    asked: list[tuple[str, date, date]] = field(default_factory=list)
    failure: Exception | None = None

    def monthly_encounters(self, facility_id: str, first_month: date, last_month: date) -> list[MonthlyEncounters]:
        self.asked.append((facility_id, first_month, last_month))
        if self.failure is not None:
            raise self.failure
        return self.cells

    def ready(self) -> bool:
        return self.is_ready
