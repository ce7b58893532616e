"""The project roles Google grants its own service agents, and which of their APIs a plan uses.

When an API is first used in a project, Google creates the API's service agent and grants it a
predefined role on the project (https://cloud.google.com/iam/docs/service-agents). Those grants are
in no plan, but validate-access-controls.sh sees them in the project's IAM policy, so the allow-list
must name them. Only APIs whose agent gets a role on the project are listed: the agents of Cloud
Storage, BigQuery, Secret Manager, Cloud Logging and Cloud KMS act through grants on single
resources (CMEK keys, log buckets), which the gate does not check, and DNS, Data Catalog, BigQuery
data policies, org policies and Access Context Manager have no project-level agent role.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from infra.rules import Resource

SERVICE = "gcp:projects/service:Service"
SERVICE_IDENTITY = "gcp:projects/serviceIdentity:ServiceIdentity"


@dataclass(frozen=True)
class ServiceAgent:
    api: str
    role: str
    # The agent's email with `*` for the project number, as the allow-list matches it.
    member: str
    # pulumi-gcp modules whose resources call the API, so a plan that creates them uses it.
    modules: tuple[str, ...]


def _agent(api: str, role: str, domain: str, *modules: str) -> ServiceAgent:
    return ServiceAgent(api, role, f"serviceAccount:service-*@{domain}.iam.gserviceaccount.com", modules)


SERVICE_AGENTS: tuple[ServiceAgent, ...] = (
    _agent("aiplatform.googleapis.com", "roles/aiplatform.serviceAgent", "gcp-sa-aiplatform", "vertex"),
    _agent(
        "artifactregistry.googleapis.com",
        "roles/artifactregistry.serviceAgent",
        "gcp-sa-artifactregistry",
        "artifactregistry",
    ),
    _agent(
        "binaryauthorization.googleapis.com",
        "roles/binaryauthorization.serviceAgent",
        "gcp-sa-binaryauthorization",
        "binaryauthorization",
    ),
    _agent("cloudbuild.googleapis.com", "roles/cloudbuild.serviceAgent", "gcp-sa-cloudbuild", "cloudbuild"),
    _agent("compute.googleapis.com", "roles/compute.serviceAgent", "compute-system", "compute"),
    _agent("container.googleapis.com", "roles/container.serviceAgent", "container-engine-robot", "container"),
    _agent(
        "containeranalysis.googleapis.com",
        "roles/containeranalysis.ServiceAgent",
        "container-analysis",
        "containeranalysis",
    ),
    _agent("dataproc.googleapis.com", "roles/dataproc.serviceAgent", "dataproc-accounts", "dataproc"),
    # Created with the project's first Pub/Sub notification channel; it publishes the alerts.
    _agent(
        "monitoring.googleapis.com",
        "roles/monitoring.notificationServiceAgent",
        "gcp-sa-monitoring-notification",
        "monitoring",
    ),
    # Vertex AI Workbench instances are served by the Notebooks API.
    _agent("notebooks.googleapis.com", "roles/notebooks.serviceAgent", "gcp-sa-notebooks", "workbench", "notebooks"),
    _agent("pubsub.googleapis.com", "roles/pubsub.serviceAgent", "gcp-sa-pubsub", "pubsub"),
    _agent(
        "servicenetworking.googleapis.com",
        "roles/servicenetworking.serviceAgent",
        "service-networking",
        "servicenetworking",
    ),
)
_BY_MODULE = {module: agent.api for agent in SERVICE_AGENTS for module in agent.modules}


def _module(type_token: str) -> str:
    """`gcp:container/cluster:Cluster` -> `container`."""
    return type_token.split(":", 2)[1].split("/", 1)[0] if type_token.count(":") == 2 else ""


def apis_in_use(resources: Iterable[Resource], project: str) -> dict[str, set[str]]:
    """API -> what in the plan uses it in `project`: APIs it enables or makes an agent for
    (`projects.Service`, `projects.ServiceIdentity`) and APIs whose resources it creates there."""
    used: dict[str, set[str]] = {}
    for resource in resources:
        if resource.inputs.get("project") != project:
            continue
        if resource.type in (SERVICE, SERVICE_IDENTITY):
            api = resource.inputs.get("service")
            if isinstance(api, str) and api:
                used.setdefault(api, set()).add(resource.type)
        elif _module(resource.type) in _BY_MODULE:
            used.setdefault(_BY_MODULE[_module(resource.type)], set()).add(resource.type)
    return used


def agents_in_use(resources: Iterable[Resource], project: str) -> list[tuple[ServiceAgent, set[str]]]:
    """The agents Google grants a project role for the plan's APIs, with what uses each API."""
    used = apis_in_use(resources, project)
    return [(agent, used[agent.api]) for agent in SERVICE_AGENTS if agent.api in used]
