"""The spaCy model the PHI scanner's image bakes in, pinned by hash (pipeline/phi/image/Dockerfile).

The official English pipeline, `en_core_web_lg` 3.8.0 (MIT, Explosion), for spaCy 3.8 as pinned in
requirements/pipeline.txt. The wheel is published on the spacy-models GitHub release; the private
build pool cannot reach GitHub, so an operator copies it, unchanged, to the artifacts bucket
(MODEL_URI) and the image build checks it against MODEL_SHA256 before it installs anything. The
hash is the one published lock files and install scripts pin for this release (not recomputed
here: GitHub is not reachable from where this was written); a wheel that differs fails the build.
"""

from __future__ import annotations

MODEL = "en_core_web_lg"
MODEL_VERSION = "3.8.0"
MODEL_WHEEL = f"{MODEL}-{MODEL_VERSION}-py3-none-any.whl"
MODEL_URL = f"https://github.com/explosion/spacy-models/releases/download/{MODEL}-{MODEL_VERSION}/{MODEL_WHEEL}"
MODEL_SHA256 = "293e9547a655b25499198ab15a525b05b9407a75f10255e405e8c3854329ab63"
MODEL_BYTES = 400_658_291
# Where the build reads the wheel: the artifacts bucket inside the perimeter, like the Safety database.
MODEL_URI = f"gs://$PROJECT_ID-artifacts/models/{MODEL_WHEEL}"
