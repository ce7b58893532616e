"""The pipeline: stages in order, and the build-wide settings around them.

Options, chosen deliberately (docs/pipeline.md says why):
- `pool.name`: the environment's private pool, named from substitutions. Google documents
  substitutions for steps and images only; Google's own foundation blueprints name the pool from a
  trigger substitution, which is what the triggers here do. If it were ever left unsubstituted, the
  name would not exist and Cloud Build would refuse the build, never fall back to the default pool;
  the pool-guard step also refuses a build running on any other pool.
- `logging: CLOUD_LOGGING_ONLY`: a build inside a VPC-SC perimeter cannot use the default logs
  bucket; Cloud Logging is routed to the SIEM project by the audit sink.
- `substitutionOption: MUST_MATCH`: a hand-submitted build with an unused or undefined substitution
  fails (triggered builds are always ALLOW_LOOSE, which is why `python -m pipeline check` enforces
  the same rule statically).
- no `dynamicSubstitutions`: no bash-style operations on substitutions are used (they would hide a
  use from Cloud Build's check); no `requestedVerifyOption`: provenance is generated only for
  `images`, and the API image is pushed inside a step because its digest is needed mid-build.
- no `availableSecrets`: no step needs a secret. Cosign signs through Cloud KMS, Pulumi keeps state
  in GCS and secrets in Cloud KMS, Safety reads its mirrored database: all with the build's service
  account, nothing to hold in Secret Manager.
"""

from __future__ import annotations

from pipeline.contract import BUILD_TIMEOUT_SECONDS, PRE_DEPLOY_GATES
from pipeline.model import Json, Pipeline, Stage
from pipeline.stages import (
    build,
    compliance,
    deploy,
    iac,
    operations,
    prepare,
    quality,
    reporting,
    security,
    testing,
    validation,
)
from pipeline.substitutions import SUBSTITUTIONS, WORKER_POOL

OPTIONS: Json = {
    "pool": {"name": WORKER_POOL},
    "logging": "CLOUD_LOGGING_ONLY",
    "substitutionOption": "MUST_MATCH",
}


def stages() -> tuple[Stage, ...]:
    tools, venv, tool_venvs = prepare.TOOLCHAIN, prepare.PYTHON_VENV, prepare.TOOL_VENVS
    gates_before_phi = tuple(g for g in PRE_DEPLOY_GATES if g != compliance.PHI_DETECTION)
    return (
        validation.release_stage(),
        prepare.stage(after=validation.POOL_GUARD),
        validation.environment_stage(tools),
        quality.stage(tools, venv, tool_venvs),
        iac.stage(tools, venv),
        testing.unit_stage(tools, venv, tool_venvs),
        build.build_stage(after=tools, venv=venv),
        build.scanner_image_stage(after=tools),
        security.stage(tools, build.API_IMAGE, tool_venvs, prepare.PROWLER_VENV),
        build.sign_stage(after=(security.TRIVY,)),
        compliance.stage(
            tools,
            phi_after=(*_outside(gates_before_phi, compliance.CHECKS), build.SPARK_WHEEL, build.PHI_SCANNER_IMAGE),
        ),
        reporting.verdict_stage(PRE_DEPLOY_GATES),
        testing.integration_stage(after=(*PRE_DEPLOY_GATES, reporting.GATES_PASSED, build.SPARK_WHEEL)),
        deploy.stage((*PRE_DEPLOY_GATES, reporting.GATES_PASSED), testing.DATAPROC_INTEGRATION),
        operations.stage(deploy.DEPLOY_INFRA, deploy.DEPLOY_DATAPROC, deploy.DEPLOY_GKE),
        reporting.stage(),
    )


def _outside(gate_ids: tuple[str, ...], local: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(g for g in gate_ids if g not in local)


def pipeline() -> Pipeline:
    return Pipeline(
        stages=stages(),
        substitutions=dict(SUBSTITUTIONS),
        options=OPTIONS,
        timeout_seconds=BUILD_TIMEOUT_SECONDS,
    )
