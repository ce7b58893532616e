"""CKV_HIPAA_7: Dockerfile pins every base image, and every image it copies from, by a digest in the file.

A tag can be moved to other bytes and a build argument can swap a digest; a digest written in the
Dockerfile cannot. Build arguments may still choose the registry (the pipeline's pull-through mirrors
serve the same digest).
"""

from hipaa_checks.hipaa_check_base import HipaaDockerfileCheck
from hipaa_dockerfile_rules import pinned_bases

check = HipaaDockerfileCheck(
    "CKV_HIPAA_7",
    "Dockerfile pins every base image, and every image it copies from, by a sha256 digest written in the file",
    "164.312(c)(1) integrity",
    pinned_bases,
)
