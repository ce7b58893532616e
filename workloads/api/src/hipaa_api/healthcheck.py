"""`python -m hipaa_api.healthcheck`: the image's HEALTHCHECK (distroless has no curl or shell)."""

from __future__ import annotations

import os
import sys
import urllib.request
from urllib.error import URLError


def main() -> int:
    port = os.environ.get("HIPAA_API_PORT", "8080")
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # nosec B310 - fixed loopback http URL
            return 0 if response.status == 200 else 1
    except (URLError, OSError):
        return 1


if __name__ == "__main__":
    sys.exit(main())
