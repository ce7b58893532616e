"""The pod's own TLS: a key made at start, for the one hop from the load balancer to the pod.

Clients never see this certificate: they reach the API only through the Gateway's internal
Application Load Balancer, which presents the private CA's certificate for the API's name with a
TLS 1.3-only SSL policy, and opens a new TLS connection to the pod (Service appProtocol HTTPS).
Google's proxies encrypt that hop without checking the backend's certificate, so the pod needs a
key, not an identity: a fresh P-256 key per start, which exists only in the server's memory. It is
written once to the pod's memory-backed /tmp for Uvicorn to load and deleted right after; the
self-signed certificate (public) stays, so the image's health check can verify the server it calls.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

# Fixed, so the health check (another process) finds the certificate to verify against.
TLS_DIR = Path("/tmp/hipaa-api-tls")  # noqa: S108  # nosec B108 - the pod's private memory-backed emptyDir
CERT_NAME = "cert.pem"
KEY_NAME = "key.pem"
LOOPBACK_NAME = "localhost"
LIFETIME = datetime.timedelta(days=30)
MIN_VERSION = ssl.TLSVersion.TLSv1_3


def write_ephemeral_certificate(directory: Path = TLS_DIR) -> tuple[Path, Path]:
    """Create a new key and a self-signed certificate for it; return (certificate, key) paths.

    The directory is created owner-only and the key file owner-readable only."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hipaa-api pod")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + LIFETIME)
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName(LOOPBACK_NAME), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    cert_path, key_path = directory / CERT_NAME, directory / KEY_NAME
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    return cert_path, key_path


def require_tls13(context: ssl.SSLContext) -> ssl.SSLContext:
    """Refuse every protocol below TLS 1.3 on the server's context."""
    context.minimum_version = MIN_VERSION
    return context


def client_context(cert_path: Path = TLS_DIR / CERT_NAME) -> ssl.SSLContext:
    """The health check's context: TLS 1.3, trusting only the pod's own certificate, hostname checked."""
    context = ssl.create_default_context(cafile=str(cert_path))
    return require_tls13(context)
