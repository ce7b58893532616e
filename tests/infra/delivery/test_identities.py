"""DeliveryIdentities: the exact roles of the build and deployer accounts, written out so a change shows here.

identities.py keeps each role with the step that needs it; these lists are the reviewed copy. A role
added, dropped or swapped there fails here until the review changes this list too.
"""

from __future__ import annotations

from tests.infra.delivery.builders import built_delivery
from tests.infra.recording import of_type

PROJECT_MEMBER = "gcp:projects/iAMMember:IAMMember"
SA_MEMBER = "gcp:serviceaccount/iAMMember:IAMMember"
BUILD = "serviceAccount:hipaa-prod-cloudbuild@nwh-analytics-prd.iam.gserviceaccount.com"
DEPLOYER = "serviceAccount:hipaa-prod-deployer@nwh-analytics-prd.iam.gserviceaccount.com"


def roles(member: str, project: str = "nwh-analytics-prd") -> list[str]:
    grants = of_type(list(built_delivery("prod")), PROJECT_MEMBER)
    return sorted(g.inputs["role"] for g in grants if (g.inputs["member"], g.inputs["project"]) == (member, project))


def test_build_account_holds_exactly_these_project_roles() -> None:
    assert roles(BUILD) == [
        "roles/aiplatform.user",
        "roles/artifactregistry.writer",
        "roles/bigquery.jobUser",
        "roles/bigquery.metadataViewer",
        "roles/binaryauthorization.attestorsViewer",
        "roles/cloudbuild.builds.viewer",
        "roles/cloudbuild.workerPoolUser",
        "roles/cloudkms.viewer",
        "roles/compute.storageAdmin",
        "roles/compute.viewer",
        "roles/container.developer",
        "roles/containeranalysis.occurrences.editor",
        "roles/dataproc.editor",
        "roles/iam.securityReviewer",
        "roles/logging.logWriter",
        "roles/logging.viewer",
        "roles/monitoring.alertPolicyEditor",
        "roles/monitoring.viewer",
        "roles/orgpolicy.policyViewer",
        "roles/serviceusage.serviceUsageConsumer",
    ]


def test_build_account_only_reads_logs_in_the_siem_project() -> None:
    assert roles(BUILD, "nwh-siem-prd") == ["roles/logging.viewer"]


def test_deployer_holds_exactly_these_project_roles() -> None:
    assert roles(DEPLOYER) == [
        "roles/aiplatform.admin",
        "roles/artifactregistry.admin",
        "roles/bigquery.admin",
        "roles/bigquerydatapolicy.admin",
        "roles/binaryauthorization.attestorsAdmin",
        "roles/binaryauthorization.policyEditor",
        "roles/cloudbuild.builds.editor",
        "roles/cloudbuild.workerPoolOwner",
        "roles/cloudkms.admin",
        "roles/compute.networkAdmin",
        "roles/compute.securityAdmin",
        "roles/container.admin",
        "roles/containeranalysis.notes.editor",
        "roles/datacatalog.admin",
        "roles/dataproc.admin",
        "roles/dns.admin",
        "roles/iam.serviceAccountAdmin",
        "roles/iam.serviceAccountUser",
        "roles/logging.configWriter",
        "roles/monitoring.admin",
        "roles/notebooks.admin",
        "roles/pubsub.admin",
        "roles/resourcemanager.projectIamAdmin",
        "roles/secretmanager.admin",
        "roles/servicenetworking.networksAdmin",
        "roles/serviceusage.serviceUsageAdmin",
        "roles/storage.admin",
    ]


def test_build_account_acts_as_each_named_account_as_its_user_only() -> None:
    grants = [
        g.inputs
        for g in of_type(list(built_delivery("prod")), SA_MEMBER)
        if g.name.startswith("delivery-iam-build-act-as-")
    ]
    assert grants == [
        {
            "serviceAccountId": "projects/nwh-analytics-prd/serviceAccounts/dataproc@x.iam.gserviceaccount.com",
            "role": "roles/iam.serviceAccountUser",
            "member": BUILD,
        }
    ]
