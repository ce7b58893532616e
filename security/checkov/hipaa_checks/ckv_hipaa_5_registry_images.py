"""CKV_HIPAA_5: Workload images come only from the platform's Artifact Registry images repository, pinned by digest.

Every container, init and ephemeral container image is
<region>-docker.pkg.dev/<project>/hipaa-<env>-images/<name>@sha256:<digest>: the repository the
pipeline pushes the images it built, scanned and signed to. The deploy placeholders __REGION__,
__PROJECT_ID__ and __ENVIRONMENT__ stand for their values in the committed manifests.
"""

from hipaa_checks.hipaa_check_base import HipaaK8sCheck
from hipaa_k8s_rules import workload_images
from hipaa_manifest_set import WORKLOAD_KINDS

check = HipaaK8sCheck(
    "CKV_HIPAA_5",
    "Workload images come only from the platform's Artifact Registry images repository, pinned by digest",
    "164.312(c)(1) integrity",
    WORKLOAD_KINDS,
    workload_images,
)
