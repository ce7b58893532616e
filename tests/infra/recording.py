"""Build one component under Pulumi's mock engine and keep every resource it registered."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pulumi
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from infra.config import PlatformConfig, build_config
from infra.mockrun import PlanMocks
from infra.rules import Resource
from tests.infra.test_config import raw

# A real P-256 public key generated for tests; its private half was discarded at generation.
TEST_PEM = (
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE5h8zm+fy3Jrq9ngTjN12ZIors01Q\n"
    "TQltkTOHFQy5l6Bz+NgYxOtXE/HL+fWe7YgSsolrirRoqvEF24Q66tzvew==\n"
    "-----END PUBLIC KEY-----\n"
)
KEY_VERSION_CALL = "gcp:kms/getKMSCryptoKeyVersion:getKMSCryptoKeyVersion"


class RecordingMocks(PlanMocks):
    def __init__(self, pem: str | None = TEST_PEM) -> None:
        self.resources: list[Resource] = []
        self.pem = pem

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        self.resources.append(Resource(args.typ, args.name, f"urn:{args.typ}::{args.name}", dict(args.inputs)))
        return super().new_resource(args)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        if args.token == KEY_VERSION_CALL:
            keys = [{"algorithm": "EC_SIGN_P256_SHA256", "pem": self.pem}] if self.pem else []
            return {**args.args, "publicKeys": keys, "algorithm": "EC_SIGN_P256_SHA256"}, []
        return super().call(args)


def config_for(environment: str) -> PlatformConfig:
    return build_config(environment, raw(environment))


def record(build: Callable[[], object], pem: str | None = TEST_PEM) -> list[Resource]:
    """Run `build` (which creates components) to completion; return what it registered."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    mocks = RecordingMocks(pem)
    pulumi.runtime.set_mocks(mocks, project="hipaa", stack="test", preview=False)
    pulumi.runtime.settings.SETTINGS.rpc_manager.clear()
    # set_mocks keeps the tracked outputs of earlier runs; a failed build leaves some that never resolve.
    pulumi.runtime.settings.SETTINGS.outputs.clear()

    def run() -> None:
        build()

    try:
        _sync_await(run_pulumi_func(run))
    finally:
        retire_loop(loop)
    return mocks.resources


def retire_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what a build left pending (a failed build leaves registrations waiting) and give later
    tests a fresh loop: a stale registration resumed by a later run would hang it forever."""
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.close()
    asyncio.set_event_loop(asyncio.new_event_loop())


def only(resources: list[Resource], type_token: str) -> Resource:
    matches = [r for r in resources if r.type == type_token]
    assert len(matches) == 1, f"expected one {type_token}, found {len(matches)}"
    return matches[0]


def of_type(resources: list[Resource], type_token: str) -> list[Resource]:
    return [r for r in resources if r.type == type_token]
