"""Fixtures shared by the desk tests: GC on the GUI thread, the fake API, an ActionRunner, languages."""

from __future__ import annotations

import gc

import pytest

from .fake_api import FakeApi


@pytest.fixture(autouse=True)
def collect_in_gui_thread():
    """Python's cyclic GC runs in whichever thread allocates; a Qt object collected in a pool
    thread crashes. Keep it off during the test and collect here, in the GUI thread."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()


@pytest.fixture(autouse=True)
def pointer_far_away(monkeypatch):
    """The live table holds its order while the real pointer is near it; in tests the pointer is
    wherever the last test left it, so it is parked far away unless a test moves it."""
    try:
        from PySide6.QtCore import QPoint

        from fumidai.desk.rates_panel import RatesPanel
    except ImportError:
        yield
        return
    monkeypatch.setattr(RatesPanel, "pointer", staticmethod(lambda: QPoint(-100000, -100000)))
    yield


@pytest.fixture
def api():
    with FakeApi(accounts=5) as fake:
        yield fake


@pytest.fixture
def make_runner(api):
    """make_runner(role="operator") -> an ActionRunner signed in to the fake API; closed at teardown."""
    from fumidai.desk.actions import ActionRunner
    from fumidai.desk.api.client import ApiClient

    runners = []

    def make(role: str = "operator"):
        runner = ActionRunner(ApiClient(api.url, api.token(role), timeout=5), role=role)
        runners.append(runner)
        return runner

    yield make
    for runner in runners:
        runner.close()


@pytest.fixture
def runner(make_runner):
    return make_runner("operator")


@pytest.fixture
def translations(qapp):
    """The app's Translations; back to English after the test whatever it switched to."""
    from fumidai.desk.app import Translations

    tr = Translations(qapp)
    yield tr
    tr.set("en")


@pytest.fixture
def japanese(translations):
    assert translations.set("ja") == "ja"
    return translations


@pytest.fixture
def live_window(qtbot, api, tmp_path):
    """A shown MainWindow signed in to the fake API as an operator, polling every 0.3 s, with rows;
    shut down at teardown."""
    from PySide6.QtCore import QSettings

    from fumidai.desk.api.client import ApiClient
    from fumidai.desk.main_window import MainWindow

    client = ApiClient(api.url, api.token("operator"), timeout=5)
    w = MainWindow(client, client.me(), QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat),
                   poll_interval=0.3)
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.model.rowCount() > 0, timeout=5000)
    yield w
    w.shutdown()


@pytest.fixture
def panel(qtbot, runner):
    """An AccountPanel on the fake API (load_account shows an account in it)."""
    from fumidai.desk.account_panel import AccountPanel

    widget = AccountPanel(runner)
    qtbot.addWidget(widget)
    return widget


def load_account(qtbot, panel, account: str) -> None:
    """Show ``account`` in the panel (read again even if it is the one shown) and wait for it."""
    panel.detail = None
    with qtbot.waitSignal(panel.accountLoaded, timeout=5000):
        panel.set_account(account)
