"""CKV_HIPAA_2: Namespace has a default-deny NetworkPolicy for ingress and egress in its manifest set.

Nothing reaches a pod, and no pod reaches anything, unless a further NetworkPolicy allows it: a
policy of the namespace with podSelector {}, policyTypes Ingress and Egress and no rules.
"""

from hipaa_checks.hipaa_check_base import HipaaK8sCheck
from hipaa_k8s_rules import namespace_default_deny

check = HipaaK8sCheck(
    "CKV_HIPAA_2",
    "Namespace has a default-deny NetworkPolicy for ingress and egress in its manifest set",
    "164.312(e)(1) transmission security",
    ("Namespace",),
    namespace_default_deny,
)
