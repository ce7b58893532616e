"""The HTTP surface: health, readiness, and monthly aggregates of one facility."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse

from hipaa_api.models import FACILITY_ID, MONTH, Health, MonthlyEncountersPage
from hipaa_api.observability import RequestLogMiddleware
from hipaa_api.repository import AggregatesRepository

MAX_MONTHS = 36
_MONTH = re.compile(MONTH)


def first_day(month: str) -> date:
    year, number = month.split("-")
    return date(int(year), int(number), 1)


def months_between(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


def repository(request: Request) -> AggregatesRepository:
    repo: AggregatesRepository = request.app.state.repository
    return repo


Repository = Annotated[AggregatesRepository, Depends(repository)]


def create_app(repo: AggregatesRepository) -> FastAPI:
    # No /docs or /redoc: they load scripts from a CDN. The OpenAPI document stays for the DAST scan.
    app = FastAPI(title="HIPAA aggregates API", version="0.1.0", docs_url=None, redoc_url=None)
    app.state.repository = repo
    app.add_middleware(RequestLogMiddleware)

    @app.get("/healthz", response_model=Health)
    def healthz() -> Health:
        """Liveness: the process serves requests. No dependency is checked here."""
        return Health(status="ok")

    @app.get("/readyz", response_model=Health, responses={503: {"model": Health}})
    def readyz(repo: Repository) -> Health | JSONResponse:
        """Readiness: the aggregates table is reachable."""
        if repo.ready():
            return Health(status="ready")
        return JSONResponse(status_code=503, content={"status": "unavailable"})

    @app.get("/v1/facilities/{facility_id}/monthly-encounters", response_model=MonthlyEncountersPage)
    def monthly_encounters(
        repo: Repository,
        facility_id: Annotated[str, Path(pattern=FACILITY_ID)],
        from_month: Annotated[str, Query(pattern=MONTH, description="first month, YYYY-MM")],
        to_month: Annotated[str, Query(pattern=MONTH, description="last month, YYYY-MM")],
    ) -> MonthlyEncountersPage:
        first, last = first_day(from_month), first_day(to_month)
        span = months_between(first, last)
        if span < 1:
            raise HTTPException(status_code=422, detail="from_month must not be after to_month")
        if span > MAX_MONTHS:
            raise HTTPException(status_code=422, detail=f"at most {MAX_MONTHS} months per request")
        items = repo.monthly_encounters(facility_id, first, last)
        return MonthlyEncountersPage(facility_id=facility_id, from_month=from_month, to_month=to_month, items=items)

    return app
