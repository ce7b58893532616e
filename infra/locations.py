"""Google Cloud regions, zones and the `in:` location groups a stack may name. Plain data, no Pulumi.

Source: Google Cloud's published region and zone list ("Geography and regions", and the per-product
region tables that repeat it, e.g. cloud.google.com/memorystore/docs/redis/regions), read 2026-12;
`in:<region>-locations` and the geography groups: "Restricting resource locations"
(cloud.google.com/resource-manager/docs/organization-policy/defining-locations). A region Google
opens later is refused until it is added here, which errs on the side of a clear config error.
"""

from __future__ import annotations

# region -> the letters of its zones (`us-central1` has us-central1-a, -b, -c and -f).
REGIONS: dict[str, str] = {
    "africa-south1": "abc",
    "asia-east1": "abc",
    "asia-east2": "abc",
    "asia-northeast1": "abc",
    "asia-northeast2": "abc",
    "asia-northeast3": "abc",
    "asia-south1": "abc",
    "asia-south2": "abc",
    "asia-southeast1": "abc",
    "asia-southeast2": "abc",
    "asia-southeast3": "abc",
    "australia-southeast1": "abc",
    "australia-southeast2": "abc",
    "europe-central2": "abc",
    "europe-north1": "abc",
    "europe-north2": "abc",
    "europe-southwest1": "abc",
    "europe-west1": "bcd",
    "europe-west2": "abc",
    "europe-west3": "abc",
    "europe-west4": "abc",
    "europe-west6": "abc",
    "europe-west8": "abc",
    "europe-west9": "abc",
    "europe-west10": "abc",
    "europe-west12": "abc",
    "me-central1": "abc",
    "me-central2": "abc",
    "me-west1": "abc",
    "northamerica-northeast1": "abc",
    "northamerica-northeast2": "abc",
    "northamerica-south1": "abc",
    "southamerica-east1": "abc",
    "southamerica-west1": "abc",
    "us-central1": "abcf",
    "us-east1": "bcd",
    "us-east4": "abc",
    "us-east5": "abc",
    "us-south1": "abc",
    "us-west1": "abc",
    "us-west2": "abc",
    "us-west3": "abc",
    "us-west4": "abc",
}
ZONES: dict[str, str] = {f"{region}-{letter}": region for region, letters in REGIONS.items() for letter in letters}
# Geography value groups of the resource locations constraint this platform accepts; every region
# also has its own group, `in:<region>-locations`.
GEOGRAPHY_GROUPS = ("in:us-locations", "in:eu-locations")
LOCATION_GROUPS = (*GEOGRAPHY_GROUPS, *(f"in:{region}-locations" for region in REGIONS))
