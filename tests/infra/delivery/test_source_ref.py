"""The ref a build runs the program from: the drift trigger checks out the ref the last deploy built."""

from __future__ import annotations

import pytest

from infra.config import ConfigError, _with_source_ref
from infra.delivery.source_ref import (
    DEFAULT_SOURCE_REF,
    SOURCE_BRANCH_ENV,
    SOURCE_TAG_ENV,
    release_ref_problem,
    source_ref,
)
from tests.infra.recording import config_for


def test_a_run_by_hand_follows_main() -> None:
    assert source_ref("prod", {}) == DEFAULT_SOURCE_REF
    assert source_ref("prod", {SOURCE_BRANCH_ENV: " ", SOURCE_TAG_ENV: ""}) == DEFAULT_SOURCE_REF


@pytest.mark.parametrize(
    ("environment", "environ", "ref"),
    [
        ("dev", {SOURCE_BRANCH_ENV: "main"}, "refs/heads/main"),
        ("staging", {SOURCE_TAG_ENV: "v1.4.0-rc.2"}, "refs/tags/v1.4.0-rc.2"),
        ("prod", {SOURCE_TAG_ENV: "v1.4.0", SOURCE_BRANCH_ENV: ""}, "refs/tags/v1.4.0"),
    ],
)
def test_a_build_runs_from_the_ref_its_environment_deploys(environment: str, environ: dict[str, str], ref: str) -> None:
    assert source_ref(environment, environ) == ref
    assert release_ref_problem(environment, ref) is None


@pytest.mark.parametrize(
    ("environment", "environ", "message"),
    [
        ("prod", {SOURCE_TAG_ENV: "v1.4.0-rc.2"}, "HIPAA_SOURCE_TAG: refs/tags/v1.4.0-rc.2 is neither"),
        ("dev", {SOURCE_BRANCH_ENV: "feature/x"}, "HIPAA_SOURCE_BRANCH: refs/heads/feature/x is neither"),
        ("staging", {SOURCE_BRANCH_ENV: "main", SOURCE_TAG_ENV: "v1.0.0-rc.1"}, "are both set"),
    ],
)
def test_any_other_ref_is_refused(environment: str, environ: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        source_ref(environment, environ)


def test_the_config_carries_the_ref_and_refuses_a_wrong_one_in_one_line() -> None:
    config = config_for("prod")
    assert config.source_ref == DEFAULT_SOURCE_REF
    assert _with_source_ref(config, {SOURCE_TAG_ENV: "v2.0.1"}).source_ref == "refs/tags/v2.0.1"
    with pytest.raises(ConfigError, match="environment of the prod build: HIPAA_SOURCE_BRANCH"):
        _with_source_ref(config, {SOURCE_BRANCH_ENV: "main-ish"})
