"""Fixtures for notices: a real SMTP relay (aiosmtpd) on loopback, a store on SQLite, a clock."""

from __future__ import annotations

import datetime as dt
import ipaddress

import pytest

from fumidai.store.db import Store

from .helpers import Clock, RecordingHandler, Relay, free_port


@pytest.fixture
def relay():
    r = Relay(RecordingHandler(), free_port())
    r.start()
    try:
        yield r
    finally:
        r.stop()


@pytest.fixture
def closed_relay():
    """A relay whose port refuses connections until the test calls start()."""
    r = Relay(RecordingHandler(), free_port())
    try:
        yield r
    finally:
        r.stop()


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1/localhost, and its key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    d = tmp_path_factory.mktemp("tls")
    (d / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (d / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return d / "cert.pem", d / "key.pem"


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(tmp_path):
    st = Store(f"sqlite:///{tmp_path / 'fumidai.db'}")
    st.ensure_schema()
    try:
        yield st
    finally:
        st.dispose()
