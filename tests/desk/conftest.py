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
