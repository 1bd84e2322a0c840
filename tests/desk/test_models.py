"""Qt's own model tester on every item model of the desk, while real updates flow through them."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QAbstractItemModel, QSettings  # noqa: E402

from fumidai.desk import alerts_feed  # noqa: E402
from fumidai.desk.alerts_feed import AlertsModel  # noqa: E402
from fumidai.desk.api.client import ApiClient  # noqa: E402
from fumidai.desk.api.models import AlertItem  # noqa: E402
from fumidai.desk.main_window import MainWindow  # noqa: E402

from .fake_api import FakeApi  # noqa: E402

pytestmark = pytest.mark.desk


def alerts(first: int, n: int) -> list[AlertItem]:
    return [AlertItem(i, 1_800_000_000.0 + i, f"user{i:04d}", "auto_suspend", "quota", "CN", {})
            for i in range(first, first + n)]


def test_alerts_model_through_inserts_and_trimming(qtmodeltester, monkeypatch):
    monkeypatch.setattr(alerts_feed, "MAX_ALERTS", 10)
    model = AlertsModel()
    model.add(alerts(1, 4))
    qtmodeltester.check(model, force_py=False)  # the C++ tester stays attached and checks every signal
    assert model.add(alerts(1, 4)) == []  # seen ids: nothing inserted
    model.add(alerts(5, 9))  # 13 > 10: the oldest three are dropped
    assert [a.id for a in model.items()][:2] == [13, 12] and model.rowCount() == 10
    qtmodeltester.check(model, force_py=False)


@pytest.fixture
def busy_api():
    with FakeApi(accounts=60, alerts=5) as fake:
        yield fake


def test_every_model_in_the_main_window(qtbot, qtmodeltester, busy_api, tmp_path):
    """Rates, alerts, the account panel's and the trends' tables: all of them, found by type."""
    client = ApiClient(busy_api.url, busy_api.token("operator"), timeout=5)
    window = MainWindow(client, client.me(), QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat),
                        poll_interval=0.2)
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(lambda: window.model.rowCount() > 0 and window.alerts.model.rowCount() == 5, timeout=5000)
        models = window.findChildren(QAbstractItemModel)
        assert {window.model, window.alerts.model} <= set(models)
        assert window.rates.table.model() is window.model  # no proxy between the table and its model
        for model in models:
            qtmodeltester.check(model, force_py=False)
        # Now changes flow through the attached testers: polls, filters, sort, a detail load, alerts.
        window.rates.search.setText("user00")
        window.rates.table.sortByColumn(1, window.rates.table.horizontalHeader().sortIndicatorOrder())
        window.rates.chips["ok"].click()
        window.rates.set_country("JP")
        window.model.hold_order(True)
        qtbot.wait(500)  # polls while the order is held
        window.model.hold_order(False)
        window.rates.clear_country()
        window.rates.chips["ok"].click()
        busy_api.add_alert("user0007")
        qtbot.waitUntil(lambda: window.alerts.model.rowCount() == 6, timeout=5000)
        with qtbot.waitSignal(window.account_panel.accountLoaded, timeout=5000):
            window.open_account("user0003")
        assert window.account_panel.limits_table.rowCount() > 0
        with qtbot.waitSignal(window.trends.trendsLoaded, timeout=5000):
            window.trends.refresh()
        assert window.trends.countries.rowCount() > 0
        window.rates.search.setText("")
        qtbot.wait(500)  # a few more polls with every tester attached
    finally:
        window.shutdown()


def test_permissions_as_the_backend_sends_them():
    """GET /accounts/{a} says what a permission allows as ``items`` (api/answers.PermissionShown)."""
    from fumidai.desk.api.models import Permissions

    p = Permissions.from_json({
        "travel": {"items": ["US", "KR"], "expires_at": "2026-12-14T00:00:00Z", "active": True, "set_by": "bob",
                   "reason": "trip", "set_at": "2026-12-07T00:00:00Z"},
        "trust": {"items": ["new_country"], "expires_at": "2026-12-14T00:00:00Z", "active": True, "set_by": "bob",
                  "reason": "relay", "set_at": "2026-12-07T00:00:00Z"},
    })
    assert p.travel.countries == ("US", "KR") and p.travel.signals == ()
    assert p.trust.signals == ("new_country",) and p.trust.countries == ()
