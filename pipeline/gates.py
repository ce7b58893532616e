"""The pipeline's gates, defined once: which script proves what, for which HIPAA controls.

Each gate is one evidence file (`$EVIDENCE_DIR/<id>.json`, written by the gate's script through
scripts/lib/gate.sh). The pipeline generator gives every gate a step that runs its script; the
compliance report maps each HIPAA control to the gates that prove it, and fails when a required
gate is missing or failed. Adding a gate here is what makes it required.
"""

from __future__ import annotations

from dataclasses import dataclass

# One list of environments for the program, the pipeline and (through facts.sh) the scripts.
from infra.config import ENVIRONMENTS

# HIPAA Security Rule safeguards (45 CFR Part 164, Subpart C) the pipeline produces evidence for.
CONTROLS: dict[str, str] = {
    "164.308(a)(1)(ii)(A)": "Risk analysis",
    "164.308(a)(1)(ii)(B)": "Risk management",
    "164.308(a)(1)(ii)(D)": "Information system activity review",
    "164.308(a)(4)(ii)(B)": "Access authorization",
    "164.308(a)(5)(ii)(B)": "Protection from malicious software",
    "164.308(a)(6)(ii)": "Security incident response and reporting",
    "164.308(a)(7)(ii)(A)": "Data backup plan",
    "164.308(a)(7)(ii)(B)": "Disaster recovery plan",
    "164.308(a)(8)": "Evaluation",
    "164.312(a)(1)": "Access control",
    "164.312(a)(2)(i)": "Unique user identification",
    "164.312(a)(2)(iv)": "Encryption and decryption",
    "164.312(b)": "Audit controls",
    "164.312(c)(1)": "Integrity",
    "164.312(c)(2)": "Mechanism to authenticate ePHI",
    "164.312(d)": "Person or entity authentication",
    "164.312(e)(1)": "Transmission security",
    "164.312(e)(2)(ii)": "Encryption in transit",
}


@dataclass(frozen=True)
class Gate:
    """One blocking check of the pipeline and the evidence it leaves."""

    id: str
    title: str
    script: str
    controls: tuple[str, ...]
    required_in: tuple[str, ...] = ENVIRONMENTS

    def __post_init__(self) -> None:
        unknown = [c for c in self.controls if c not in CONTROLS]
        if unknown or not self.controls:
            raise ValueError(f"gate {self.id}: unknown or missing controls {unknown}")
        if not set(self.required_in) <= set(ENVIRONMENTS):
            raise ValueError(f"gate {self.id}: unknown environment in {self.required_in}")


GATES: tuple[Gate, ...] = (
    Gate(
        "env-validation",
        "VPC-SC perimeter, CMEK keys, audit logging, org policies, no public IPs, restricted services",
        "validate-env-hipaa.sh",
        ("164.312(a)(1)", "164.312(a)(2)(iv)", "164.312(b)", "164.312(e)(1)"),
    ),
    Gate(
        "python-quality",
        "Pylint, Mypy, Bandit and Safety (mirrored database) over the Python code and its dependencies",
        "run-python-quality.sh",
        ("164.308(a)(1)(ii)(B)", "164.308(a)(5)(ii)(B)", "164.312(c)(1)"),
    ),
    Gate(
        "iac-validation",
        "Pulumi program lint, pulumi preview with the HIPAA policy pack, rule check of the preview",
        "run-iac-validation.sh",
        ("164.308(a)(1)(ii)(B)", "164.312(a)(2)(iv)", "164.312(e)(1)"),
    ),
    Gate(
        "checkov",
        "Checkov with the HIPAA policies of security/checkov on the Kubernetes manifests and Dockerfiles",
        "run-checkov.sh",
        ("164.308(a)(1)(ii)(B)", "164.312(a)(1)", "164.312(a)(2)(i)", "164.312(c)(1)", "164.312(e)(1)"),
    ),
    Gate(
        "unit-tests",
        "pytest with coverage of at least 85 percent",
        "run-unit-tests.sh",
        ("164.312(c)(1)",),
    ),
    Gate(
        "data-quality",
        "Great Expectations suites on the BigQuery test dataset",
        "run-data-quality.sh",
        ("164.312(c)(1)",),
    ),
    Gate(
        "dataproc-integration",
        "Ephemeral Dataproc test cluster (VPC-SC, CMEK), sample PySpark job with the pinned HMAC key version",
        "run-dataproc-integration.sh",
        ("164.312(c)(1)", "164.312(a)(2)(iv)"),
    ),
    Gate(
        "bqml-model",
        "BigQuery ML model on the de-identified aggregates: CMEK, Vertex AI Model Registry, ML.EVALUATE bar",
        "validate-bqml-model.sh",
        ("164.312(c)(1)", "164.312(a)(2)(iv)"),
    ),
    Gate(
        "image-signing",
        "Cosign signature with the Cloud KMS key and a Binary Authorization attestation",
        "sign-image.sh",
        ("164.312(c)(1)", "164.312(c)(2)"),
    ),
    Gate(
        "trivy",
        "Trivy image scan; HIGH or CRITICAL vulnerabilities block",
        "run-trivy-scan.sh",
        ("164.308(a)(1)(ii)(A)", "164.308(a)(5)(ii)(B)"),
    ),
    Gate(
        "semgrep",
        "Semgrep with security rulesets and our healthcare rules",
        "run-semgrep-scan.sh",
        ("164.308(a)(1)(ii)(A)", "164.312(c)(1)"),
    ),
    Gate(
        "prowler",
        "Prowler's HIPAA framework against the environment project",
        "run-prowler-hipaa.sh",
        ("164.308(a)(8)", "164.308(a)(1)(ii)(A)"),
    ),
    Gate(
        "phi-detection",
        "Presidio PHI scan of build logs and outputs",
        "run-phi-detection.sh",
        ("164.312(a)(1)", "164.312(e)(1)"),
    ),
    Gate(
        "encryption",
        "CMEK on every data resource, key rotation within 90 days, TLS 1.3 SSL policies on every proxy",
        "validate-encryption.sh",
        ("164.312(a)(2)(iv)", "164.312(e)(2)(ii)"),
    ),
    Gate(
        "access-controls",
        "No primitive roles, no public members, no user-managed keys, bindings within the allow-list",
        "validate-access-controls.sh",
        ("164.312(a)(1)", "164.308(a)(4)(ii)(B)", "164.312(d)"),
    ),
    Gate(
        "audit-logs",
        "Data access audit logs on, sink to the SIEM project, recent entries arrived there",
        "validate-audit-logs.sh",
        ("164.312(b)", "164.308(a)(1)(ii)(D)"),
    ),
    Gate(
        "vpcsc-egress",
        "VPC-SC perimeter enforced, restricted services, egress only to the SIEM and security projects",
        "validate-vpcsc-egress.sh",
        ("164.312(e)(1)", "164.312(a)(1)"),
    ),
    Gate(
        "bigquery-governance",
        "Row-level security, authorized views, policy tags with masking, AEAD-encrypted identifiers in BigQuery",
        "validate-bigquery-governance.sh",
        ("164.312(a)(1)", "164.308(a)(4)(ii)(B)", "164.312(a)(2)(iv)"),
    ),
    Gate(
        "deploy-infra",
        "pulumi up of the environment's stack",
        "deploy-infra.sh",
        ("164.308(a)(1)(ii)(B)",),
    ),
    Gate(
        "deploy-gke",
        "API on GKE: restricted Pod Security, default-deny NetworkPolicies, images by digest",
        "deploy-gke-hipaa.sh",
        ("164.312(a)(1)", "164.312(e)(1)"),
    ),
    Gate(
        "deploy-dataproc",
        "Dataproc cluster: internal IP only, CMEK, shielded VMs, verified after deploy",
        "deploy-dataproc-hipaa.sh",
        ("164.312(a)(2)(iv)", "164.312(e)(1)"),
    ),
    Gate(
        "pyspark-job",
        "De-identification PySpark job submitted and finished",
        "run-pyspark-job.sh",
        ("164.312(c)(1)",),
    ),
    Gate(
        "deploy-vertex",
        "Vertex AI model on the private (peered) CMEK endpoint",
        "deploy-vertex-model.sh",
        ("164.312(e)(1)", "164.312(a)(2)(iv)"),
    ),
    Gate(
        "monitoring",
        "HIPAA log metrics and alert policies notifying the security topic",
        "configure-monitoring.sh",
        ("164.308(a)(1)(ii)(D)", "164.308(a)(6)(ii)"),
    ),
    Gate(
        "backup-restore",
        "BigQuery snapshot restore, GCS version restore, Dataproc disk snapshot",
        "test-backup-restore.sh",
        ("164.308(a)(7)(ii)(A)", "164.308(a)(7)(ii)(B)"),
    ),
    Gate(
        "dast",
        "OWASP ZAP scan of the internal API",
        "run-zap-dast.sh",
        ("164.308(a)(8)", "164.308(a)(1)(ii)(A)"),
    ),
    Gate(
        "phi-log-scan",
        "Presidio PHI scan of the whole build log (deploy steps included) and all evidence, before the report",
        "run-phi-log-scan.sh",
        ("164.312(a)(1)", "164.312(e)(1)"),
    ),
)


def gate(gate_id: str) -> Gate:
    for candidate in GATES:
        if candidate.id == gate_id:
            return candidate
    raise KeyError(f"unknown gate {gate_id!r}")


def required_gates(environment: str) -> tuple[Gate, ...]:
    if environment not in ENVIRONMENTS:
        raise ValueError(f"unknown environment {environment!r}; expected one of {', '.join(ENVIRONMENTS)}")
    return tuple(g for g in GATES if environment in g.required_in)
