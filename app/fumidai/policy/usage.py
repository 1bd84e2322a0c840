"""Rolling counts at one-minute granularity.

"100 per hour" means no more than 100 in any 60-minute span. A window keeps one bucket
per minute that saw traffic, in a flat list ``[minute, messages, recipients, …]``, with
running totals for the last hour and the last day and a head index for each that moves
forward as buckets age out: a count costs O(1) amortised, and an account that sent one
message costs a few hundred bytes (a deque per window would cost ten times that, which
matters with a hundred thousand accounts active in a day). Standard library only.
"""

from __future__ import annotations

HOUR = 60  # minutes
DAY = 1440
_COMPACT = 48  # drop expired buckets from the list once this many list slots are dead


class RollingWindow:
    """Messages and recipients in the last hour and the last day (the current minute included)."""

    __slots__ = ("b", "hh", "dh", "hm", "hr", "dm", "dr")

    def __init__(self) -> None:
        self.b: list[int] = []  # minute, messages, recipients; oldest first
        self.hh = 0  # index of the first bucket inside the hour
        self.dh = 0  # index of the first bucket inside the day
        self.hm = self.hr = self.dm = self.dr = 0

    def _expire(self, minute: int) -> None:
        b = self.b
        n = len(b)
        i = self.hh
        oldest = minute - HOUR
        while i < n and b[i] <= oldest:
            self.hm -= b[i + 1]
            self.hr -= b[i + 2]
            i += 3
        self.hh = i
        i = self.dh
        oldest = minute - DAY
        while i < n and b[i] <= oldest:
            self.dm -= b[i + 1]
            self.dr -= b[i + 2]
            i += 3
        self.dh = i
        if i >= _COMPACT and 2 * i >= n:
            del b[:i]
            self.hh -= i
            self.dh = 0

    def add(self, minute: int, messages: int, recipients: int) -> None:
        """Count at ``minute``; minutes normally arrive in order (a late one is put in place)."""
        b = self.b
        if not b or b[-3] < minute:
            # Expiry on write, checked once per new minute: a window nobody reads (a
            # country without a cap) would otherwise keep every bucket.
            dh = self.dh
            if dh < len(b) and b[dh] <= minute - DAY:
                self._expire(minute)
            b += (minute, messages, recipients)
        elif b[-3] == minute:
            b[-2] += messages
            b[-1] += recipients
            last = len(b) - 3
            if last < self.hh:  # that minute has already left the hour (or the day)
                if last >= self.dh:
                    self.dm += messages
                    self.dr += recipients
                return
        else:
            self._insert(minute, messages, recipients)
            return
        self.hm += messages
        self.hr += recipients
        self.dm += messages
        self.dr += recipients

    def _insert(self, minute: int, messages: int, recipients: int) -> None:
        b = self.b
        i = len(b) - 3
        while i >= 0 and b[i] > minute:
            i -= 3
        if i >= 0 and b[i] == minute:
            b[i + 1] += messages
            b[i + 2] += recipients
        else:
            i += 3
            b[i:i] = (minute, messages, recipients)
            # A bucket placed before a head is older than an expired one: expired too.
            if i < self.dh:
                self.dh += 3
                self.hh += 3
                return
            if i < self.hh:
                self.hh += 3
        if i >= self.dh:
            self.dm += messages
            self.dr += recipients
        if i >= self.hh:
            self.hm += messages
            self.hr += recipients

    def hour(self, minute: int) -> tuple[int, int]:
        self._expire(minute)
        return self.hm, self.hr

    def day(self, minute: int) -> tuple[int, int]:
        self._expire(minute)
        return self.dm, self.dr

    def at(self, minute: int) -> tuple[int, int]:
        """The counts of one minute."""
        b = self.b
        i = len(b) - 3
        while i >= self.dh:
            if b[i] == minute:
                return b[i + 1], b[i + 2]
            if b[i] < minute:
                break
            i -= 3
        return 0, 0

    def series(self, minute: int) -> list[tuple[int, int, int]]:
        """(minute, messages, recipients) of every minute with traffic in the last day."""
        self._expire(minute)
        b = self.b
        return [(b[i], b[i + 1], b[i + 2]) for i in range(self.dh, len(b), 3)]

    def last_minute(self) -> int | None:
        return self.b[-3] if self.b else None


class UniqueRecipients:
    """Distinct recipients in the last day (as in-process hashes of the addresses)."""

    __slots__ = ("order", "head", "last_seen")

    def __init__(self) -> None:
        self.order: list = []  # minute, hash, minute, hash, …; oldest first
        self.head = 0
        self.last_seen: dict[int, int] = {}

    def _expire(self, minute: int) -> None:
        order, i, n = self.order, self.head, len(self.order)
        oldest = minute - DAY
        while i < n and order[i] <= oldest:
            h = order[i + 1]
            if self.last_seen.get(h) == order[i]:
                del self.last_seen[h]
            i += 2
        self.head = i
        if i >= _COMPACT and 2 * i >= n:
            del order[:i]
            self.head = 0

    def new_among(self, minute: int, hashes: set[int]) -> int:
        """How many of ``hashes`` are not yet in the window."""
        self._expire(minute)
        seen = self.last_seen
        return sum(1 for h in hashes if h not in seen)

    def add(self, minute: int, hashes: set[int]) -> None:
        order, head = self.order, self.head
        if head < len(order) and order[head] <= minute - DAY:  # expiry on write, as RollingWindow.add
            self._expire(minute)
        seen = self.last_seen
        for h in hashes:
            if seen.get(h) != minute:
                seen[h] = minute
                self.order += (minute, h)

    def count(self, minute: int) -> int:
        self._expire(minute)
        return len(self.last_seen)


def recipient_hash(address: str) -> int:
    # Only ever compared inside this process (distinct recipients are not stored), so the
    # built-in salted hash serves: it costs a tenth of a cryptographic one.
    return hash(address.lower())


class Usage:
    """What one account sent, accepted and refused, in total and per source country.

    Refusals and distinct recipients are rarer than accepted mail: their structures are
    made on first use.
    """

    __slots__ = ("total", "by_country", "refused", "refused_by_country", "unique", "last", "vouched_by_country")

    def __init__(self) -> None:
        self.total = RollingWindow()
        self.by_country: dict[str, RollingWindow] = {}
        self.refused: RollingWindow | None = None
        self.refused_by_country: dict[str, RollingWindow] | None = None
        self.unique: UniqueRecipients | None = None
        self.last = 0  # the newest minute with any traffic
        # Accepted mail from capped countries that behaviour analysis vouched for (made on first use).
        self.vouched_by_country: dict[str, RollingWindow] | None = None

    def record(self, minute: int, country: str, messages: int, recipients: int, accepted: bool) -> None:
        if accepted:
            self.total.add(minute, messages, recipients)
            table = self.by_country
        else:
            if self.refused is None:
                self.refused, self.refused_by_country = RollingWindow(), {}
            self.refused.add(minute, messages, recipients)
            table = self.refused_by_country
        w = table.get(country)
        if w is None:
            w = table[country] = RollingWindow()
        w.add(minute, messages, recipients)
        if minute > self.last:
            self.last = minute

    def hour(self, minute: int) -> tuple[int, int]:
        return self.total.hour(minute)

    def day(self, minute: int) -> tuple[int, int]:
        return self.total.day(minute)

    def refused_day(self, minute: int) -> tuple[int, int]:
        return self.refused.day(minute) if self.refused is not None else (0, 0)

    def country_totals(self, minute: int, codes, hour: bool) -> tuple[int, int]:
        """Accepted (messages, recipients) from the given countries, last hour or last day."""
        m = r = 0
        table = self.by_country
        for code in codes:
            w = table.get(code)
            if w is not None:
                a, b = w.hour(minute) if hour else w.day(minute)
                m += a
                r += b
        return m, r

    def record_vouched(self, minute: int, country: str, messages: int, recipients: int) -> None:
        """Accepted mail from a capped country that the account's history vouched for."""
        table = self.vouched_by_country
        if table is None:
            table = self.vouched_by_country = {}
        w = table.get(country)
        if w is None:
            w = table[country] = RollingWindow()
        w.add(minute, messages, recipients)

    def cap_totals(self, minute: int, codes, hour: bool) -> tuple[int, int]:
        """What the abroad and country caps count: accepted mail from those countries, less the vouched."""
        m, r = self.country_totals(minute, codes, hour)
        vouched = self.vouched_by_country
        if vouched:
            for code in codes:
                w = vouched.get(code)
                if w is not None:
                    a, b = w.hour(minute) if hour else w.day(minute)
                    m -= a
                    r -= b
        return m, r

    def countries(self, minute: int) -> dict[str, tuple[int, int, int, int]]:
        """Per country with traffic in the last day: (messages hour, messages day, recipients day, refused day)."""
        out = {}
        refused = self.refused_by_country or {}
        for code in set(self.by_country) | set(refused):
            w = self.by_country.get(code)
            hm = w.hour(minute)[0] if w else 0
            dm, dr = w.day(minute) if w else (0, 0)
            ref = refused[code].day(minute)[0] if code in refused else 0
            if dm or ref:
                out[code] = (hm, dm, dr, ref)
        return out

    def unique_count(self, minute: int) -> int:
        return self.unique.count(minute) if self.unique is not None else 0

    def unique_new(self, minute: int, hashes: set[int]) -> int:
        return self.unique.new_among(minute, hashes) if self.unique is not None else len(hashes)

    def unique_add(self, minute: int, hashes: set[int]) -> None:
        if self.unique is None:
            self.unique = UniqueRecipients()
        self.unique.add(minute, hashes)

    def shed(self, minute: int) -> None:
        """Let go of what has left the day: per-country windows, refusals and distinct
        recipients with nothing in it any more (for a periodic sweep, not per request)."""
        if len(self.by_country) <= 1 and self.refused is None and self.unique is None and self.vouched_by_country is None:
            return  # most accounts: one country, whose window expires on write
        for table in (self.by_country, self.refused_by_country, self.vouched_by_country):
            if table:
                for code in [c for c, w in table.items() if w.day(minute) == (0, 0)]:
                    del table[code]
        if self.refused is not None and not self.refused_by_country and self.refused.day(minute) == (0, 0):
            self.refused = self.refused_by_country = None
        if self.unique is not None and not self.unique.count(minute):
            self.unique = None
        if self.vouched_by_country is not None and not self.vouched_by_country:
            self.vouched_by_country = None

    def idle(self, minute: int) -> bool:
        """Nothing counted in the last day: the usage can be dropped."""
        return minute - self.last >= DAY
