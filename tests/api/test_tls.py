"""[api] tls_cert/tls_key: the same app over HTTPS (self-signed certificate made here)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from fumidai.config import settings_from_dict
from fumidai.errors import ConfigError

from .conftest import LiveServer, free_port


def _self_signed(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "api.crt", tmp_path / "api.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_https_with_configured_certificate(tmp_path, mmdb):
    cert, key = _self_signed(tmp_path)
    data = {
        "policy": {"listen": f"127.0.0.1:{free_port()}"},
        "api": {"listen": f"127.0.0.1:{free_port()}", "tls_cert": str(cert), "tls_key": str(key)},
        "storage": {"url": f"sqlite:///{tmp_path / 'tls.db'}"},
        "geoip": {"database": str(mmdb)},
    }
    server = LiveServer(settings_from_dict(data))
    try:
        server.start()
        assert server.url.startswith("https://")
        token = server.add_staff("tls-viewer", "viewer")
        ctx = ssl.create_default_context(cafile=str(cert))
        with httpx.Client(base_url=server.url, verify=ctx, timeout=10) as c:
            assert c.get("/api/v1/health").json()["status"] == "ok"
            r = c.get("/api/v1/overview", headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 200
        with pytest.raises(httpx.ConnectError):  # an untrusted certificate is refused by a normal client
            httpx.get(f"{server.url}/api/v1/health", timeout=5)
        plain = server.url.replace("https://", "http://")
        with pytest.raises(httpx.HTTPError):  # no plain HTTP on the TLS port
            httpx.get(f"{plain}/api/v1/health", timeout=5).raise_for_status()
    finally:
        server.close()


def test_missing_key_file_is_one_clear_error(tmp_path, mmdb):
    import asyncio

    from fumidai.api.server import serve_api

    settings = settings_from_dict({"api": {"listen": f"127.0.0.1:{free_port()}",
                                           "tls_cert": str(tmp_path / "none.crt"), "tls_key": str(tmp_path / "none.key")}})
    with pytest.raises(ConfigError, match="api.tls_cert: no such file"):
        asyncio.run(serve_api(object(), settings))
