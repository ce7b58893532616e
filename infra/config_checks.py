"""The checks behind infra/config.py that need more than a pattern: each returns what is wrong, in words.

Plain functions over one value, no Pulumi: a problem is a phrase that follows `hipaa:key=value` in
the one-line error (`... has host bits set; the network is 10.30.0.0/20`), None when the value is fine.
"""

from __future__ import annotations

import difflib
import ipaddress
from collections.abc import Iterable

from infra.locations import LOCATION_GROUPS, REGIONS, ZONES

RFC1918 = tuple(ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
_RFC1918_TEXT = ", ".join(str(n) for n in RFC1918)


def closest(value: str, known: Iterable[str], cutoff: float = 0.75) -> str | None:
    """The known spelling nearest to `value`, when one is near enough to be what was meant."""
    matches = difflib.get_close_matches(value, list(known), n=1, cutoff=cutoff)
    return matches[0] if matches else None


def unknown_key_problem(key: str, known: Iterable[str], namespace: str) -> str:
    suggestion = closest(key, known)
    hint = f"did you mean {namespace}:{suggestion}?" if suggestion else "Pulumi.yaml declares every key"
    return f"is not a key of this project; {hint}"


def region_problem(value: str) -> str | None:
    if value in REGIONS:
        return None
    if value in ZONES:
        return f"is a zone, not a region (its region is {ZONES[value]})"
    suggestion = closest(value, REGIONS)
    return "is not a Google Cloud region" + (f"; did you mean {suggestion}?" if suggestion else "")


def location_problem(value: str) -> str | None:
    """A value of the resource locations constraint: a region, a zone or an `in:` location group."""
    if value in REGIONS or value in ZONES or value in LOCATION_GROUPS:
        return None
    if value.startswith("in:"):
        # Groups share `in:` and `-locations`; only a near-identical one is a likely typo.
        suggestion = closest(value, LOCATION_GROUPS, cutoff=0.9)
        hint = f"; did you mean {suggestion}?" if suggestion else " (e.g. in:us-locations, in:us-central1-locations)"
        return f"has {value}, which is not a location group{hint}"
    region, _, letter = value.rpartition("-")
    if region in REGIONS and len(letter) == 1:
        return f"has {value}, which is not a zone of {region} (its zones end in {', '.join(REGIONS[region])})"
    suggestion = closest(value, [*REGIONS, *ZONES])
    hint = f"; did you mean {suggestion}?" if suggestion else " (or an in: group such as in:us-locations)"
    return f"has {value}, which is neither a Google Cloud region nor a zone{hint}"


def cidr_problem(value: str) -> tuple[ipaddress.IPv4Network | None, str | None]:
    """(network, None) for a private IPv4 CIDR written as its network; (None, problem) otherwise."""
    address, slash, prefix = value.partition("/")
    if not slash:
        return None, "has no prefix length; write it as A.B.C.D/N"
    if ":" in address:
        return None, "is an IPv6 range; the platform's ranges are IPv4"
    if not prefix.isdigit():
        return None, f"has prefix length /{prefix}, not a number"
    if int(prefix) > 32:
        return None, f"has prefix length /{prefix}; an IPv4 prefix is /0 to /32"
    try:
        ipaddress.IPv4Address(address)
    except ValueError:
        return None, f"has {address}, which is not an IPv4 address (A.B.C.D)"
    network = ipaddress.IPv4Network(value, strict=False)
    if str(network.network_address) != address:
        return None, f"has host bits set; the network is {network}"
    if not any(network.subnet_of(private) for private in RFC1918):
        return None, f"is not inside an RFC 1918 private range ({_RFC1918_TEXT})"
    return network, None
