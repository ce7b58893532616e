"""CKV_HIPAA_1: Namespace enforces, audits and warns at the restricted Pod Security Standard, each version pinned.

Pods in the namespace cannot run privileged, share host namespaces or run as root, so a workload that
reads PHI reaches only what its own identity grants. Labels pod-security.kubernetes.io/enforce, audit
and warn are restricted, and each -version label pins v1.N (`latest` would change the rules silently).
"""

from hipaa_checks.hipaa_check_base import HipaaK8sCheck
from hipaa_k8s_rules import namespace_pod_security

check = HipaaK8sCheck(
    "CKV_HIPAA_1",
    "Namespace enforces, audits and warns at the restricted Pod Security Standard, each version pinned",
    "164.312(a)(1) access control",
    ("Namespace",),
    namespace_pod_security,
)
