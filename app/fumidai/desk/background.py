"""The desk's one way to run backend calls off the GUI thread: the poller, staff actions and reads,
the live plot's series all use a ``BackgroundCalls``.

A call is a function of an ``ApiClient``: each pool thread gets its own clone (a requests.Session is
not thread-safe). Its result, or the exception it raised, comes back on the GUI thread: the worker
only emits a private signal connected, queued, to a bound slot of this object (which lives in the
GUI thread; a lambda connected there would run in the worker), and that slot calls the caller's
``on_success(result)`` or ``on_failure(exception)``. Every exception is delivered as an error, none
is lost in a worker.

Cancelling: ``cancel(call_id)`` drops a call's outcome (and the call itself if it has not started);
a call submitted on a ``lane`` cancels the previous one of that lane (cancel-the-previous, as
Orange does: only the newest answer of a changing question counts). ``close()`` cancels everything,
waits for what runs (bounded by the client's timeout) and closes every thread's session; nothing
is delivered after it.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot

from .api.client import ApiClient


@dataclass
class _Outcome:
    on_success: Callable[[Any], None] | None
    on_failure: Callable[[BaseException], None] | None
    lane: str | None


class _Call(QRunnable):
    def __init__(self, owner: BackgroundCalls, call_id: int, call: Callable[[ApiClient], Any]):
        super().__init__()
        self._owner, self._id, self._call = owner, call_id, call

    def run(self) -> None:  # in a pool thread: HTTP only, never widgets
        owner = self._owner
        if not owner._wanted(self._id):
            return
        try:
            result, ok = self._call(owner.thread_client()), True
        except Exception as exc:  # goes back to the GUI thread, to be explained there
            result, ok = exc, False
        try:
            owner._finished.emit(self._id, ok, result)
        except RuntimeError:  # the owner's Qt object is gone (its window closed): nobody to tell
            pass


class BackgroundCalls(QObject):
    """A thread pool for backend calls whose outcomes are delivered on the GUI thread."""

    busyChanged = Signal(bool)  # True when the first call starts, False when none is left
    _finished = Signal(int, bool, object)

    def __init__(self, client: ApiClient | None, parent: QObject | None = None, *, threads: int = 1,
                 name: str = "fumidai-calls"):
        super().__init__(parent)
        self._client = client
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads)
        # Threads never expire, so the per-thread clients stay as few as the threads.
        self._pool.setExpiryTimeout(-1)
        self._pool.setObjectName(name)
        self._local = threading.local()
        self._clones: list[ApiClient] = []
        self._lock = threading.Lock()  # guards _clones and _live, which pool threads read
        self._live: set[int] = set()
        self._awaiting: dict[int, _Outcome] = {}
        self._lanes: dict[str, int] = {}
        self._ids = itertools.count(1)
        self._closed = False
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @property
    def client(self) -> ApiClient | None:
        return self._client

    def set_client(self, client: ApiClient) -> None:
        """Calls submitted from now on use clones of ``client`` (e.g. after signing in again)."""
        self._client = client

    def submit(self, call: Callable[[ApiClient], Any], on_success: Callable[[Any], None] | None = None,
               on_failure: Callable[[BaseException], None] | None = None, *, lane: str | None = None) -> int:
        """Run ``call(client)`` on a pool thread; returns an id for ``cancel`` (0: closed, not run)."""
        if self._closed:  # a widget asking during shutdown: nobody is left to hear the answer
            return 0
        call_id = next(self._ids)
        if lane is not None:
            previous = self._lanes.get(lane)
            if previous is not None:
                self.cancel(previous)
            self._lanes[lane] = call_id
        with self._lock:
            self._live.add(call_id)
        self._awaiting[call_id] = _Outcome(on_success, on_failure, lane)
        if len(self._awaiting) == 1:
            self.busyChanged.emit(True)
        self._pool.start(_Call(self, call_id, call))
        return call_id

    def cancel(self, call_id: int) -> None:
        """Its outcome is never delivered; not started yet, it does not run."""
        with self._lock:
            self._live.discard(call_id)
        outcome = self._awaiting.pop(call_id, None)
        if outcome is not None:
            if outcome.lane is not None and self._lanes.get(outcome.lane) == call_id:
                del self._lanes[outcome.lane]
            if not self._awaiting:
                self.busyChanged.emit(False)

    @property
    def running(self) -> int:
        """Calls submitted whose outcome has not been delivered yet."""
        return len(self._awaiting)

    def wait(self, msecs: int = 10000) -> bool:
        """Block until every started call has returned (for shutdown and tests); the outcomes are
        delivered by the event loop afterwards."""
        return self._pool.waitForDone(msecs)

    def close(self, msecs: int = 15000) -> bool:
        """Cancel everything, wait for running calls, close every thread's session."""
        self._closed = True
        for call_id in list(self._awaiting):
            self.cancel(call_id)
        self._pool.clear()  # queued, not started
        done = self._pool.waitForDone(msecs)
        with self._lock:
            clones, self._clones = self._clones, []
        for clone in clones:
            clone.close()
        return done

    def thread_client(self) -> ApiClient:
        """This pool thread's own clone of the client."""
        source = self._client
        if source is None:
            raise RuntimeError("no backend client")
        local = self._local
        if getattr(local, "source", None) is not source:
            local.client, local.source = source.clone(), source
            with self._lock:
                self._clones.append(local.client)
        return local.client

    def _wanted(self, call_id: int) -> bool:
        with self._lock:
            return call_id in self._live

    @Slot(int, bool, object)
    def _deliver(self, call_id: int, ok: bool, result: object) -> None:
        with self._lock:
            self._live.discard(call_id)
        outcome = self._awaiting.pop(call_id, None)
        if outcome is None:  # cancelled, superseded or closed
            return
        if outcome.lane is not None and self._lanes.get(outcome.lane) == call_id:
            del self._lanes[outcome.lane]
        if not self._awaiting:
            self.busyChanged.emit(False)
        if ok:
            if outcome.on_success is not None:
                outcome.on_success(result)
        elif outcome.on_failure is not None:
            outcome.on_failure(result)  # type: ignore[arg-type]
