"""TLS rules: each fails on the resource that breaks it, and passes the platform's own SSL policy."""

from __future__ import annotations

import pytest

from infra.rules import Resource, evaluate
from infra.rules.tls import (
    HTTP_PROXY,
    HTTPS_PROXY,
    REGION_HTTP_PROXY,
    REGION_HTTPS_PROXY,
    REGION_SSL_POLICY,
    RULES,
    SSL_POLICY,
    SSL_PROXY,
)


def ids(resources: list[Resource]) -> set[str]:
    return {f.rule_id for f in evaluate(resources, "prod", RULES)}


def policy(kind: str = REGION_SSL_POLICY, **inputs: object) -> Resource:
    return Resource(kind, "policy", f"urn:{kind}", {"name": "p", **inputs})


@pytest.mark.parametrize("kind", [SSL_POLICY, REGION_SSL_POLICY])
def test_a_tls_1_3_restricted_policy_passes(kind: str) -> None:
    assert ids([policy(kind, minTlsVersion="TLS_1_3", profile="RESTRICTED")]) == set()


@pytest.mark.parametrize(
    "inputs",
    [
        {"minTlsVersion": "TLS_1_2", "profile": "RESTRICTED"},
        {"minTlsVersion": "TLS_1_2", "profile": "MODERN"},
        {"minTlsVersion": "TLS_1_3", "profile": "COMPATIBLE"},
        {"profile": "RESTRICTED"},  # unset minimum: the API's default, TLS 1.0
        {"minTlsVersion": "TLS_1_3"},  # unset profile: COMPATIBLE
    ],
)
@pytest.mark.parametrize("kind", [SSL_POLICY, REGION_SSL_POLICY])
def test_a_policy_below_tls_1_3_or_not_restricted_fails(kind: str, inputs: dict[str, str]) -> None:
    assert ids([policy(kind, **inputs)]) == {"TLS-01"}


@pytest.mark.parametrize("kind", [HTTPS_PROXY, REGION_HTTPS_PROXY, SSL_PROXY])
def test_a_tls_proxy_without_an_ssl_policy_fails(kind: str) -> None:
    bare = Resource(kind, "proxy", f"urn:{kind}", {"name": "proxy"})
    assert ids([bare]) == {"TLS-02"}
    with_policy = Resource(
        kind, "proxy", f"urn:{kind}", {"name": "proxy", "sslPolicy": "projects/p/global/sslPolicies/x"}
    )
    assert ids([with_policy]) == set()


@pytest.mark.parametrize("kind", [HTTP_PROXY, REGION_HTTP_PROXY])
def test_any_plain_http_proxy_fails(kind: str) -> None:
    assert ids([Resource(kind, "proxy", f"urn:{kind}", {"name": "redirect"})]) == {"TLS-03"}
