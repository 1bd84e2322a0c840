"""The map counts accepted, refused or both; small countries stay visible; the map detaches into
its own window; wall mode shows map, totals, alerts and top accounts with nothing to press."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QItemSelectionModel, QSettings, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit  # noqa: E402

from fumidai.desk.api.client import ApiClient  # noqa: E402
from fumidai.desk.main_window import DetachedMap, MainWindow  # noqa: E402
from fumidai.desk.world_map import WorldMapView  # noqa: E402

from .fake_api import FakeApi, make_account  # noqa: E402

pytestmark = pytest.mark.desk
EVIL = "<b>evil</b><img src=x>"


@pytest.fixture
def world_map(qtbot):
    view = WorldMapView()
    qtbot.addWidget(view)
    view.resize(1000, 560)
    return view


def test_refused_attempts_colour_the_map_when_asked(world_map):
    world_map.set_counts({"CN": (0, 3, 900), "JP": (500, 40, 0)})
    assert world_map._items["CN"].level == -1  # accepted only: CN sent nothing accepted
    world_map.set_measure("refused")
    assert world_map._items["CN"].level > 200 and world_map._items["JP"].level == -1
    world_map.set_measure("both")
    assert world_map._items["CN"].level > world_map._items["JP"].level > 0
    tip = world_map.tooltip("CN")
    assert "Refused: 900" in tip and "Messages: 0" in tip
    world_map.set_counts({"JP": (5, 1)})  # an older backend: no refused counts, still fine
    assert world_map._items["JP"].level > 0


def test_small_countries_like_japan_get_a_dot_on_a_small_map(world_map, qtbot):
    for code in ("JP", "SG", "KR", "TW"):
        assert world_map._items[code].dot is not None, code
    for code in ("US", "RU", "CN", "BR"):
        assert world_map._items[code].dot is None, code
    world_map.set_counts({"JP": (5000, 40), "SG": (10, 1)})
    world_map.resize(450, 240)  # the pane in a crowded window: Japan is a sliver
    world_map.show()
    qtbot.waitUntil(lambda: world_map._items["JP"].dot.isVisible(), timeout=3000)
    world_map.resize(1800, 1000)  # the wall: its shape is large enough, Singapore keeps its dot
    qtbot.waitUntil(lambda: not world_map._items["JP"].dot.isVisible(), timeout=3000)
    assert world_map._items["SG"].dot.isVisible()


@pytest.fixture
def api():
    accounts = [make_account(i) for i in range(1, 15)] + [make_account(15, EVIL)]
    with FakeApi(accounts=accounts) as fake:
        fake.set_account("user0002", refused_day=700, top_country="CN")
        fake.add_alert(EVIL, reason="quota:recipients_per_hour")
        yield fake


@pytest.fixture
def window(qtbot, live_window):
    qtbot.waitUntil(lambda: live_window.map._items["CN"].level >= 0, timeout=5000)
    return live_window


def test_the_measure_buttons_switch_what_the_map_counts(qtbot, window):
    refused = next(b for b in window.map_box.measure_buttons.buttons() if b.property("value") == "refused")
    refused.click()
    assert window.map.measure == "refused"
    qtbot.waitUntil(lambda: window.map._items["CN"].level > 200 and window.map._items["JP"].level == -1,
                    timeout=5000)


def test_the_map_detaches_into_a_resizable_window(qtbot, api, window):
    window.map_box.detach_button.click()
    assert len(window.map_windows) == 1
    detached = window.map_windows[0]
    assert isinstance(detached, DetachedMap) and detached.isWindow() and detached.isVisible()
    qtbot.waitUntil(lambda: detached.pane.map._items["CN"].level >= 0, timeout=5000)
    detached.resize(1600, 900)
    assert detached.width() == 1600  # as large as staff make it
    one_day = next(b for b in detached.pane.window_buttons.buttons() if b.property("value") == 86400)
    one_day.click()
    qtbot.waitUntil(lambda: asked_window(api, 86400), timeout=5000)  # the poller follows
    assert [b.isChecked() for b in window.map_buttons.buttons()] == [False, False, True]  # in step
    detached.close()
    assert window.map_windows == []


def asked_window(api, seconds: int) -> bool:
    return any(path.startswith(f"/api/v1/countries?window={seconds}") for _, path in list(api.requests))


def test_wall_mode(qtbot, api, window):
    wall = window.enter_wall_mode()
    qtbot.waitExposed(wall)
    assert wall.isFullScreen() or wall.windowState() & Qt.WindowState.WindowFullScreen
    assert wall.findChildren(QAbstractButton) == [] and wall.findChildren(QLineEdit) == []  # nothing to press
    assert not wall.map._viewbox.state["mouseEnabled"][0]
    qtbot.waitUntil(lambda: "msg/min" in wall.totals.text() and wall.top[0].text() != "", timeout=5000)
    qtbot.waitUntil(lambda: any(EVIL in label.text() for label in wall.alerts), timeout=5000)
    long = wall.alerts[0].full_text + " · " + "first mail ever from a country never seen before " * 5
    wall.alerts[0].setText(long)  # a long reason ends in "…" inside its column, never off the screen
    assert wall.alerts[0].full_text == long and wall.alerts[0].text().endswith("…")
    assert wall.alerts[0].geometry().right() <= wall.width()
    for label in wall.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText
    assert wall.font().pointSizeF() > window.font().pointSizeF() * 1.5  # large type
    assert wall.map.measure == "both"
    before = wall.window_s
    wall.next_window()  # the cycle's timer
    assert wall.window_s != before
    qtbot.waitUntil(lambda: asked_window(api, wall.window_s), timeout=5000)
    assert "Last" in wall.caption.text()
    QTest.keyClick(wall, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.wall is None, timeout=2000)


# ----- alerts: grouped repeats, acknowledgement -----

def test_repeated_alerts_are_one_row_until_acknowledged(qtbot):
    from fumidai.desk.alerts_feed import AlertsFeed
    from fumidai.desk.api.models import AlertItem

    feed = AlertsFeed()
    qtbot.addWidget(feed)
    t0 = 1.8e9
    cap = [AlertItem(i, t0 + 3600 * i, "bob", "cap", "abroad:messages_per_day", "US", {}) for i in range(1, 6)]
    feed.add_alerts(cap[:2] + [AlertItem(9, t0, "carol", "auto_suspend", "quota:messages_per_hour", "CN", {})])
    feed.add_alerts(cap[2:])
    model = feed.model
    assert model.rowCount() == 2  # five hourly abroad-cap alerts of bob: one row
    assert [a.account for a in model.items()] == ["bob", "carol"] and model.items()[0].id == 5
    assert model.index(0, 3).data().endswith("×5 since " + __import__("datetime").datetime.fromtimestamp(
        t0 + 3600).strftime("%H:%M"))
    model.mark_acked({3}, "amy", t0)
    assert "amy" in model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    feed.add_alerts([AlertItem(6, t0 + 7 * 3600, "bob", "cap", "abroad:messages_per_day", "US", {})])
    assert model.rowCount() == 3  # after the acknowledgement a repeat is news again


def test_acknowledge_through_the_backend(qtbot, api, window):
    qtbot.waitUntil(lambda: window.alerts.act_ack.isVisible(), timeout=5000)  # this backend keeps them
    window.alerts.view.selectionModel().select(  # not selectRow: it heeds modifiers left by other tests
        window.alerts.model.index(0, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
    window.alerts.act_ack.trigger()
    qtbot.waitUntil(lambda: bool(window.alerts.model.groups()[0].acked_by), timeout=5000)
    assert api.posts[-1][:2] == ("POST", "/alerts/1/ack") and api.alerts[0]["acked_by"] == "bob"
    assert window.alerts.model.groups()[0].acked_by == "bob"


def test_no_acknowledge_on_an_older_backend(qtbot, tmp_path):
    with FakeApi(accounts=5) as old:
        old.without_ack = True
        old.add_alert("user0001")
        client = ApiClient(old.url, old.token("operator"), timeout=5)
        settings = QSettings(str(tmp_path / "old.ini"), QSettings.Format.IniFormat)
        w = MainWindow(client, client.me(), settings, poll_interval=0.3)
        qtbot.addWidget(w)
        try:
            qtbot.waitUntil(lambda: w.alerts.model.rowCount() == 1, timeout=5000)
            qtbot.wait(200)
            assert not w.alerts.act_ack.isVisible()
        finally:
            w.shutdown()
