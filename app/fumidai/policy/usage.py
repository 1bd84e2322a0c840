"""Rolling counts at one-minute granularity.

"100 per hour" means no more than 100 in any 60-minute span. A window keeps one bucket
per minute that saw traffic, in a flat list ``[minute, messages, recipients, …]``, with
running totals for the last hour and the last day and a start index for each that moves
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

    __slots__ = ("buckets", "hour_start", "day_start", "hour_messages", "hour_recipients", "day_messages", "day_recipients")

    def __init__(self) -> None:
        self.buckets: list[int] = []  # minute, messages, recipients; oldest first
        self.hour_start = 0  # index of the first bucket inside the hour
        self.day_start = 0  # index of the first bucket inside the day
        self.hour_messages = self.hour_recipients = self.day_messages = self.day_recipients = 0

    def _expire(self, minute: int) -> None:
        buckets = self.buckets
        n = len(buckets)
        i = self.hour_start
        oldest = minute - HOUR
        while i < n and buckets[i] <= oldest:
            self.hour_messages -= buckets[i + 1]
            self.hour_recipients -= buckets[i + 2]
            i += 3
        self.hour_start = i
        i = self.day_start
        oldest = minute - DAY
        while i < n and buckets[i] <= oldest:
            self.day_messages -= buckets[i + 1]
            self.day_recipients -= buckets[i + 2]
            i += 3
        self.day_start = i
        if i >= _COMPACT and 2 * i >= n:
            del buckets[:i]
            self.hour_start -= i
            self.day_start = 0

    def add(self, minute: int, messages: int, recipients: int) -> None:
        """Count at ``minute``; minutes normally arrive in order (a late one is put in place)."""
        buckets = self.buckets
        if not buckets or buckets[-3] < minute:
            # Expiry on write, checked once per new minute: a window nobody reads (a
            # country without a cap) would otherwise keep every bucket.
            day_start = self.day_start
            if day_start < len(buckets) and buckets[day_start] <= minute - DAY:
                self._expire(minute)
            buckets += (minute, messages, recipients)
        elif buckets[-3] == minute:
            buckets[-2] += messages
            buckets[-1] += recipients
            last = len(buckets) - 3
            if last < self.hour_start:  # that minute has already left the hour (or the day)
                if last >= self.day_start:
                    self.day_messages += messages
                    self.day_recipients += recipients
                return
        else:
            self._insert(minute, messages, recipients)
            return
        self.hour_messages += messages
        self.hour_recipients += recipients
        self.day_messages += messages
        self.day_recipients += recipients

    def _insert(self, minute: int, messages: int, recipients: int) -> None:
        buckets = self.buckets
        i = len(buckets) - 3
        while i >= 0 and buckets[i] > minute:
            i -= 3
        if i >= 0 and buckets[i] == minute:
            buckets[i + 1] += messages
            buckets[i + 2] += recipients
        else:
            i += 3
            buckets[i:i] = (minute, messages, recipients)
            # A bucket placed before a start index is older than an expired one: expired too.
            if i < self.day_start:
                self.day_start += 3
                self.hour_start += 3
                return
            if i < self.hour_start:
                self.hour_start += 3
        if i >= self.day_start:
            self.day_messages += messages
            self.day_recipients += recipients
        if i >= self.hour_start:
            self.hour_messages += messages
            self.hour_recipients += recipients

    def hour(self, minute: int) -> tuple[int, int]:
        self._expire(minute)
        return self.hour_messages, self.hour_recipients

    def day(self, minute: int) -> tuple[int, int]:
        self._expire(minute)
        return self.day_messages, self.day_recipients

    def at(self, minute: int) -> tuple[int, int]:
        """The counts of one minute."""
        buckets = self.buckets
        i = len(buckets) - 3
        while i >= self.day_start:
            if buckets[i] == minute:
                return buckets[i + 1], buckets[i + 2]
            if buckets[i] < minute:
                break
            i -= 3
        return 0, 0

    def series(self, minute: int) -> list[tuple[int, int, int]]:
        """(minute, messages, recipients) of every minute with traffic in the last day."""
        self._expire(minute)
        buckets = self.buckets
        return [(buckets[i], buckets[i + 1], buckets[i + 2]) for i in range(self.day_start, len(buckets), 3)]

    def last_minute(self) -> int | None:
        return self.buckets[-3] if self.buckets else None


class UniqueRecipients:
    """Distinct recipients in the last day (as in-process hashes of the addresses)."""

    __slots__ = ("order", "first_live", "last_seen")

    def __init__(self) -> None:
        self.order: list = []  # minute, hash, minute, hash, …; oldest first
        self.first_live = 0  # index of the oldest entry still inside the day
        self.last_seen: dict[int, int] = {}

    def _expire(self, minute: int) -> None:
        order, i, n = self.order, self.first_live, len(self.order)
        oldest = minute - DAY
        while i < n and order[i] <= oldest:
            h = order[i + 1]
            if self.last_seen.get(h) == order[i]:
                del self.last_seen[h]
            i += 2
        self.first_live = i
        if i >= _COMPACT and 2 * i >= n:
            del order[:i]
            self.first_live = 0

    def new_among(self, minute: int, hashes: set[int]) -> int:
        """How many of ``hashes`` are not yet in the window."""
        self._expire(minute)
        seen = self.last_seen
        return sum(1 for h in hashes if h not in seen)

    def add(self, minute: int, hashes: set[int]) -> None:
        order, first_live = self.order, self.first_live
        if first_live < len(order) and order[first_live] <= minute - DAY:  # expiry on write, as RollingWindow.add
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
