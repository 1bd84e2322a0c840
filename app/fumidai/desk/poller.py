"""Poller: reads the backend every few seconds off the GUI thread and hands snapshots to the GUI.

Each poll is one call on the poller's ``BackgroundCalls`` (background.py); its timer lives in the
GUI thread and is started again only when a poll has come back, so a slow request delays the next
poll instead of piling them up. The signals are emitted on the GUI thread.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal

from .api.client import ApiClient
from .api.cursor import FeedCursor
from .api.models import AccountPage, Countries, Overview
from .background import BackgroundCalls
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


@dataclass(frozen=True)
class _Poll:
    snapshot: Snapshot
    alerts: list  # new since the cursor, oldest first
    alert_cursor: FeedCursor


def fetch_poll(client: ApiClient, table_limit: int, overview_limit: int, countries_window: int | None,
               alert_cursor: FeedCursor | None, alert_backlog: int) -> _Poll:
    """One poll, on a pool thread: the overview, the table, the map's counts and the new alerts."""
    # Rates over 5 minutes: the current minute has barely begun at most polls (worse under a
    # simulator's fast clock), so a one-minute rate reads near zero.
    overview = client.overview(window=RATE_WINDOW_S, limit=overview_limit)
    accounts = client.accounts(status="active", sort="-rate", window=RATE_WINDOW_S, limit=table_limit)
    countries = client.countries(countries_window) if countries_window else None
    alerts, cursor = _fetch_alerts(client, overview.newest_alert_id, alert_cursor, alert_backlog)
    return _Poll(Snapshot(overview, accounts, countries, time.time()), alerts, cursor)


def _fetch_alerts(client: ApiClient, newest: int, cursor: FeedCursor | None, backlog: int) -> tuple[list, FeedCursor]:
    """New alerts, each once: paging so none is skipped, from the server's next_after_id so none
    committed late (below one already shown) is skipped either. The cursor moves only on success:
    the poller keeps the returned copy when the poll comes back."""
    if cursor is None or newest < cursor.after_id:  # first poll, or a new database: the recent backlog only
        cursor = FeedCursor(max(0, newest - backlog))
    taken = cursor.copy()
    out: list = []
    if newest > taken.after_id:
        after = taken.after_id
        for _ in range(ALERT_PAGES):
            page = client.alerts(after_id=after, limit=ALERT_PAGE)
            out.extend(taken.take(after, page.items, page.next_after_id))
            if len(page.items) < ALERT_PAGE:
                break
            after = page.items[-1].id
    return out, taken


class Poller(QObject):
    snapshotReceived = Signal(object)  # Snapshot
    alertsReceived = Signal(list)  # [AlertItem], oldest first, each exactly once; the first may be empty
    failed = Signal(str)  # one translated line
    stale = Signal(float)  # seconds since the last good snapshot (-1: none yet), after a failure
    nextPollScheduled = Signal(float)  # seconds until the next poll (grows with backoff)

    def __init__(self, client: ApiClient, interval_s: float = 2.0, table_limit: int = 5000,
                 overview_limit: int = 50, countries_window: int | None = 3600, alert_backlog: int = 200,
                 timeout_s: float = 10.0, parent: QObject | None = None):
        super().__init__(parent)
        self._client = client.clone(timeout=timeout_s)  # the source of the pool thread's own Session
        self._calls = BackgroundCalls(self._client, self, threads=1, name="fumidai-poller")
        self._interval = interval_s
        self._table_limit = table_limit
        self._overview_limit = overview_limit
        self._countries_window = countries_window
        self._alert_backlog = alert_backlog
        self._alert_cursor: FeedCursor | None = None  # where the next alerts read starts, and what is delivered
        self._failures = 0
        self._last_ok: float | None = None
        self._paused = False
        self._started = False
        self._in_flight = False
        self._poll_again = False  # asked for while a poll was in flight: poll once it is back
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._poll)

    def start(self) -> None:
        """Start polling (the first poll at once)."""
        self._started = True
        self._poll()

    def shutdown(self, wait_ms: int = 15000) -> bool:
        """Stop polling; waits for a request in flight (bounded by its timeout)."""
        self._started = False
        self._timer.stop()
        done = self._calls.close(wait_ms)
        self._client.close()
        return done

    def pause(self) -> None:
        self._paused = True
        self._timer.stop()

    def resume(self) -> None:
        if self._paused:
            self._paused = False
            self._poll()

    def refresh_now(self) -> None:
        self._poll()

    def set_interval(self, seconds: float) -> None:
        self._interval = max(0.2, float(seconds))
        if not self._paused and self._failures == 0 and not self._in_flight:
            self._schedule(self._interval)

    def set_countries_window(self, seconds: int) -> None:
        self._countries_window = int(seconds)
        if not self._paused:
            self._poll()

    @property
    def interval(self) -> float:
        return self._interval

    def _schedule(self, delay: float) -> None:
        if not self._started or self._paused:
            return
        self._timer.start(int(delay * 1000))
        self.nextPollScheduled.emit(delay)

    def _poll(self) -> None:
        if not self._started:
            return
        if self._in_flight:
            self._poll_again = True
            return
        self._timer.stop()
        self._in_flight = True
        args = (self._table_limit, self._overview_limit, self._countries_window, self._alert_cursor,
                self._alert_backlog)
        self._calls.submit(lambda client: fetch_poll(client, *args), self._on_polled, self._on_failed)

    def _on_polled(self, poll: _Poll) -> None:
        self._in_flight = False
        first = self._last_ok is None
        self._failures = 0
        self._last_ok = poll.snapshot.received_at
        self._alert_cursor = poll.alert_cursor
        self.snapshotReceived.emit(poll.snapshot)
        if poll.alerts or first:  # the first, even empty, is the backlog: what comes after it is news
            self.alertsReceived.emit(poll.alerts)
        self._next(self._interval)

    def _on_failed(self, error: BaseException) -> None:
        self._in_flight = False
        self._failures += 1
        self.failed.emit(error_text(error, self._client.base_url))
        self.stale.emit(time.time() - self._last_ok if self._last_ok else -1.0)
        self._next(min(self._interval * 2 ** self._failures, BACKOFF_CAP_S))

    def _next(self, delay: float) -> None:
        if self._poll_again and not self._paused:
            self._poll_again = False
            self._poll()
        else:
            self._poll_again = False
            self._schedule(delay)
