"""`fumidai desk --allow-plain-http` (issue 15): the option reaches the client (and the connect
dialog); without it an http:// URL to another computer is refused, before any byte is sent, with
a message that says why and what to do."""

from __future__ import annotations

import ipaddress
import socket
import time

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from fumidai.cli import build_parser
from fumidai.desk import app as desk_app
from fumidai.desk.connect_dialog import ConnectDialog

from .fake_api import FakeApi

pytestmark = pytest.mark.desk


@pytest.fixture(autouse=True)
def settings(tmp_path, monkeypatch):
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path / "config"))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "config"))
    monkeypatch.setenv("FUMIDAI_TOKEN", FakeApi.token("viewer"))


def own_address() -> str | None:
    """This machine's address on its network (not loopback), or None when it has none."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # a UDP "connection" sends nothing: it only picks the route
        except OSError:
            return None
        addr = s.getsockname()[0]
    return None if ipaddress.ip_address(addr).is_loopback or addr == "0.0.0.0" else addr


def test_command_line_option_reaches_run(monkeypatch):
    calls = []
    monkeypatch.setattr(desk_app, "run", lambda *a, **kw: calls.append((a, kw)) or 0)
    for argv, allowed in ((["desk", "--backend", "http://10.1.2.3:8025", "--allow-plain-http"], True),
                          (["desk", "--backend", "http://10.1.2.3:8025"], False)):
        args = build_parser().parse_args(argv)
        assert args.allow_plain_http is allowed
        assert args.func(args) == 0
        assert calls[-1][1]["allow_plain_http"] is allowed


def test_without_the_option_plain_http_to_another_computer_is_refused(qtbot, monkeypatch):
    asked = []
    monkeypatch.setattr(ConnectDialog, "ask", classmethod(
        lambda cls, parent, url, error, **kw: asked.append((url, error, kw.get("allow_plain_http")))))
    # 192.0.2.1 (TEST-NET) answers nothing: only a refusal before connecting comes back at once.
    assert desk_app.run("http://192.0.2.1:8025", None, "en", "auto") == 1
    [(url, error, allowed)] = asked
    assert url == "http://192.0.2.1:8025" and allowed is False
    assert "plain HTTP to another computer" in error and "--allow-plain-http" in error


def test_with_the_option_the_client_talks_plain_http(qtbot, monkeypatch):
    address = own_address()
    if address is None:
        pytest.skip("this machine has no network address but loopback")
    seen = {}
    deadline = time.monotonic() + 30

    def close_soon():
        # The app's event loop runs until this ends it: it must end it whatever happens (a
        # window not there yet, another top-level window left open), or the test hangs.
        w = next((x for x in QApplication.topLevelWidgets() if x.objectName() == "fumidaiMainWindow"), None)
        if w is None:
            if time.monotonic() < deadline:
                QTimer.singleShot(50, close_soon)
            else:
                QApplication.exit(99)
            return
        try:
            seen["url"], seen["allowed"] = w._client.base_url, w._client.allow_plain_http
            seen["clone"] = w._client.clone().allow_plain_http  # the worker threads' clients too
        finally:
            w.close()
            QApplication.exit(0)  # not only quit-on-last-window: a toast or dialog may be open

    monkeypatch.setattr(ConnectDialog, "ask", classmethod(lambda cls, *a, **kw: pytest.fail(f"asked: {a}")))
    with FakeApi(accounts=3, host=address) as api:
        assert api.url.startswith(f"http://{address}:")
        QTimer.singleShot(0, close_soon)
        assert desk_app.run(api.url, None, "en", "light", allow_plain_http=True) == 0
    assert seen == {"url": api.url, "allowed": True, "clone": True}


def test_connect_dialog_refuses_plain_http_unless_told(qtbot):
    dialog = ConnectDialog(None, "http://192.0.2.1:8025")
    qtbot.addWidget(dialog)
    dialog.token.setText(FakeApi.token("viewer"))
    dialog.check()  # refused before connecting: 192.0.2.1 would never answer
    assert dialog.result_client is None
    assert "plain HTTP to another computer" in dialog.error.text()
    assert "--allow-plain-http" in dialog.error.text()

    address = own_address()
    if address is None:
        pytest.skip("this machine has no network address but loopback")
    with FakeApi(accounts=1, host=address) as api:
        told = ConnectDialog(None, api.url, allow_plain_http=True)
        qtbot.addWidget(told)
        told.token.setText(FakeApi.token("viewer"))
        told.check()
        assert told.result_client is not None and told.result_client.allow_plain_http
        assert told.result_client.base_url == api.url
        told.result_client.close()
