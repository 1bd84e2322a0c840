"""Rolling counts at one-minute granularity.

"100 per hour" means no more than 100 in any 60-minute span: a window holds one bucket
per minute that saw traffic and a running total, and drops buckets as they age out, so a
count costs O(1) amortised and memory grows only with the minutes an account was active.
Standard library only.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

HOUR = 60  # minutes
DAY = 1440


class RollingWindow:
    """Messages and recipients in the last ``span`` minutes (the current minute included)."""

    __slots__ = ("span", "buckets", "messages", "recipients")

    def __init__(self, span: int) -> None:
        self.span = span
        self.buckets: deque[list[int]] = deque()  # [minute, messages, recipients], oldest first
        self.messages = 0
        self.recipients = 0

    def _expire(self, minute: int) -> None:
        oldest = minute - self.span
        buckets = self.buckets
        while buckets and buckets[0][0] <= oldest:
            _, m, r = buckets.popleft()
            self.messages -= m
            self.recipients -= r

    def add(self, minute: int, messages: int, recipients: int) -> None:
        self._expire(minute)
        buckets = self.buckets
        if buckets and buckets[-1][0] >= minute:
            if buckets[-1][0] == minute:
                last = buckets[-1]
                last[1] += messages
                last[2] += recipients
            else:  # a late count (replayed or from another node): keep minute order
                self._insert(minute, messages, recipients)
        else:
            buckets.append([minute, messages, recipients])
        self.messages += messages
        self.recipients += recipients

    def _insert(self, minute: int, messages: int, recipients: int) -> None:
        for i in range(len(self.buckets) - 1, -1, -1):
            b = self.buckets[i]
            if b[0] == minute:
                b[1] += messages
                b[2] += recipients
                return
            if b[0] < minute:
                self.buckets.insert(i + 1, [minute, messages, recipients])
                return
        self.buckets.appendleft([minute, messages, recipients])

    def totals(self, minute: int) -> tuple[int, int]:
        self._expire(minute)
        return self.messages, self.recipients

    def at(self, minute: int) -> tuple[int, int]:
        """The counts of one minute."""
        for b in reversed(self.buckets):
            if b[0] == minute:
                return b[1], b[2]
            if b[0] < minute:
                break
        return 0, 0

    def series(self, minute: int) -> list[tuple[int, int, int]]:
        """(minute, messages, recipients) of every minute with traffic in the window."""
        self._expire(minute)
        return [(b[0], b[1], b[2]) for b in self.buckets]

    def empty(self, minute: int) -> bool:
        self._expire(minute)
        return not self.buckets


class UniqueRecipients:
    """Distinct recipients in the last ``span`` minutes (stored as 64-bit hashes)."""

    __slots__ = ("span", "order", "last_seen")

    def __init__(self, span: int = DAY) -> None:
        self.span = span
        self.order: deque[tuple[int, int]] = deque()  # (minute, hash), oldest first
        self.last_seen: dict[int, int] = {}

    def _expire(self, minute: int) -> None:
        oldest = minute - self.span
        while self.order and self.order[0][0] <= oldest:
            m, h = self.order.popleft()
            if self.last_seen.get(h) == m:
                del self.last_seen[h]

    def new_among(self, minute: int, hashes: set[int]) -> int:
        """How many of ``hashes`` are not yet in the window."""
        self._expire(minute)
        return sum(1 for h in hashes if h not in self.last_seen)

    def add(self, minute: int, hashes: set[int]) -> None:
        self._expire(minute)
        for h in hashes:
            if self.last_seen.get(h) != minute:
                self.last_seen[h] = minute
                self.order.append((minute, h))

    def count(self, minute: int) -> int:
        self._expire(minute)
        return len(self.last_seen)


def recipient_hash(address: str) -> int:
    # Python's str hash is salted per process; a stable hash lets nodes and restarts agree.
    import hashlib

    digest = hashlib.blake2b(address.strip().lower().encode("utf-8", "surrogateescape"), digest_size=8).digest()
    return int.from_bytes(digest, "big")


@dataclass(slots=True)
class Usage:
    """What one account sent: accepted and refused, in total and by country, per window."""

    hour: RollingWindow = field(default_factory=lambda: RollingWindow(HOUR))
    day: RollingWindow = field(default_factory=lambda: RollingWindow(DAY))
    refused_day: RollingWindow = field(default_factory=lambda: RollingWindow(DAY))
    # Accepted mail per source country, last hour and last day.
    country_hour: dict[str, RollingWindow] = field(default_factory=dict)
    country_day: dict[str, RollingWindow] = field(default_factory=dict)
    refused_country_day: dict[str, RollingWindow] = field(default_factory=dict)
    unique: UniqueRecipients = field(default_factory=UniqueRecipients)
    last_minute: int = 0  # the newest minute with any traffic

    def record(self, minute: int, country: str, messages: int, recipients: int, accepted: bool) -> None:
        if accepted:
            self.hour.add(minute, messages, recipients)
            self.day.add(minute, messages, recipients)
            _window(self.country_hour, country, HOUR).add(minute, messages, recipients)
            _window(self.country_day, country, DAY).add(minute, messages, recipients)
        else:
            self.refused_day.add(minute, messages, recipients)
            _window(self.refused_country_day, country, DAY).add(minute, messages, recipients)
        if minute > self.last_minute:
            self.last_minute = minute

    def country_totals(self, minute: int, countries_hour: bool, codes) -> tuple[int, int]:
        """Accepted (messages, recipients) from the given countries, last hour or day."""
        table = self.country_hour if countries_hour else self.country_day
        m = r = 0
        for code in codes:
            w = table.get(code)
            if w is not None:
                a, b = w.totals(minute)
                m += a
                r += b
        return m, r

    def countries(self, minute: int) -> dict[str, tuple[int, int]]:
        """Accepted (messages, recipients) per country over the last day, countries with traffic only."""
        out = {}
        for code, w in list(self.country_day.items()):
            m, r = w.totals(minute)
            if m or r:
                out[code] = (m, r)
            else:
                del self.country_day[code]
                self.country_hour.pop(code, None)
        return out

    def idle(self, minute: int) -> bool:
        """Nothing counted in the last day: the usage can be dropped."""
        return minute - self.last_minute >= DAY


def _window(table: dict[str, RollingWindow], key: str, span: int) -> RollingWindow:
    w = table.get(key)
    if w is None:
        w = table[key] = RollingWindow(span)
    return w
