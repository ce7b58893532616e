"""No test id looks like an e-mail address: ids are written to junit.xml, which the PHI gate scans."""

from __future__ import annotations

import pytest

from tests.conftest import EMAIL_IN_ID, pytest_make_parametrize_id


def test_no_collected_test_id_holds_an_email_shaped_string(request: pytest.FixtureRequest) -> None:
    ids = [item.nodeid for item in request.session.items]
    assert ids  # in make test: the whole suite (each xdist worker collects all of it)
    assert [i for i in ids if EMAIL_IN_ID.search(i)] == []


def test_the_id_hook_rewrites_only_email_shaped_strings(request: pytest.FixtureRequest) -> None:
    config = request.config
    assert pytest_make_parametrize_id(config, "group:a@example.com", "member") == "group:a-at-example.com"
    assert pytest_make_parametrize_id(config, "service-*@x.iam.gserviceaccount.com", "m") == (
        "service-*-at-x.iam.gserviceaccount.com"
    )
    assert pytest_make_parametrize_id(config, "no address here", "m") is None
    assert pytest_make_parametrize_id(config, 5, "m") is None
