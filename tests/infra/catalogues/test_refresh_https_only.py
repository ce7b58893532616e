"""The catalogue refresh reads its sources over https only: no file:, ftp:, data: or plain http:."""

from __future__ import annotations

import urllib.error

import pytest

from infra.catalogues import refresh


@pytest.mark.parametrize("url", ["file:///etc/hostname", "http://127.0.0.1:9/v1/roles", "ftp://127.0.0.1/x"])
def test_a_source_that_is_not_https_is_refused_before_any_request(url: str) -> None:
    with pytest.raises(refresh.SourceUnreachableError, match=r": only https sources are read$"):
        refresh._get(url, "synthetic-token")


@pytest.mark.parametrize("url", ["file:///etc/hostname", "http://127.0.0.1:9/x", "ftp://127.0.0.1/x", "data:,x"])
def test_the_opener_has_no_handler_but_https(url: str) -> None:
    # What a redirect to another scheme meets: the opener refuses it without opening anything.
    with pytest.raises(urllib.error.URLError, match="unknown url type"):
        refresh._HTTPS.open(url, timeout=1)
