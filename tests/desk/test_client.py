"""ApiClient against the fake API: typed errors, parsing, and names that need quoting."""

from __future__ import annotations

import datetime as dt
import socket
import ssl

import pytest

from fumidai.desk.api.client import (
    ApiClient,
    ApiError,
    AuthFailed,
    ConnectionFailed,
    Forbidden,
    PlainHttpRefused,
    TimedOut,
    TlsError,
    normalize_base_url,
)
from fumidai.desk.api.models import STATE_AUTO, STATE_STAFF, AccountRow, Overview

from .fake_api import FakeApi, make_account


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def api():
    with FakeApi(accounts=10, alerts=3) as fake:
        yield fake


def test_reads_parse_into_dataclasses(api):
    c = ApiClient(api.url, api.token("viewer"))
    ov = c.overview(limit=3)
    assert len(ov.top) == 3 and ov.top[0].rate >= ov.top[1].rate
    assert ov.newest_alert_id == 3 and ov.totals.active_accounts == 10
    page = c.accounts(q="user0001")
    assert page.total == 1 and page.items[0].contact == "user0001@example.jp"
    assert [a.id for a in c.alerts(after_id=1).items] == [2, 3]
    series = c.series("user0002", window=600, step=60)
    assert len(series.points) == 10 and series.step == 60
    assert c.me().role == "viewer"


def test_bad_token_is_auth_failed(api):
    with pytest.raises(AuthFailed) as err:
        ApiClient(api.url, "wrong").overview()
    assert err.value.status == 401


def test_viewer_write_is_forbidden_and_nothing_recorded(api):
    with pytest.raises(Forbidden):
        ApiClient(api.url, api.token("viewer")).suspend("user0001", "spam")
    assert api.posts == []


def test_server_error_is_api_error_with_detail(api):
    api.fail_next(1, 500)
    with pytest.raises(ApiError) as err:
        ApiClient(api.url, api.token("admin")).overview()
    assert err.value.status == 500 and "injected" in err.value.detail


def test_refused_port_is_connection_failed():
    with pytest.raises(ConnectionFailed, match="Connection refused"):
        ApiClient(f"http://127.0.0.1:{free_port()}", "t", timeout=2).health()


def test_slow_backend_is_timed_out(api):
    api.delay = 1.0
    with pytest.raises(TimedOut):
        ApiClient(api.url, api.token("admin"), timeout=0.3).overview()


def test_account_names_are_quoted_in_paths(api):
    api.set_account("a/b?c#d")
    detail = ApiClient(api.url, api.token("operator")).suspend("a/b?c#d", "spam")
    assert detail.account == "a/b?c#d" and detail.status == "suspended" and detail.audit_id
    assert api.posts[-1][1] == "/accounts/a/b?c#d/suspend"


def test_url_forms_are_normalized():
    assert normalize_base_url("host:8025") == "https://host:8025"  # a bare host never means plain HTTP
    assert normalize_base_url("https://h/api/v1/") == "https://h"
    for local in ("127.0.0.1:8025", "localhost:8025", "[::1]:8025", "127.0.0.2"):
        assert normalize_base_url(local) == f"http://{local}"  # the API's default, never leaves the machine


@pytest.mark.parametrize("url", ["http://192.0.2.10:8025", "HTTP://fumidai.example:8025", "http://[2001:db8::1]:8025",
                                 "http://localhost.example:8025"])
def test_plain_http_to_another_computer_is_refused_unless_allowed(url):
    with pytest.raises(PlainHttpRefused, match="--allow-plain-http"):
        ApiClient(url, "staff-token")
    allowed = ApiClient(url, "staff-token", allow_plain_http=True)
    assert allowed.clone().allow_plain_http  # worker threads' copies keep the choice


def test_loopback_and_https_need_no_permission(api):
    assert api.url.startswith("http://127.0.0.1:")
    assert ApiClient(api.url, api.token("viewer")).me().role == "viewer"
    assert ApiClient("https://fumidai.example:8025", "t").base_url == "https://fumidai.example:8025"


def test_connect_dialog_refuses_plain_http_without_connecting(qtbot):
    import time

    from fumidai.desk.connect_dialog import ConnectDialog

    dialog = ConnectDialog(url="http://192.0.2.10:8025")  # TEST-NET: a connection attempt would hang
    qtbot.addWidget(dialog)
    dialog.token.setText("staff-token")
    started = time.monotonic()
    dialog.check()
    assert time.monotonic() - started < 1
    assert dialog.result_client is None and "unencrypted" in dialog.error.text()


def test_defensive_parsing_survives_junk():
    assert AccountRow.from_json({"rate": "x"}) is None
    row = AccountRow.from_json({"account": "a", "rate": "fast", "quota": "none", "status": "suspended",
                                "suspended_by": "auto", "status_since": "not a time"})
    assert row.rate == 0.0 and row.quota == {} and row.state == STATE_AUTO and row.status_since is None
    assert AccountRow.from_json(make_account(1, status="suspended", suspended_by="bob")).state == STATE_STAFF
    ov = Overview.from_json({"top": [None, {"account": "z"}], "countries": "?"})
    assert [r.account for r in ov.top] == ["z"] and ov.countries == []


def _cert(tmp_path, *, expired: bool):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    start, end = (now - dt.timedelta(days=30), now - dt.timedelta(days=1)) if expired else (now, now + dt.timedelta(days=1))
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_pem, key_pem = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert_pem, key_pem)
    return ctx, str(cert_pem)


@pytest.mark.parametrize("expired, trust, reason", [(False, False, "untrusted"), (True, True, "expired")])
def test_tls_errors_say_why(tmp_path, expired, trust, reason):
    ctx, ca = _cert(tmp_path, expired=expired)
    with FakeApi(accounts=1, ssl_context=ctx) as api:
        client = ApiClient(api.url, api.token("admin"), verify=ca if trust else True, timeout=3)
        with pytest.raises(TlsError) as err:
            client.overview()
    assert err.value.reason == reason


def test_trusted_certificate_works(tmp_path):
    ctx, ca = _cert(tmp_path, expired=False)
    with FakeApi(accounts=1, ssl_context=ctx) as api:
        assert ApiClient(api.url, api.token("admin"), verify=ca, timeout=3).overview().totals.active_accounts == 1
