"""Authorized views: the de-identified dataset's window onto the curated tables.

Each view drops the direct identifiers (MRN, SSN, names, contact details) and generalizes the
quasi-identifiers the Safe Harbor method names: ages above 89 are top-coded to 90, dates of care
are cut to the year, postal codes are dropped. Analysts query only these views; the views are
authorized on the curated dataset, and BigQuery still applies the base tables' row access policies
and column masking for the querying user (analysts see their regions only, dates year-masked).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.naming import Stack, child_opts, data_opts, dataset_id
from infra.placement import Placement


@dataclass(frozen=True)
class ViewSpec:
    view_id: str
    source: str
    description: str
    select: str


# Ages from a year-masked date of birth may be off by up to a year; they are an analytic band, not a fact.
VIEWS: tuple[ViewSpec, ...] = (
    ViewSpec(
        "patients_deidentified",
        "patients",
        "Patients without identifiers; age top-coded at 90.",
        "SELECT\n"
        "  patient_id AS patient_key,\n"
        "  sex,\n"
        "  LEAST(DATE_DIFF(CURRENT_DATE(), date_of_birth, YEAR), 90) AS age_years,\n"
        "  facility_region\n"
        "FROM `{source}`",
    ),
    ViewSpec(
        "encounters_deidentified",
        "encounters",
        "Encounters with the year of admission only.",
        "SELECT\n"
        "  encounter_id AS encounter_key,\n"
        "  patient_id AS patient_key,\n"
        "  facility_region,\n"
        "  encounter_class,\n"
        "  primary_diagnosis_code,\n"
        "  EXTRACT(YEAR FROM admit_date) AS admit_year,\n"
        "  length_of_stay_days\n"
        "FROM `{source}`",
    ),
    ViewSpec(
        "observations_deidentified",
        "observations",
        "Observations with the year of measurement only.",
        "SELECT\n"
        "  observation_id AS observation_key,\n"
        "  patient_id AS patient_key,\n"
        "  encounter_id AS encounter_key,\n"
        "  facility_region,\n"
        "  loinc_code,\n"
        "  value_numeric,\n"
        "  unit,\n"
        "  EXTRACT(YEAR FROM observed_at) AS observed_year\n"
        "FROM `{source}`",
    ),
)


def view_query(config: Stack, view: ViewSpec) -> str:
    """The view's GoogleSQL, reading the curated table by its full name."""
    return view.select.format(source=f"{config.project_id}.{dataset_id(config, 'curated')}.{view.source}")


def authorized_views(
    name: str,
    config: Placement,
    parent: pulumi.Resource,
    *,
    deidentified: gcp.bigquery.Dataset,
    curated: gcp.bigquery.Dataset,
    sources: Mapping[str, gcp.bigquery.Table],
) -> dict[str, gcp.bigquery.Table]:
    """Create the views in the de-identified dataset and authorize each on the curated dataset."""
    views: dict[str, gcp.bigquery.Table] = {}
    for spec in VIEWS:
        view = gcp.bigquery.Table(
            f"{name}-{spec.view_id}",
            project=config.project_id,
            dataset_id=deidentified.dataset_id,
            table_id=spec.view_id,
            description=spec.description,
            view=gcp.bigquery.TableViewArgs(query=view_query(config, spec), use_legacy_sql=False),
            deletion_protection=config.is_prod,
            labels={**config.labels, "table-kind": "authorized-view"},
            opts=data_opts(config, parent, depends_on=[sources[spec.source]]),
        )
        # Authorizes this one view (not the whole dataset) to read the curated tables it selects from.
        gcp.bigquery.DatasetAccess(
            f"{name}-{spec.view_id}-authorized",
            project=config.project_id,
            dataset_id=curated.dataset_id,
            view=gcp.bigquery.DatasetAccessViewArgs(
                project_id=config.project_id, dataset_id=deidentified.dataset_id, table_id=view.table_id
            ),
            opts=child_opts(parent),
        )
        views[spec.view_id] = view
    return views
