"""BackgroundCalls, the desk's one way off the GUI thread: outcomes on the GUI thread, errors as
errors, the newest call of a lane wins, nothing delivered after close."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QThread

from fumidai.desk.api.client import ApiClient, ApiError
from fumidai.desk.background import BackgroundCalls

from .fake_api import FakeApi


class Outcomes:
    def __init__(self):
        self.ok, self.errors, self.threads = [], [], set()

    def success(self, result):
        self.threads.add(QThread.currentThread())
        self.ok.append(result)

    def failure(self, error):
        self.threads.add(QThread.currentThread())
        self.errors.append(error)


@pytest.fixture
def api():
    with FakeApi(accounts=3) as fake:
        yield fake


@pytest.fixture
def calls(api):
    made = BackgroundCalls(ApiClient(api.url, api.token("viewer"), timeout=5), threads=2)
    yield made
    assert made.close(), "a call did not return"


def test_results_and_errors_come_back_on_the_gui_thread(qtbot, api, calls):
    out = Outcomes()
    workers = set()

    def overview(client):
        workers.add(threading.get_ident())
        return client.overview(window=300, limit=5)

    api.fail_next(1, 500)
    calls.submit(overview, out.success, out.failure)
    qtbot.waitUntil(lambda: len(out.errors) == 1, timeout=5000)
    calls.submit(overview, out.success, out.failure)
    calls.submit(lambda client: 1 / 0, out.success, out.failure)  # a bug in a call: still an error
    qtbot.waitUntil(lambda: len(out.ok) == 1 and len(out.errors) == 2, timeout=5000)
    assert isinstance(out.errors[0], ApiError) and out.errors[0].status == 500
    assert isinstance(out.errors[1], ZeroDivisionError)
    assert out.ok[0].window == 300
    assert out.threads == {QThread.currentThread()}
    assert threading.get_ident() not in workers
    assert calls.running == 0


def test_a_lane_delivers_only_its_newest_answer(qtbot, calls):
    out = Outcomes()
    release = threading.Event()

    def slow(client):
        release.wait(5)
        return "old"

    calls.submit(slow, out.success, out.failure, lane="series")
    calls.submit(lambda client: "new", out.success, out.failure, lane="series")
    qtbot.waitUntil(lambda: out.ok == ["new"], timeout=5000)
    release.set()
    assert calls.wait(5000)
    qtbot.wait(100)  # let a queued answer of the old call arrive, if one were sent
    assert out.ok == ["new"] and not out.errors


def test_busy_while_calls_are_out(qtbot, calls):
    busy = []
    calls.busyChanged.connect(busy.append)
    gate = threading.Event()
    calls.submit(lambda client: gate.wait(5))
    calls.submit(lambda client: gate.wait(5))
    assert busy == [True] and calls.running == 2
    gate.set()
    qtbot.waitUntil(lambda: busy == [True, False], timeout=5000)


def test_close_drops_outcomes_and_queued_calls(qtbot, api):
    calls = BackgroundCalls(ApiClient(api.url, api.token("viewer"), timeout=5), threads=1)
    out = Outcomes()
    gate, started, ran = threading.Event(), threading.Event(), []

    def first(client):
        started.set()
        gate.wait(5)
        ran.append("first")
        return "first"

    calls.submit(first, out.success, out.failure)
    calls.submit(lambda client: ran.append("queued"), out.success, out.failure)
    assert started.wait(5)  # running, not queued: close waits for it (a loaded machine may start it late)
    threading.Timer(0.2, gate.set).start()
    assert calls.close(5000)
    assert ran == ["first"]  # the running call finished; the queued one never started
    qtbot.wait(100)
    assert not out.ok and not out.errors
    assert calls.submit(lambda client: "late", out.success) == 0  # closed: nothing runs
    assert calls.running == 0
