"""CKV_HIPAA_9: Dockerfile runtime stage ends as a numeric non-root USER.

The last stage sets USER to a numeric UID other than 0 (the kubelet can verify runAsNonRoot only for
a numeric user; a USER of an earlier stage does not carry over).
"""

from hipaa_checks.hipaa_check_base import HipaaDockerfileCheck
from hipaa_dockerfile_rules import non_root_runtime_user

check = HipaaDockerfileCheck(
    "CKV_HIPAA_9",
    "Dockerfile runtime stage ends as a numeric non-root USER",
    "164.312(a)(1) access control",
    non_root_runtime_user,
)
