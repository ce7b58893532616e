"""The network a private-pool build sees: Artifact Registry's PyPI mirror, and nothing else.

An Artifact Registry remote repository proxies its upstream and keeps what it served. This one does
the same behind a local HTTPS proxy: steps get HTTPS_PROXY and a CA bundle that trusts this run's
own certificate authority, so `https://REGION-python.pkg.dev/...` (the address the build names,
unchanged) reaches a local server with a certificate for that host. `.../simple/<project>/` is
PyPI's simple page with its file links pointing back at the mirror, `.../files/<path>` the file
from files.pythonhosted.org; both are kept in a cache directory that outlives the run, so a second
simulation installs from local disk. A CONNECT to any other host is refused: the pool has no route
to the internet. The steps' pip runs for real.
"""

from __future__ import annotations

import re
import ssl
import subprocess
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

UPSTREAM_INDEX = "https://pypi.org/simple/"
UPSTREAM_FILES = "https://files.pythonhosted.org/"
DEFAULT_CACHE = Path.home() / ".cache" / "hipaa-pipeline-simulate" / "pypi"
SYSTEM_CA = Path("/etc/ssl/certs/ca-certificates.crt")
_MIRROR_HOST = re.compile(r"^[a-z0-9-]+-python\.pkg\.dev$")
_PROJECT = re.compile(r"^/(?:.*/)?simple/([A-Za-z0-9._-]+)/?$")


def _fetch(url: str, target: Path) -> bytes:
    if target.exists():
        return target.read_bytes()
    request = urllib.request.Request(  # noqa: S310 - fixed https upstreams
        url, headers={"Accept": "text/html", "User-Agent": "hipaa-simulate-mirror"}
    )
    with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310  # nosec B310 - fixed https upstreams
        data: bytes = response.read()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{threading.get_ident()}.part")
    partial.write_bytes(data)
    partial.replace(target)
    return data


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def certificates(directory: Path, host: str) -> tuple[Path, Path, Path]:
    """A CA, a certificate for `host` signed by it, and a bundle of the system CAs plus this CA."""
    directory.mkdir(parents=True, exist_ok=True)
    ca_key, ca, key, csr, cert = (directory / n for n in ("ca.key", "ca.pem", "host.key", "host.csr", "host.pem"))
    _openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        str(ca_key),
        "-out",
        str(ca),
        "-days",
        "2",
        "-subj",
        "/CN=simulated private pool network CA",
    )
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(csr), "-subj", f"/CN={host}")
    extensions = directory / "san.cnf"
    extensions.write_text(f"subjectAltName=DNS:{host}\n", encoding="utf-8")
    _openssl(
        "x509",
        "-req",
        "-in",
        str(csr),
        "-CA",
        str(ca),
        "-CAkey",
        str(ca_key),
        "-CAcreateserial",
        "-out",
        str(cert),
        "-days",
        "2",
        "-extfile",
        str(extensions),
    )
    bundle = directory / "bundle.pem"
    bundle.write_text(
        (SYSTEM_CA.read_text(encoding="utf-8") if SYSTEM_CA.exists() else "") + ca.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    return cert, key, bundle


class Mirror:
    def __init__(self, certs: Path, region: str, cache: Path = DEFAULT_CACHE) -> None:
        self.cache = cache
        self.host = f"{region}-python.pkg.dev"
        cert, key, self.bundle = certificates(certs, self.host)
        self.tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.tls.load_cert_chain(cert, key)
        self.refused: list[str] = []
        mirror = self

        class Handler(BaseHTTPRequestHandler):
            def do_CONNECT(self) -> None:  # pylint: disable=invalid-name  # http.server calls do_<METHOD>
                host = self.path.rsplit(":", 1)[0]
                if not _MIRROR_HOST.match(host):
                    mirror.refused.append(host)
                    self.send_error(403, "no route from the private pool")
                    return
                self.send_response(200, "Connection established")
                self.end_headers()
                try:
                    tunnel = mirror.tls.wrap_socket(self.connection, server_side=True)
                except (ssl.SSLError, OSError):
                    return
                Handler(tunnel, self.client_address, self.server)
                self.close_connection = True

            def do_GET(self) -> None:  # pylint: disable=invalid-name  # http.server calls do_<METHOD>
                try:
                    body, kind = mirror.answer(self.path)
                except (OSError, ValueError) as error:
                    self.send_error(404, str(error)[:200])
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def proxy(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def environment(self) -> dict[str, str]:
        """What the steps' network looks like: the proxy and the CA bundle that trusts the mirror."""
        proxy = {name: self.proxy for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy")}
        return {**proxy, "SSL_CERT_FILE": str(self.bundle), "PIP_CERT": str(self.bundle)}

    def answer(self, path: str) -> tuple[bytes, str]:
        path = path.split("?", 1)[0]
        if "/files/" in path:
            relative = path.split("/files/", 1)[1]
            if ".." in relative.split("/"):
                raise ValueError("bad path")
            return _fetch(UPSTREAM_FILES + relative, self.cache / "files" / relative), "application/octet-stream"
        match = _PROJECT.match(path)
        if not match:
            raise ValueError("not a simple-index path")
        project = re.sub(r"[-_.]+", "-", match.group(1)).lower()
        page = _fetch(f"{UPSTREAM_INDEX}{project}/", self.cache / "simple" / f"{project}.html")
        return page.replace(UPSTREAM_FILES.encode(), f"https://{self.host}/files/".encode()), "text/html"

    def __enter__(self) -> Mirror:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
