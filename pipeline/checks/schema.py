"""The config must parse as the Cloud Build API's `Build` message (google-cloud-build's own types)."""

from __future__ import annotations

import json
import warnings

from google.protobuf.json_format import ParseError  # type: ignore[import-untyped]

from pipeline.model import Json

with warnings.catch_warnings():
    # google-api-core warns about the Python version on import; that is not a finding. (So this
    # google import stays apart from the one above.)
    warnings.simplefilter("ignore", FutureWarning)
    from google.cloud.devtools.cloudbuild_v1.types import Build  # pylint: disable=ungrouped-imports


def build_message(build: Json) -> list[str]:
    try:
        Build.from_json(json.dumps(build), ignore_unknown_fields=False)
    except (ParseError, TypeError, ValueError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        return [f"[schema] not a valid Cloud Build Build message: {reason}"]
    return []
