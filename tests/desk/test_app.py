"""The desk entry point: token sources, translations, sign-in errors, and `fumidai desk`."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from fumidai.cli import build_parser
from fumidai.desk import app as desk_app
from fumidai.desk.connect_dialog import ConnectDialog
from fumidai.desk.credentials import TokenStore, initial_token
from fumidai.errors import FumidaiError

from .fake_api import FakeApi


@pytest.fixture
def settings(tmp_path):
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path / "config"))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "config"))
    return QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat)


def test_token_sources_in_order(tmp_path, settings):
    store = TokenStore(settings, use_keyring=False)
    f = tmp_path / "token"
    f.write_text("from-file\n")
    assert initial_token(str(f), store, "http://b", {"FUMIDAI_TOKEN": "from-env"}) == ("from-file", "file")
    assert initial_token(None, store, "http://b", {"FUMIDAI_TOKEN": "from-env"}) == ("from-env", "env")
    assert initial_token(None, store, "http://b", {}) == ("", "")
    assert store.save("http://b", "kept") is False and store.insecure  # no keyring: QSettings, with a warning
    assert initial_token(None, store, "http://b", {}) == ("kept", "settings")
    store.forget("http://b")
    assert store.load("http://b") == ""


def test_bad_token_file_is_one_line_error(tmp_path):
    with pytest.raises(FumidaiError, match="cannot read the token file"):
        initial_token(str(tmp_path / "missing"), TokenStore(QSettings(), use_keyring=False), "http://b", {})
    (tmp_path / "two").write_text("a b\n")
    with pytest.raises(FumidaiError, match="one token"):
        initial_token(str(tmp_path / "two"), TokenStore(QSettings(), use_keyring=False), "http://b", {})


def test_japanese_catalogue_switches(qapp):
    tr = desk_app.Translations(qapp)
    try:
        assert tr.set("ja") == "ja"
        assert QCoreApplication.translate("MainWindow", "Live") == "ライブ"
        assert QCoreApplication.translate("AccountRatesModel", "auto-stopped") == "自動停止"
    finally:
        tr.set("en")
    assert QCoreApplication.translate("MainWindow", "Live") == "Live"


def test_run_signs_in_with_token_file_and_opens(qtbot, tmp_path, settings, monkeypatch):
    monkeypatch.setenv("FUMIDAI_TOKEN", "")
    token = tmp_path / "token"
    token.write_text(FakeApi.token("viewer"))
    seen = {}

    def close_soon():
        w = next(x for x in QApplication.topLevelWidgets() if x.objectName() == "fumidaiMainWindow")
        qtbot.waitUntil(lambda: w.model.rowCount() > 0, timeout=5000)
        seen["title"], seen["can_act"] = w.windowTitle(), w.can_act
        w.close()

    with FakeApi(accounts=5) as api:
        QTimer.singleShot(0, close_soon)
        assert desk_app.run(api.url, str(token), "en", "light") == 0
    assert "vic (viewer)" in seen["title"] and seen["can_act"] is False


def test_run_with_refused_token_asks_and_can_be_cancelled(qtbot, tmp_path, settings, monkeypatch):
    asked = []
    monkeypatch.setattr(ConnectDialog, "ask", classmethod(lambda cls, parent, url, error, **kw: asked.append(error)))
    monkeypatch.setenv("FUMIDAI_TOKEN", "wrong")
    with FakeApi(accounts=1) as api:
        assert desk_app.run(api.url, None, "en", "auto") == 1
    assert asked and "refused the token" in asked[0]


def test_desk_command_is_registered():
    args = build_parser().parse_args(["desk", "--backend", "https://h:8025", "--token-file", "t", "--language", "ja",
                                      "--theme", "dark"])
    assert (args.backend, args.token_file, args.language, args.theme) == ("https://h:8025", "t", "ja", "dark")
    assert callable(args.func)
