"""CKV_HIPAA_6: Service exposes no container port that serves plain HTTP.

Each Service port is followed to the container ports of the workloads it selects in its set; a port is
plain HTTP when its appProtocol or name says so, a kubelet probe speaks plain HTTP to it, or it is 80
or 8080 with no TLS declared. A Service whose targets cannot be found fails.
"""

from hipaa_checks.hipaa_check_base import HipaaK8sCheck
from hipaa_k8s_rules import service_plain_http

check = HipaaK8sCheck(
    "CKV_HIPAA_6",
    "Service exposes no container port that serves plain HTTP",
    "164.312(e)(1) transmission security",
    ("Service",),
    service_plain_http,
)
