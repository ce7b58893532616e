"""CKV_HIPAA_4: Workload runs as a dedicated ServiceAccount bound by Workload Identity, with no API token mounted.

The pods name a ServiceAccount other than `default`, defined in the set, used by no other workload
of the set and annotated iam.gke.io/gcp-service-account with a user-managed Google service account;
automountServiceAccountToken is false (the pod's setting, else the ServiceAccount's).
"""

from hipaa_checks.hipaa_check_base import HipaaK8sCheck
from hipaa_k8s_rules import workload_identity
from hipaa_manifest_set import WORKLOAD_KINDS

check = HipaaK8sCheck(
    "CKV_HIPAA_4",
    "Workload runs as a dedicated ServiceAccount bound by Workload Identity, with no API token mounted",
    "164.312(a)(2)(i) unique user identification",
    WORKLOAD_KINDS,
    workload_identity,
)
