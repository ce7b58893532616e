"""The region, zone and location-group data config validation reads, and the checks built on it."""

from __future__ import annotations

import re

import pytest

from infra.catalogues import load
from infra.config_checks import location_problem, region_problem
from infra.locations import GEOGRAPHY_GROUPS, LOCATION_GROUPS, REGIONS, ZONES
from tests.infra.recording import config_for


def test_regions_and_zones_are_shaped_as_google_names_them() -> None:
    assert all(re.fullmatch(r"[a-z]+-[a-z]+[0-9]{1,2}", region) for region in REGIONS)
    assert all(ZONES[zone] == zone.rsplit("-", 1)[0] for zone in ZONES)
    assert all(letters and letters == "".join(sorted(set(letters))) for letters in REGIONS.values())


def test_every_region_has_its_own_location_group() -> None:
    assert {f"in:{region}-locations" for region in REGIONS} | set(GEOGRAPHY_GROUPS) == set(LOCATION_GROUPS)


def test_every_stack_uses_a_known_region_and_known_locations(stack: str) -> None:
    config = config_for(stack)
    assert region_problem(config.region) is None
    assert [location_problem(location) for location in config.allowed_locations] == [None]


@pytest.mark.parametrize("location", ["us-central1", "us-central1-f", "europe-west1-b", "in:us-locations"])
def test_regions_zones_and_groups_are_accepted(location: str) -> None:
    assert location_problem(location) is None


@pytest.mark.parametrize("location", ["us", "global", "europe-west1-a", "in:us-central1", "US-CENTRAL1"])
def test_multi_regions_unknown_zones_and_malformed_groups_are_refused(location: str) -> None:
    assert location_problem(location)


def test_config_knows_every_location_the_preflight_catalogue_knows() -> None:
    """Config validation and the CAT-09 preflight (infra/catalogues/data/locations.json.gz) name the same
    regions and groups, so a stack file config accepts is not refused by the plan for its region. The
    catalogue lists fewer zones than Google publishes for the newest regions; every one it lists is here."""
    catalogue = load("locations").data
    assert set(REGIONS) == set(catalogue["regions"])
    assert set(GEOGRAPHY_GROUPS) == set(catalogue["locationGroups"])
    assert set(catalogue["zones"]) <= set(ZONES)
