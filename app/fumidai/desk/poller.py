"""Poller: reads the backend every few seconds on its own thread and hands snapshots to the GUI.

Wiring (desk-findings §3.4): the Poller has no parent and is moved to a QThread; its timer is
made inside that thread, so a slow request delays the next poll instead of piling them up.
Public methods (pause, resume, refresh_now, set_interval, set_countries_window, shutdown) may be
called from the GUI thread: they emit private signals whose queued slots run in the worker.
Connect its signals only to slots of GUI-thread objects (a lambda would run in the worker).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from .api.client import ApiClient, ApiClientError
from .api.cursor import FeedCursor
from .api.models import AccountPage, Countries, Overview
from .messages import error_text

BACKOFF_CAP_S = 30.0
RATE_WINDOW_S = 300  # the table's and the status bar's msg/min
ALERT_PAGE = 200
ALERT_PAGES = 50  # per poll; the rest comes at the next


@dataclass(frozen=True)
class Snapshot:
    overview: Overview
    accounts: AccountPage  # the table: active accounts by current rate
    countries: Countries | None  # only while a map window is set
    received_at: float  # time.time() on the desk


class Poller(QObject):
    snapshotReceived = Signal(object)  # Snapshot
    alertsReceived = Signal(list)  # [AlertItem], oldest first, each exactly once; the first may be empty
    failed = Signal(str)  # one translated line
    stale = Signal(float)  # seconds since the last good snapshot (-1: none yet), after a failure
    nextPollScheduled = Signal(float)  # seconds until the next poll (grows with backoff)

    _pauseRequested = Signal()
    _resumeRequested = Signal()
    _refreshRequested = Signal()
    _intervalRequested = Signal(float)
    _windowRequested = Signal(int)
    _stopRequested = Signal()

    def __init__(self, client: ApiClient, interval_s: float = 2.0, table_limit: int = 5000,
                 overview_limit: int = 50, countries_window: int | None = 3600, alert_backlog: int = 200,
                 timeout_s: float = 10.0):
        super().__init__()  # no parent, or moveToThread fails
        self._client = client.clone(timeout=timeout_s)  # a Session of its own for this thread
        self._interval = interval_s
        self._table_limit = table_limit
        self._overview_limit = overview_limit
        self._countries_window = countries_window
        self._alert_backlog = alert_backlog
        self._alert_cursor: FeedCursor | None = None  # where the next alerts read starts, and what is delivered
        self._failures = 0
        self._last_ok: float | None = None
        self._paused = False
        self._timer: QTimer | None = None
        self._thread: QThread | None = None
        for sig, slot in ((self._pauseRequested, self._pause), (self._resumeRequested, self._resume),
                          (self._refreshRequested, self._poll), (self._intervalRequested, self._set_interval),
                          (self._windowRequested, self._set_window), (self._stopRequested, self._stop)):
            sig.connect(slot)

    # -- GUI side -----------------------------------------------------------------------------------
    def start(self) -> QThread:
        """Move to a new thread and start polling; call from the GUI thread."""
        thread = QThread()
        thread.setObjectName("fumidai-poller")
        self.moveToThread(thread)
        thread.started.connect(self._begin)
        self._thread = thread
        thread.start()
        return thread

    def shutdown(self, wait_ms: int = 15000) -> bool:
        """Stop polling and end the thread; waits for a request in flight (bounded by its timeout)."""
        thread, self._thread = self._thread, None
        if thread is None:
            return True
        self._stopRequested.emit()
        return thread.wait(wait_ms)

    def pause(self) -> None:
        self._pauseRequested.emit()

    def resume(self) -> None:
        self._resumeRequested.emit()

    def refresh_now(self) -> None:
        self._refreshRequested.emit()

    def set_interval(self, seconds: float) -> None:
        self._intervalRequested.emit(float(seconds))

    def set_countries_window(self, seconds: int) -> None:
        self._windowRequested.emit(int(seconds))

    @property
    def interval(self) -> float:
        return self._interval

    # -- worker side --------------------------------------------------------------------------------
    @Slot()
    def _begin(self) -> None:
        self._timer = QTimer(self)  # created here so it belongs to the worker thread
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._poll)
        self._poll()

    @Slot()
    def _stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer.setParent(None)  # destroyed here, in its own thread
            self._timer = None
        self._client.close()
        self.thread().quit()

    @Slot()
    def _pause(self) -> None:
        self._paused = True
        if self._timer is not None:
            self._timer.stop()

    @Slot()
    def _resume(self) -> None:
        if self._paused:
            self._paused = False
            self._poll()

    @Slot(float)
    def _set_interval(self, seconds: float) -> None:
        self._interval = max(0.2, seconds)
        if not self._paused and self._failures == 0:
            self._schedule(self._interval)

    @Slot(int)
    def _set_window(self, seconds: int) -> None:
        self._countries_window = seconds
        if not self._paused:
            self._poll()

    def _schedule(self, delay: float) -> None:
        if self._timer is None or self._paused:
            return
        self._timer.start(int(delay * 1000))
        self.nextPollScheduled.emit(delay)

    @Slot()
    def _poll(self) -> None:
        if self._timer is None:  # stopped
            return
        self._timer.stop()
        try:
            # Rates over 5 minutes: the current minute has barely begun at most polls (worse under a
            # simulator's fast clock), so a one-minute rate reads near zero.
            overview = self._client.overview(window=RATE_WINDOW_S, limit=self._overview_limit)
            accounts = self._client.accounts(status="active", sort="-rate", window=RATE_WINDOW_S,
                                             limit=self._table_limit)
            countries = self._client.countries(self._countries_window) if self._countries_window else None
            alerts = self._fetch_alerts(overview.newest_alert_id)
        except ApiClientError as err:
            self._failures += 1
            self.failed.emit(error_text(err, self._client.base_url))
            self.stale.emit(time.time() - self._last_ok if self._last_ok else -1.0)
            self._schedule(min(self._interval * 2 ** self._failures, BACKOFF_CAP_S))
            return
        first = self._last_ok is None
        self._failures = 0
        self._last_ok = time.time()
        self.snapshotReceived.emit(Snapshot(overview, accounts, countries, self._last_ok))
        if alerts or first:  # the first, even empty, is the backlog: what comes after it is news
            self.alertsReceived.emit(alerts)
        self._schedule(self._interval)

    def _fetch_alerts(self, newest: int) -> list:
        """New alerts, each once: paging so none is skipped, from the server's next_after_id so
        none committed late (below one already shown) is skipped either."""
        cursor = self._alert_cursor
        if cursor is None or newest < cursor.after_id:  # first poll, or a new database: the recent backlog only
            cursor = FeedCursor(max(0, newest - self._alert_backlog))
        taken = cursor.copy()  # the cursor moves only on success
        out: list = []
        if newest > taken.after_id:
            after = taken.after_id
            for _ in range(ALERT_PAGES):
                page = self._client.alerts(after_id=after, limit=ALERT_PAGE)
                out.extend(taken.take(after, page.items, page.next_after_id))
                if len(page.items) < ALERT_PAGE:
                    break
                after = page.items[-1].id
        self._alert_cursor = taken
        return out
