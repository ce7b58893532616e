"""CKV_HIPAA_3: Workload runs in a Namespace defined in its own manifest set, never in the default namespace.

CKV_HIPAA_1 and CKV_HIPAA_2 judge Namespaces; this makes sure every workload lives in one they judged.
"""

from hipaa_checks.hipaa_check_base import HipaaK8sCheck
from hipaa_k8s_rules import workload_namespace
from hipaa_manifest_set import WORKLOAD_KINDS

check = HipaaK8sCheck(
    "CKV_HIPAA_3",
    "Workload runs in a Namespace defined in its own manifest set, never in the default namespace",
    "164.312(a)(1) access control",
    WORKLOAD_KINDS,
    workload_namespace,
)
