"""Incidents: opened from an alert, claimed, moved on and annotated through the backend, so every
desk sees them; hidden on a backend without incidents."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QItemSelectionModel, QSettings, Qt  # noqa: E402
from PySide6.QtWidgets import QLabel  # noqa: E402

from fumidai.desk.api.client import ApiClient  # noqa: E402
from fumidai.desk.incidents import IncidentsPanel  # noqa: E402
from fumidai.desk.main_window import MainWindow  # noqa: E402

from .fake_api import FakeApi  # noqa: E402

pytestmark = pytest.mark.desk
EVIL = "<img src=x onerror=alert(1)>"


@pytest.fixture
def panel(qtbot, runner):
    widget = IncidentsPanel(runner, "bob", refresh_s=0.2)
    qtbot.addWidget(widget)
    return widget


def test_open_claim_status_and_notes(qtbot, api, panel):
    with qtbot.waitSignal(panel.supportedChanged, timeout=15000) as blocker:
        panel.start()
    assert blocker.args == [True]
    panel.open_for("user0002", 7)
    qtbot.waitUntil(lambda: len(panel.items) == 1, timeout=15000)
    assert api.posts[-1][:3] == ("POST", "/incidents", {"account": "user0002", "alert_id": 7})
    panel.table.selectRow(0)
    panel.claim_button.click()
    qtbot.waitUntil(lambda: panel.items[0].get("owner") == "bob", timeout=15000)
    assert panel.items[0]["status"] == "investigating"  # claiming an open one starts it
    assert panel.table.item(0, 2).text() == "bob" and not panel.claim_button.isEnabled()
    panel.note.setText(EVIL)
    panel.note_button.click()
    qtbot.waitUntil(lambda: panel.table.item(0, 5).text() == EVIL, timeout=15000)
    assert EVIL in panel.notes.text()
    for label in panel.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText
    closed = panel.status.findData("closed")
    panel.status.setCurrentIndex(closed)
    panel.status.activated.emit(closed)
    qtbot.waitUntil(lambda: api.incidents[0]["status"] == "closed", timeout=15000)
    assert [p[0] for p in api.posts] == ["POST", "PATCH", "PATCH", "PATCH"]


def test_the_other_desks_see_the_change(qtbot, api, panel, make_runner):
    other = IncidentsPanel(make_runner(), "amy", refresh_s=0.2)
    qtbot.addWidget(other)
    panel.start()
    other.start()
    panel.open_for("user0001")
    qtbot.waitUntil(lambda: len(other.items) == 1, timeout=15000)
    # Claim only once this desk shows the incident too: a click with no row selected claims nothing.
    qtbot.waitUntil(lambda: panel.table.rowCount() == 1, timeout=15000)
    panel.table.selectRow(0)
    panel.claim_button.click()
    qtbot.waitUntil(lambda: other.table.rowCount() == 1 and other.table.item(0, 2).text() == "bob", timeout=15000)
    panel.stop()
    other.stop()


def test_the_main_window_offers_incidents_only_where_the_backend_keeps_them(qtbot, api, tmp_path):
    api.add_alert("user0001")
    with FakeApi(accounts=5) as old:
        old.without_incidents = True
        windows = []
        for fake in (api, old):
            client = ApiClient(fake.url, fake.token("operator"), timeout=5)
            w = MainWindow(client, client.me(), QSettings(str(tmp_path / f"{fake.url[-5:]}.ini"),
                                                          QSettings.Format.IniFormat), poll_interval=0.3)
            qtbot.addWidget(w)
            w.show()
            windows.append(w)
        try:
            new_w, old_w = windows
            qtbot.waitUntil(lambda: new_w.incidents.supported is True and old_w.incidents.supported is False,
                            timeout=15000)
            assert new_w.incidents_dock.toggleViewAction().isVisible() and new_w.alerts.act_incident.isVisible()
            assert old_w.incidents_dock.isHidden() and not old_w.alerts.act_incident.isVisible()
            qtbot.waitUntil(lambda: new_w.alerts.model.rowCount() > 0, timeout=15000)
            # Not selectRow: in extended selection it heeds the modifiers a previous test's key clicks left.
            new_w.alerts.view.selectionModel().select(
                new_w.alerts.model.index(0, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
            assert new_w.alerts.view.selectionModel().selectedRows()
            new_w.alerts.act_incident.trigger()
            qtbot.waitUntil(lambda: any(p[1] == "/incidents" for p in api.posts), timeout=10000)
            qtbot.waitUntil(lambda: len(new_w.incidents.items) == 1, timeout=10000)
            assert new_w.incidents.items[0]["account"] == "user0001"
        finally:
            for w in windows:
                w.shutdown()
