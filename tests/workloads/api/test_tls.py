"""The pod's TLS: a private key readable by its owner only, a certificate the health check can verify,
and a real TLS 1.3 handshake (in memory) that a TLS 1.2 client cannot complete."""

from __future__ import annotations

import ssl
import stat
from pathlib import Path

import pytest
from cryptography import x509

from hipaa_api import tls


def _handshake(server: ssl.SSLContext, client: ssl.SSLContext) -> str | None:
    """Run a TLS handshake between two contexts over memory BIOs; the client's negotiated version."""
    c_in, c_out, s_in, s_out = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    client_side = client.wrap_bio(c_in, c_out, server_hostname=tls.LOOPBACK_NAME)
    server_side = server.wrap_bio(s_in, s_out, server_side=True)
    done = {"client": False, "server": False}
    for _ in range(10):
        for name, side in (("client", client_side), ("server", server_side)):
            if not done[name]:
                try:
                    side.do_handshake()
                    done[name] = True
                except ssl.SSLWantReadError:
                    pass
        s_in.write(c_out.read())
        c_in.write(s_out.read())
        if all(done.values()):
            return client_side.version()
    return None


@pytest.fixture(scope="module")
def material(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return tls.write_ephemeral_certificate(tmp_path_factory.mktemp("pod") / "tls")


def test_key_is_owner_only_and_the_certificate_names_the_loopback(material: tuple[Path, Path]) -> None:
    cert_path, key_path = material
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_path.parent.stat().st_mode) == 0o700
    certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    assert certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False


def test_server_negotiates_tls_1_3_with_the_health_checks_context(material: tuple[Path, Path]) -> None:
    cert_path, key_path = material
    server = tls.require_tls13(ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER))
    server.load_cert_chain(cert_path, key_path)
    assert _handshake(server, tls.client_context(cert_path)) == "TLSv1.3"


def test_server_refuses_a_client_limited_to_tls_1_2(material: tuple[Path, Path]) -> None:
    cert_path, key_path = material
    server = tls.require_tls13(ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER))
    server.load_cert_chain(cert_path, key_path)
    old_client = ssl.create_default_context(cafile=str(cert_path))
    old_client.maximum_version = ssl.TLSVersion.TLSv1_2
    with pytest.raises(ssl.SSLError):
        _handshake(server, old_client)
