"""`python -m hipaa_api.healthcheck`: the image's HEALTHCHECK over TLS 1.3 (distroless has no curl or shell)."""

from __future__ import annotations

import os
import sys
import urllib.request
from urllib.error import URLError

from hipaa_api.tls import LOOPBACK_NAME, client_context


def main() -> int:
    port = os.environ.get("HIPAA_API_PORT", "8443")
    url = f"https://{LOOPBACK_NAME}:{port}/healthz"
    try:
        # TLS 1.3 to the server's own certificate (it names localhost); a missing certificate fails too.
        context = client_context()
        with urllib.request.urlopen(url, timeout=2, context=context) as response:  # nosec B310 - fixed loopback URL
            return 0 if response.status == 200 else 1
    except (URLError, OSError):
        return 1


if __name__ == "__main__":
    sys.exit(main())
