"""CKV_HIPAA_8: Dockerfile runtime stage builds on a hardened base: distroless (not a debug variant) or scratch.

No shell and no package manager in the image that runs: gcr.io/distroless/*, or the platform's mirror
of it (<region>-docker.pkg.dev/<project>/hipaa-<env>-gcr-mirror/distroless/*), resolved through the
stages the runtime stage extends and the build arguments' defaults.
"""

from hipaa_checks.hipaa_check_base import HipaaDockerfileCheck
from hipaa_dockerfile_rules import hardened_runtime_base

check = HipaaDockerfileCheck(
    "CKV_HIPAA_8",
    "Dockerfile runtime stage builds on a hardened base: distroless (not a debug variant) or scratch",
    "164.308(a)(1)(ii)(B) risk management",
    hardened_runtime_base,
)
