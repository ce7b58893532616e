"""Typed, validated stack configuration.

Every value a component needs comes from here, checked before any resource is created. A bad
value raises ConfigError naming the stack file, the key and the problem; `__main__.py` turns
that into one line on stderr and exit code 2.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from infra import placement as _placement
from infra.config_checks import region_problem
from infra.config_reader import NAMESPACE, ConfigError, Reader, parse_values
from infra.placement import Placement

__all__ = [
    "ANALYST_ROW_POLICY_PREFIX",
    "ENVIRONMENTS",
    "KEYS",
    "MAX_ROTATION_DAYS",
    "MIN_LOG_RETENTION_DAYS",
    "MIN_REPORT_RETENTION_DAYS",
    "NAMESPACE",
    "ConfigError",
    "NetworkRanges",
    "PlatformConfig",
    "build_config",
    "load_config",
    "row_policy_id",
]

# Defined with Placement, which refuses any other environment.
ENVIRONMENTS = _placement.ENVIRONMENTS
MAX_ROTATION_DAYS = 90
# Minimum retention of audit logs per environment; HIPAA asks for six years of documentation
# (45 CFR 164.316(b)(2)), which prod meets; lower environments hold synthetic data only.
MIN_LOG_RETENTION_DAYS = {"dev": 30, "staging": 365, "prod": 2190}
MIN_REPORT_RETENTION_DAYS = {"dev": 1, "staging": 365, "prod": 2190}
# Google refuses a proxy-only subnet smaller than a /26 (and recommends a /23).
MAX_PROXY_ONLY_PREFIX = 26

_PROJECT_ID = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")
_ACCESS_POLICY = re.compile(r"^[0-9]{6,20}$")
_GROUP = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
_REPO_PART = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
# Facility region codes as the warehouse stores them in `facility_region` (e.g. `northeast`). The
# pattern also keeps them safe to quote inside the row access policy's SQL predicate.
_FACILITY_REGION = re.compile(r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$")
# One `hipaa:analystRegions` entry: an analyst group's email, `=`, its comma-separated regions.
_ANALYST_REGIONS = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}=[^=]+$")


@dataclass(frozen=True)
class NetworkRanges:
    """The environment's private IPv4 ranges (RFC 1918, validated not to overlap)."""

    primary: str
    """Primary range of the private workload subnet (`hipaa:subnetCidr`)."""
    gke_pods: str
    """Secondary range of the subnet for GKE pods (`hipaa:gkePodsCidr`)."""
    gke_services: str
    """Secondary range of the subnet for GKE services (`hipaa:gkeServicesCidr`)."""
    gke_master: str
    """The /28 of the private GKE control plane (`hipaa:gkeMasterCidr`)."""
    private_service_access: str
    """Range reserved for private services access, Vertex AI's peering (`hipaa:privateServiceCidr`)."""
    build_pool: str
    """Range peered to the private Cloud Build worker pool (`hipaa:buildPoolCidr`)."""
    proxy_only: str
    """The proxy-only subnet of the region's Envoy-based load balancers: the internal Application Load
    Balancer in front of the API (`hipaa:proxyOnlyCidr`, at least a /26, Google recommends a /23)."""


@dataclass(frozen=True)
class PlatformConfig:
    """One stack's validated `hipaa:` configuration; HipaaPlatform builds every component's args from it."""

    stack: str
    """The Pulumi stack name (`dev`, `staging`, `prod`)."""
    environment: str
    """The environment, equal to the stack name (`hipaa:environment`)."""
    project_id: str
    """The project holding this environment's workloads and PHI (`hipaa:projectId`)."""
    security_project_id: str
    """The security project: the hipaa-deployments topic and Pulumi state (`hipaa:securityProjectId`)."""
    siem_project_id: str
    """The separate SIEM project that receives every audit log (`hipaa:siemProjectId`)."""
    region: str
    """The region of every regional resource (`hipaa:region`)."""
    access_policy_id: str
    """Numeric id of the organization's Access Context Manager policy (`hipaa:accessPolicyId`)."""
    ranges: NetworkRanges
    """The private IPv4 ranges of the network (`hipaa:*Cidr`)."""
    key_rotation_days: int
    """CMEK rotation period in days, at most 90 (`hipaa:keyRotationDays`)."""
    log_retention_days: int
    """Retention of audit and build logs in days, at least the environment's minimum (`hipaa:logRetentionDays`)."""
    report_retention_days: int
    """Retention of compliance reports in days, locked in prod (`hipaa:reportRetentionDays`)."""
    allowed_locations: tuple[str, ...]
    """Values of the gcp.resourceLocations org policy (`hipaa:allowedLocations`)."""
    repo_owner: str
    """GitHub owner of this repository, for the Cloud Build trigger (`hipaa:repoOwner`)."""
    repo_name: str
    """GitHub repository name, for the Cloud Build trigger (`hipaa:repoName`)."""
    analyst_group: str
    """Google group of analysts: de-identified data, row-level restricted (`hipaa:analystGroup`)."""
    engineer_group: str
    """Google group of data engineers: curated data, masked except MRNs (`hipaa:engineerGroup`)."""
    security_group: str
    """Google group of the security team (`hipaa:securityGroup`)."""
    approver_group: str
    """Google group that approves prod builds (`hipaa:approverGroup`)."""
    break_glass_group: str
    """The only group that may hold owner/editor/viewer on the project, for emergencies (`hipaa:breakGlassGroup`)."""
    reidentification_group: str
    """The only people who may read the encrypted PHI columns (MRN, SSN) in clear, through the re-identification
    procedure (`hipaa:reidentificationGroup`); it must not be the analyst or engineer group."""
    analyst_regions: tuple[tuple[str, tuple[str, ...]], ...]
    """Row-level security: each analyst group (nested in analyst_group, which holds the dataset access) and
    the facility regions whose rows it sees, in the order the stack file gives them (`hipaa:analystRegions`)."""
    source_ref: str = "refs/heads/main"
    """The git ref this run of the program comes from: in a pipeline build the ref it was triggered from
    (`HIPAA_SOURCE_BRANCH` / `HIPAA_SOURCE_TAG`, infra/delivery/source_ref.py), by hand main. The drift
    trigger checks out this ref, so the daily drift build previews what the last deploy applied."""

    @property
    def placement(self) -> Placement:
        """Environment, workload project and region: what nearly every component's args start from."""
        return Placement(environment=self.environment, project_id=self.project_id, region=self.region)

    @property
    def is_prod(self) -> bool:
        return self.placement.is_prod

    @property
    def rotation_period(self) -> str:
        """Rotation period in the KMS API's duration format, e.g. `7776000s`."""
        return f"{self.key_rotation_days * 86400}s"

    @property
    def labels(self) -> dict[str, str]:
        """The labels every labelable resource carries (defined by Placement)."""
        return self.placement.labels


def _analyst_regions(reader: Reader) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`GROUP=REGION[,REGION...]` entries: Pulumi's typed project config has arrays, not maps."""
    key = "analystRegions"
    groups: list[tuple[str, tuple[str, ...]]] = []
    policy_ids: dict[str, str] = {}
    for entry in reader.string_list(key, _ANALYST_REGIONS, "entry (expected GROUP_EMAIL=REGION[,REGION...])"):
        group, listed = entry.split("=", 1)
        regions = [region.strip() for region in listed.split(",")]
        for region in regions:
            if not _FACILITY_REGION.match(region):
                raise reader.fail(key, f"has an invalid facility region code for {group}: {region!r}")
        repeated = sorted({region for region in regions if regions.count(region) > 1})
        if repeated:
            raise reader.fail(key, f"lists a region of {group} more than once: {', '.join(repeated)}")
        policy_id = row_policy_id(group)
        if policy_id in policy_ids:
            raise reader.fail(key, f"gives {group} and {policy_ids[policy_id]} the same row policy id {policy_id}")
        policy_ids[policy_id] = group
        groups.append((group, tuple(regions)))
    return tuple(groups)


# Row access policies of analyst groups carry this prefix; rule BQ-13 requires their filters to restrict.
ANALYST_ROW_POLICY_PREFIX = "analysts_"


def row_policy_id(group: str) -> str:
    """The row access policy id of an analyst group: the prefix and the email in safe characters."""
    return ANALYST_ROW_POLICY_PREFIX + re.sub(r"[^a-z0-9]+", "_", group.lower()).strip("_")


def _reidentification_group(reader: Reader) -> str:
    """Decrypting identifiers is a duty of its own: the group that may do it reads nothing else by default."""
    key = "reidentificationGroup"
    group = reader.text(key, _GROUP, "group email")
    for other in ("analystGroup", "engineerGroup"):
        if group.lower() == str(reader.values.get(other, "")).lower():
            raise reader.fail(key, f"must differ from {NAMESPACE}:{other}")
    return group


def _rotation_problem(days: int) -> str | None:
    if days < 1:
        return "must be at least 1"
    if days > MAX_ROTATION_DAYS:
        return f"exceeds {MAX_ROTATION_DAYS}"
    return None


def _ranges(reader: Reader) -> NetworkRanges:
    keys = {
        "primary": "subnetCidr",
        "gke_pods": "gkePodsCidr",
        "gke_services": "gkeServicesCidr",
        "gke_master": "gkeMasterCidr",
        "private_service_access": "privateServiceCidr",
        "build_pool": "buildPoolCidr",
        "proxy_only": "proxyOnlyCidr",
    }
    parsed = {field: reader.network(key) for field, key in keys.items()}
    if parsed["gke_master"].prefixlen != 28:
        raise reader.fail(
            "gkeMasterCidr", f"must be a /28 (GKE control plane range), not a /{parsed['gke_master'].prefixlen}"
        )
    if parsed["proxy_only"].prefixlen > MAX_PROXY_ONLY_PREFIX:
        raise reader.fail("proxyOnlyCidr", f"must be a /{MAX_PROXY_ONLY_PREFIX} or larger (proxy-only subnet)")
    fields = list(keys)
    for i, first in enumerate(fields):
        for second in fields[i + 1 :]:
            if parsed[first].overlaps(parsed[second]):
                raise reader.fail(keys[second], f"overlaps {NAMESPACE}:{keys[first]}={parsed[first]}")
    return NetworkRanges(**{field: str(net) for field, net in parsed.items()})


def build_config(stack: str, raw: Mapping[str, Any]) -> PlatformConfig:
    """Validate raw `hipaa:` values (keys without the namespace) into a PlatformConfig."""
    reader = Reader(stack, parse_values(raw))
    reader.only_known_keys(KEYS)
    environment = reader.text("environment")
    if environment not in ENVIRONMENTS:
        raise reader.fail("environment", f"must be one of {', '.join(ENVIRONMENTS)}")
    if stack in ENVIRONMENTS and environment != stack:
        raise reader.fail("environment", f"does not match the stack name {stack}")
    projects = {
        key: reader.text(key, _PROJECT_ID, "GCP project id")
        for key in ("projectId", "securityProjectId", "siemProjectId")
    }
    if len(set(projects.values())) != 3:
        raise reader.fail("siemProjectId", "must differ from projectId and securityProjectId")
    log_minimum = MIN_LOG_RETENTION_DAYS[environment]
    report_minimum = MIN_REPORT_RETENTION_DAYS[environment]
    return PlatformConfig(
        stack=stack,
        environment=environment,
        project_id=projects["projectId"],
        security_project_id=projects["securityProjectId"],
        siem_project_id=projects["siemProjectId"],
        region=reader.checked("region", region_problem),
        access_policy_id=reader.text("accessPolicyId", _ACCESS_POLICY, "numeric access policy id"),
        ranges=_ranges(reader),
        key_rotation_days=reader.integer("keyRotationDays", _rotation_problem),
        log_retention_days=reader.integer(
            "logRetentionDays",
            lambda d: f"is below the {environment} minimum of {log_minimum}" if d < log_minimum else None,
        ),
        report_retention_days=reader.integer(
            "reportRetentionDays",
            lambda d: f"is below the {environment} minimum of {report_minimum}" if d < report_minimum else None,
        ),
        allowed_locations=reader.locations("allowedLocations"),
        repo_owner=reader.text("repoOwner", _REPO_PART, "repository owner"),
        repo_name=reader.text("repoName", _REPO_PART, "repository name"),
        analyst_group=reader.text("analystGroup", _GROUP, "group email"),
        engineer_group=reader.text("engineerGroup", _GROUP, "group email"),
        security_group=reader.text("securityGroup", _GROUP, "group email"),
        approver_group=reader.text("approverGroup", _GROUP, "group email"),
        break_glass_group=reader.text("breakGlassGroup", _GROUP, "group email"),
        reidentification_group=_reidentification_group(reader),
        analyst_regions=_analyst_regions(reader),
    )


def load_config() -> PlatformConfig:
    """Read every key of the current stack's `hipaa:` namespace through pulumi.Config and validate it.

    Every key, not only the declared ones: a misspelled key next to the right one is refused, not
    ignored. The SDK keeps config set by the engine or the mock runner (`set_all_config`) in
    `pulumi.runtime.config.CONFIG` and reads the rest from `PULUMI_CONFIG`; both are listed.
    """
    import pulumi
    from pulumi.runtime import config as runtime_config

    prefix = f"{NAMESPACE}:"
    names = {*runtime_config.CONFIG.get(), *runtime_config.get_config_env()}
    config = pulumi.Config(NAMESPACE)
    raw: dict[str, Any] = {}
    for key in sorted({*KEYS, *(name[len(prefix) :] for name in names if name.startswith(prefix))}):
        value = config.get(key)
        if value is not None:
            raw[key] = value
    return _with_source_ref(build_config(pulumi.get_stack(), raw), os.environ)


def _with_source_ref(config: PlatformConfig, environ: Mapping[str, str]) -> PlatformConfig:
    """The config with the ref the build runs from (not stack config: it changes with every release)."""
    from infra.delivery.source_ref import source_ref

    try:
        return dataclasses.replace(config, source_ref=source_ref(config.environment, environ))
    except ValueError as error:
        raise ConfigError(f"environment of the {config.stack} build: {error}") from None


# Every key the project declares; Pulumi.yaml's config block must list exactly these.
KEYS = (
    "environment",
    "projectId",
    "securityProjectId",
    "siemProjectId",
    "region",
    "accessPolicyId",
    "subnetCidr",
    "gkePodsCidr",
    "gkeServicesCidr",
    "gkeMasterCidr",
    "privateServiceCidr",
    "buildPoolCidr",
    "proxyOnlyCidr",
    "keyRotationDays",
    "logRetentionDays",
    "reportRetentionDays",
    "allowedLocations",
    "repoOwner",
    "repoName",
    "analystGroup",
    "engineerGroup",
    "securityGroup",
    "approverGroup",
    "breakGlassGroup",
    "reidentificationGroup",
    "analystRegions",
)
