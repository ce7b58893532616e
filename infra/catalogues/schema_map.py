"""Which Google API schema each planned pulumi-gcp type is created with, and which inputs map to which field.

Only mappings we are sure of are listed: pulumi-gcp often renames or flattens a field, so an input is
checked only when it is named here. An API field path is dotted; a list in either shape is walked
item by item, `*` stands for the values of a map, and a `|tf_bool` suffix converts the provider's
"TRUE"/"FALSE" strings to the API's boolean first. `provided` names the API fields the API calls
required that the provider fills in from elsewhere (the URL, the resource id): they are not looked for
in the inputs. A planned Google type with neither a mapping nor an entry in NOT_COVERED fails CAT-08.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from infra.catalogues.schema_map_data import DATA_MAPPINGS
from infra.catalogues.schema_map_delivery import DELIVERY_MAPPINGS
from infra.catalogues.schema_map_platform import PLATFORM_MAPPINGS


@dataclass(frozen=True)
class TypeMap:
    api: str
    schema: str
    fields: Mapping[str, str]
    provided: Mapping[str, str] = field(default_factory=dict)


def _build(raw: Mapping[str, tuple[str, str, Mapping[str, str], Mapping[str, str]]]) -> dict[str, TypeMap]:
    return {token: TypeMap(api, schema, fields, provided) for token, (api, schema, fields, provided) in raw.items()}


MAPPINGS: dict[str, TypeMap] = {**_build(DATA_MAPPINGS), **_build(PLATFORM_MAPPINGS), **_build(DELIVERY_MAPPINGS)}

# Planned Google types with no API body to check, each with the reason.
NOT_COVERED: dict[str, str] = {
    "gcp:projects/serviceIdentity:ServiceIdentity": (
        "services.generateServiceIdentity takes no request body: there is no field to check"
    ),
}

# The Discovery documents (api -> version file stem) the schema catalogue is cut from.
APIS = tuple(sorted({mapping.api for mapping in MAPPINGS.values()}))
