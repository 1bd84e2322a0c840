"""Poller on its thread against the fake API: snapshots, alerts once each, backoff, a responsive GUI."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QObject, QThread, QTimer, Slot

from fumidai.desk.api.client import ApiClient
from fumidai.desk.poller import Poller

from .fake_api import FakeApi


class Sink(QObject):
    """Lives in the GUI thread; records what the poller sent and on which thread."""

    def __init__(self, poller: Poller):
        super().__init__()
        self.snapshots, self.alerts, self.failures, self.stale, self.threads = [], [], [], [], set()
        poller.snapshotReceived.connect(self.on_snapshot)
        poller.alertsReceived.connect(self.on_alerts)
        poller.failed.connect(self.on_failed)
        poller.stale.connect(self.on_stale)

    @Slot(object)
    def on_snapshot(self, snap):
        self.threads.add(QThread.currentThread())
        self.snapshots.append(snap)

    @Slot(list)
    def on_alerts(self, items):
        self.alerts.extend(items)

    @Slot(str)
    def on_failed(self, text):
        self.failures.append((time.monotonic(), text))

    @Slot(float)
    def on_stale(self, age):
        self.stale.append(age)


@pytest.fixture
def api():
    with FakeApi(accounts=30, alerts=3) as fake:
        yield fake


@pytest.fixture
def make_poller(api):
    started = []

    def make(**kw):
        kw.setdefault("interval_s", 0.2)
        p = Poller(ApiClient(api.url, api.token("viewer")), **kw)
        sink = Sink(p)
        started.append(p)
        p.start()
        return p, sink

    yield make
    for p in started:
        assert p.shutdown(), "poller thread did not stop"


def test_snapshots_arrive_on_gui_thread(qtbot, api, make_poller):
    poller, sink = make_poller(countries_window=300)
    qtbot.waitUntil(lambda: len(sink.snapshots) >= 2, timeout=5000)
    snap = sink.snapshots[-1]
    active = sum(a["messages_day"] > 0 for a in api.accounts.values())  # the table shows accounts active today
    assert 0 < active < 30 and snap.accounts.total == active and len(snap.accounts.items) == active
    assert snap.countries is not None and snap.countries.window == 300
    assert sink.threads == {QThread.currentThread()}


def test_alerts_once_each_across_polls(qtbot, api, make_poller):
    poller, sink = make_poller()
    qtbot.waitUntil(lambda: len(sink.alerts) == 3, timeout=5000)
    for _ in range(250):  # more than one page of 200 between two polls
        api.add_alert("mallory")
    n = len(sink.snapshots)
    qtbot.waitUntil(lambda: len(sink.snapshots) >= n + 3, timeout=5000)
    ids = [a.id for a in sink.alerts]
    assert ids == list(range(1, 254))


def test_an_alert_committed_late_is_delivered_once_and_none_twice(qtbot, api, make_poller):
    poller, sink = make_poller()
    qtbot.waitUntil(lambda: len(sink.alerts) == 3, timeout=5000)
    slow = api.add_alert("slow", committed=False)  # id 4: node A's transaction still open
    api.add_alert("fast")  # id 5, committed first
    qtbot.waitUntil(lambda: [a.id for a in sink.alerts] == [1, 2, 3, 5], timeout=5000)
    n = len(sink.snapshots)
    qtbot.waitUntil(lambda: len(sink.snapshots) >= n + 2, timeout=5000)  # 5 read again, not delivered again
    api.commit_alert(slow["id"])
    qtbot.waitUntil(lambda: len(sink.alerts) == 5, timeout=5000)
    api.add_alert("after")
    qtbot.waitUntil(lambda: len(sink.alerts) == 6, timeout=5000)
    n = len(sink.snapshots)
    qtbot.waitUntil(lambda: len(sink.snapshots) >= n + 2, timeout=5000)
    assert [a.id for a in sink.alerts] == [1, 2, 3, 5, 4, 6]


def test_backoff_on_server_errors_then_recovery(qtbot, api, make_poller):
    api.fail_always = 500
    poller, sink = make_poller(interval_s=0.1)
    qtbot.waitUntil(lambda: len(sink.failures) >= 4, timeout=8000)
    gaps = [b[0] - a[0] for a, b in zip(sink.failures, sink.failures[1:])]
    assert gaps[2] > gaps[0] * 1.8  # each wait doubles: 0.2, 0.4, 0.8 s
    assert sink.stale and sink.stale[0] == -1.0  # never had data
    assert "500" in sink.failures[0][1]
    api.fail_always = None
    poller.refresh_now()
    qtbot.waitUntil(lambda: bool(sink.snapshots), timeout=5000)


def test_slow_api_does_not_stall_gui(qtbot, api, make_poller):
    api.delay_paths["/overview"] = 3.0
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))  # GUI-thread timer: a lambda is fine here
    timer.start(50)
    poller, sink = make_poller(interval_s=60)  # one poll: nothing left in flight at shutdown
    qtbot.waitUntil(lambda: bool(sink.snapshots), timeout=15000)
    timer.stop()
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    assert len(ticks) > 50 and max(gaps) < 0.25, max(gaps)


def test_pause_stops_polling_and_resume_restarts(qtbot, api, make_poller):
    poller, sink = make_poller(interval_s=0.1)
    qtbot.waitUntil(lambda: bool(sink.snapshots), timeout=5000)
    poller.pause()
    qtbot.wait(200)
    n = len(api.requests)
    qtbot.wait(400)
    assert len(api.requests) == n
    poller.resume()
    qtbot.waitUntil(lambda: len(api.requests) > n, timeout=3000)


def test_refreshes_asked_during_a_slow_poll_make_one_more_poll(qtbot, api, make_poller):
    api.delay_paths["/overview"] = 1.0
    poller, sink = make_poller(interval_s=60)  # no timed poll: only the first and the asked ones
    qtbot.waitUntil(lambda: any("/overview" in path for _, path in api.requests), timeout=5000)
    for _ in range(5):  # while the first poll is still out
        poller.refresh_now()
    qtbot.waitUntil(lambda: len(sink.snapshots) == 2, timeout=15000)
    qtbot.wait(300)
    overviews = [path for _, path in api.requests if "/overview" in path]
    assert len(overviews) == 2 and len(sink.snapshots) == 2
