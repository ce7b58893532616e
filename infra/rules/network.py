"""Rules for the VPC: private by construction, no way to the internet, every decision logged."""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Iterable
from typing import Any

from infra.rules import Context, Resource, Rule, dig
from infra.rules.baseline import FIREWALL_LOG_METADATA, INTERNET_GATEWAY, RESTRICTED_VIP_RANGE

NETWORK = "gcp:compute/network:Network"
SUBNET = "gcp:compute/subnetwork:Subnetwork"
ROUTE = "gcp:compute/route:Route"
FIREWALL = "gcp:compute/firewall:Firewall"
GLOBAL_ADDRESS = "gcp:compute/globalAddress:GlobalAddress"
ROUTER_NAT = "gcp:compute/routerNat:RouterNat"
DNS_ZONE = "gcp:dns/managedZone:ManagedZone"
DNS_POLICY = "gcp:dns/policy:Policy"
PSA_CONNECTION = "gcp:servicenetworking/connection:Connection"
PRODUCER_VPC_SC = "gcp:servicenetworking/vpcServiceControls:VpcServiceControls"
TRANSMISSION = "45 CFR 164.312(e)(1)"
ACCESS = "45 CFR 164.312(a)(1)"
AUDIT = "45 CFR 164.312(b)"


def _prefix(cidr: object) -> int | None:
    """The prefix length of a CIDR, or None when it is not one (and so cannot be checked)."""
    try:
        return ipaddress.ip_network(str(cidr), strict=False).prefixlen
    except ValueError:
        return None


def _is_everywhere(cidr: object) -> bool:
    """0.0.0.0/0, ::/0 or anything written to mean them (a /0 of either family)."""
    return _prefix(cidr) == 0


def _number(value: object) -> float:
    """A numeric input, or 0 when it is missing or not a finite number (so a check fails closed)."""
    try:
        number = float(str(value))
    except ValueError:
        return 0.0
    return number if math.isfinite(number) else 0.0


def custom_mode(resource: Resource, _: Context) -> str | None:
    if resource.inputs.get("autoCreateSubnetworks") is not False:
        return "network is in auto mode (autoCreateSubnetworks is not false): subnets appear in every region"
    return None


def no_internet_route(resource: Resource, _: Context) -> str | None:
    if resource.type == NETWORK:
        if resource.inputs.get("deleteDefaultRoutesOnCreate") is not True:
            return "network keeps the default route to the internet (deleteDefaultRoutesOnCreate is not true)"
        return None
    gateway = str(resource.inputs.get("nextHopGateway") or "")
    destination = str(resource.inputs.get("destRange") or "")
    if gateway.endswith(INTERNET_GATEWAY) and destination != RESTRICTED_VIP_RANGE:
        return f"route sends {destination or 'unset range'} to the internet gateway (only {RESTRICTED_VIP_RANGE} may)"
    return None


# Subnets that hold only Google's load balancer proxies: no VM runs there, and Google offers neither
# Private Google Access nor VPC flow logs on them.
PROXY_ONLY_PURPOSES = ("REGIONAL_MANAGED_PROXY", "GLOBAL_MANAGED_PROXY")


def _proxy_only(resource: Resource) -> bool:
    return resource.inputs.get("purpose") in PROXY_ONLY_PURPOSES


def private_google_access(resource: Resource, _: Context) -> str | None:
    if _proxy_only(resource):
        return None
    if resource.inputs.get("privateIpGoogleAccess") is not True:
        return "subnet has no Private Google Access: private workloads cannot reach Google APIs privately"
    return None


def flow_logs(resource: Resource, context: Context) -> str | None:
    if _proxy_only(resource):
        return None
    log = resource.inputs.get("logConfig") or {}
    if not log:
        return "subnet has no VPC flow logs"
    problems = []
    if log.get("metadata") != "INCLUDE_ALL_METADATA":
        problems.append(f"metadata {log.get('metadata') or 'unset'}")
    if log.get("aggregationInterval") != "INTERVAL_5_SEC":
        problems.append(f"aggregation {log.get('aggregationInterval') or 'unset'}")
    sampling = _number(log.get("flowSampling"))
    if sampling <= 0 or (context.is_prod and sampling < 1.0):
        problems.append(f"sampling {sampling}{' (prod needs 1.0)' if context.is_prod else ''}")
    return f"flow logs incomplete: {', '.join(problems)}" if problems else None


def no_open_allow(resource: Resource, _: Context) -> str | None:
    if not resource.inputs.get("allows"):
        return None  # deny rules may (and the defaults must) name 0.0.0.0/0
    field = "destinationRanges" if resource.inputs.get("direction") == "EGRESS" else "sourceRanges"
    ranges = resource.inputs.get(field)
    if field == "destinationRanges" and not ranges:
        return "egress allow rule names no destination, so it allows every destination"
    if any(_is_everywhere(cidr) for cidr in ranges or []):
        return f"allow rule opens {field} to 0.0.0.0/0"
    unreadable = [str(cidr) for cidr in ranges or [] if _prefix(cidr) is None]
    return f"allow rule {field} cannot be checked, not CIDRs: {unreadable}" if unreadable else None


def firewall_logging(resource: Resource, _: Context) -> str | None:
    metadata = dig(resource.inputs, "logConfig.metadata")
    if metadata != FIREWALL_LOG_METADATA:
        return f"firewall rule is not logged with all metadata (logConfig.metadata is {metadata or 'unset'})"
    return None


def _names_network(firewall: Resource, network: Resource) -> bool:
    name = str(network.inputs.get("name") or network.name)
    reference = str(firewall.inputs.get("network") or "")
    return reference == name or reference.endswith(f"/networks/{name}")


def _denies_everything(firewall: Resource, direction: str) -> bool:
    inputs = firewall.inputs
    field = "destinationRanges" if direction == "EGRESS" else "sourceRanges"
    denies: Iterable[Any] = inputs.get("denies") or []
    return (
        inputs.get("direction") == direction
        and inputs.get("disabled") is not True
        and any(d.get("protocol") == "all" for d in denies)
        and any(_is_everywhere(cidr) for cidr in inputs.get(field) or [])
        and dig(inputs, "logConfig.metadata") == FIREWALL_LOG_METADATA
    )


def _deny_all_per_network(context: Context, direction: str) -> list[str]:
    firewalls = context.of_type(FIREWALL)
    return [
        f"network {network.inputs.get('name') or network.name} has no logged deny-all {direction.lower()} rule"
        for network in context.of_type(NETWORK)
        if not any(_names_network(f, network) and _denies_everything(f, direction) for f in firewalls)
    ]


def egress_deny_all(context: Context) -> list[str]:
    return _deny_all_per_network(context, "EGRESS")


def ingress_deny_all(context: Context) -> list[str]:
    return _deny_all_per_network(context, "INGRESS")


def private_zone(resource: Resource, _: Context) -> str | None:
    if resource.inputs.get("visibility") != "private":
        return f"DNS zone {resource.inputs.get('dnsName')} is {resource.inputs.get('visibility') or 'public'}"
    if not dig(resource.inputs, "privateVisibilityConfig.networks"):
        return "private DNS zone is bound to no network"
    return None


def dns_policy_logged(resource: Resource, _: Context) -> str | None:
    problems = []
    if resource.inputs.get("enableLogging") is not True:
        problems.append("query logging off")
    if resource.inputs.get("enableInboundForwarding") is not False:
        problems.append("inbound forwarding not disabled")
    return "; ".join(problems) or None


def no_nat(_resource: Resource, _context: Context) -> str | None:
    return "Cloud NAT gives private workloads a way to the internet"


def producer_network_restricted(context: Context) -> list[str]:
    enabled = [r for r in context.of_type(PRODUCER_VPC_SC) if r.inputs.get("enabled") is True]
    if context.of_type(PSA_CONNECTION) and not enabled:
        return ["private services peering has no VPC Service Controls on the producer network"]
    return []


def peering_ranges_internal(resource: Resource, _: Context) -> str | None:
    if resource.inputs.get("purpose") == "VPC_PEERING" and resource.inputs.get("addressType") != "INTERNAL":
        return "private services range is not INTERNAL"
    return None


RULES = [
    Rule("NET-01", TRANSMISSION, "VPC is custom mode: subnets exist only where declared", (NETWORK,), custom_mode),
    Rule(
        "NET-02",
        TRANSMISSION,
        "no route to the internet: default route deleted, only the restricted VIP leaves the VPC",
        (NETWORK, ROUTE),
        no_internet_route,
    ),
    Rule("NET-03", TRANSMISSION, "subnets reach Google APIs privately (PGA)", (SUBNET,), private_google_access),
    Rule("NET-04", AUDIT, "subnets keep VPC flow logs (5 s, all metadata, every flow in prod)", (SUBNET,), flow_logs),
    Rule("NET-05", TRANSMISSION, "no firewall allow rule is open to 0.0.0.0/0", (FIREWALL,), no_open_allow),
    Rule("NET-06", AUDIT, "every firewall rule is logged with all metadata", (FIREWALL,), firewall_logging),
    Rule("NET-07", TRANSMISSION, "every VPC denies all other egress, logged", stack_check=egress_deny_all),
    Rule("NET-08", ACCESS, "every VPC denies all other ingress explicitly, logged", stack_check=ingress_deny_all),
    Rule("NET-09", TRANSMISSION, "DNS zones are private to the VPC", (DNS_ZONE,), private_zone),
    Rule("NET-10", AUDIT, "DNS queries are logged; no inbound forwarding", (DNS_POLICY,), dns_policy_logged),
    Rule("NET-11", TRANSMISSION, "no Cloud NAT: nothing may reach the internet", (ROUTER_NAT,), no_nat),
    Rule(
        "NET-12",
        TRANSMISSION,
        "the peered producer network (Vertex AI, build pool) is restricted like the VPC",
        stack_check=producer_network_restricted,
    ),
    Rule("NET-13", ACCESS, "private services ranges are internal", (GLOBAL_ADDRESS,), peering_ranges_internal),
]
