"""Cursors over id-ordered tables that cannot skip a row committed out of order.

On PostgreSQL an id is taken at INSERT and the row becomes visible at COMMIT, so with two
writers (two nodes, or the flusher and a staff action) row n+1 can be visible while row n is
not yet: a reader that moves its cursor to n+1 never sees n. A rolled-back insert leaves a
gap that never fills.

The rule here: a reader moves its cursor over an id only when no id below it can still
appear. An id x was taken after every smaller id (the sequences have no per-session cache),
so once this process has seen x for ``SETTLE_S`` seconds, whatever transaction holds a
smaller missing id has been open at least that long: longer than any of ours (they are
milliseconds; a statement timeout is far below) — it rolled back, and the gap is closed.
Until then the reader re-reads from its cursor (the trailing window) and drops what it
already had by id.

``FirstSeen`` is that memory of "when did this process first see id x", shared by every
reader of one table in a process (the API answers many clients); ``GapCursor`` is one
reader's cursor with the ids it already has above it (the audit sync). Pure: no SQL.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

SETTLE_S = 30.0  # longer than any transaction that writes these tables


class FirstSeen:
    """When this process first saw each id that lies just above a gap."""

    def __init__(self, settle_s: float = SETTLE_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.settle_s = settle_s
        self.clock = clock
        self._seen: dict[int, float] = {}
        self._forgotten_below = 0  # ids up to this one were seen more than settle_s ago (entries pruned)

    def safe_through(self, after_id: int, ids: Iterable[int]) -> int:
        """The highest id a cursor at ``after_id`` may move to, given the ids of one read made
        just now (ascending, all above ``after_id``): every id up to it is in ``ids``, is at or
        below ``after_id``, or lies in a gap that has settled (see the module's docstring)."""
        now = self.clock()
        cursor = after_id
        for i in ids:
            if i <= cursor:
                continue
            if i != cursor + 1 and not self._settled(i, now):
                break
            cursor = i
        self._prune(now)
        return cursor

    def _settled(self, i: int, now: float) -> bool:
        """Has ``i`` (just read, with a gap below it) been seen for settle_s already?"""
        first = self._seen.get(i)
        if first is None:
            if i <= self._forgotten_below:
                return True  # seen long ago, its entry pruned
            self._seen[i] = now
            return self.settle_s <= 0
        return now - first >= self.settle_s

    def _prune(self, now: float) -> None:
        # Bounded memory: an entry older than twice the bound only says "settled", which
        # _forgotten_below says as well (an id below it was taken before it).
        if len(self._seen) < 64:
            return
        old = [i for i, t in self._seen.items() if now - t >= 2 * self.settle_s]
        for i in old:
            del self._seen[i]
        if old:
            self._forgotten_below = max(self._forgotten_below, max(old))


class GapCursor:
    """One reader's position in a table: ``position`` (every id up to it delivered or settled
    as a gap) and the ids above it already delivered, so a re-read delivers each row once."""

    def __init__(self, position: int = 0, settle_s: float = SETTLE_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.position = position
        self.first_seen = FirstSeen(settle_s, clock)
        self._delivered: set[int] = set()

    def fresh(self, ids: Iterable[int]) -> list[int]:
        """Of the ids of a read (ascending, above ``position``), those not delivered before."""
        return [i for i in ids if i > self.position and i not in self._delivered]

    def delivered(self, ids: Iterable[int]) -> None:
        """Record ids as delivered (once applied); move ``position`` as far as is safe."""
        self._delivered.update(i for i in ids if i > self.position)
        self.position = self.first_seen.safe_through(self.position, sorted(self._delivered))
        self._delivered = {i for i in self._delivered if i > self.position}

    @property
    def high(self) -> int:
        """The highest id delivered (``position`` when nothing is delivered above it)."""
        return max(self._delivered, default=self.position)
