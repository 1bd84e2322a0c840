"""The in-process counters: every account's engine state, and a recent-activity index.

The index answers the desk's questions (top accounts now, counts per country) without
walking every account: the last hour is kept per minute as (account, country) cells,
and per-country day totals as rolling windows with a distinct-account count.
"""

from __future__ import annotations

import heapq
from collections import deque
from typing import Iterable, Iterator

from ..policy.engine import AccountState
from ..policy.usage import DAY, HOUR, RollingWindow

# A cell: accepted messages, accepted recipients, refused messages, refused recipients.
Cell = list[int]


class DistinctWindow:
    """How many distinct keys were seen in the last ``span`` minutes."""

    __slots__ = ("span", "order", "last_seen")

    def __init__(self, span: int) -> None:
        self.span = span
        self.order: deque[tuple[int, str]] = deque()
        self.last_seen: dict[str, int] = {}

    def add(self, minute: int, key: str) -> None:
        if self.last_seen.get(key) != minute:
            self.last_seen[key] = minute
            self.order.append((minute, key))

    def count(self, minute: int) -> int:
        oldest = minute - self.span
        while self.order and self.order[0][0] <= oldest:
            m, k = self.order.popleft()
            if self.last_seen.get(k) == m:
                del self.last_seen[k]
        return len(self.last_seen)


class Activity:
    """Recent traffic across all accounts, for overview, countries and top accounts."""

    def __init__(self) -> None:
        self.minutes: deque[tuple[int, dict[tuple[str, str], Cell]]] = deque()  # last hour
        self.country_day: dict[str, RollingWindow] = {}  # accepted
        self.country_refused_day: dict[str, RollingWindow] = {}
        self.country_accounts_day: dict[str, DistinctWindow] = {}
        self.accounts_day = DistinctWindow(DAY)

    def _cells(self, minute: int) -> dict[tuple[str, str], Cell]:
        minutes = self.minutes
        if minutes and minutes[-1][0] == minute:
            return minutes[-1][1]
        if minutes and minutes[-1][0] > minute:  # a late count: find or skip its minute
            for m, cells in reversed(minutes):
                if m == minute:
                    return cells
            return {}
        while minutes and minutes[0][0] <= minute - HOUR:
            minutes.popleft()
        cells: dict[tuple[str, str], Cell] = {}
        minutes.append((minute, cells))
        return cells

    def record(self, minute: int, account: str, country: str, messages: int, recipients: int, accepted: bool) -> None:
        cells = self._cells(minute)
        cell = cells.get((account, country))
        if cell is None:
            cell = cells[(account, country)] = [0, 0, 0, 0]
        if accepted:
            cell[0] += messages
            cell[1] += recipients
            table = self.country_day
        else:
            cell[2] += messages
            cell[3] += recipients
            table = self.country_refused_day
        w = table.get(country)
        if w is None:
            w = table[country] = RollingWindow()
        w.add(minute, messages, recipients)
        d = self.country_accounts_day.get(country)
        if d is None:
            d = self.country_accounts_day[country] = DistinctWindow(DAY)
        d.add(minute, account)
        self.accounts_day.add(minute, account)

    def cells(self, minute: int, window_minutes: int) -> Iterator[tuple[str, str, Cell]]:
        """(account, country, cell) of the last ``window_minutes`` minutes (at most an hour)."""
        oldest = minute - min(window_minutes, HOUR)
        for m, cells in self.minutes:
            if oldest < m <= minute:
                for (account, country), cell in cells.items():
                    yield account, country, cell

    def per_account(self, minute: int, window_minutes: int) -> dict[str, Cell]:
        out: dict[str, Cell] = {}
        for account, _, cell in self.cells(minute, window_minutes):
            acc = out.get(account)
            if acc is None:
                out[account] = list(cell)
            else:
                for i in range(4):
                    acc[i] += cell[i]
        return out

    def per_country(self, minute: int, window_minutes: int) -> dict[str, tuple[int, int, int, int]]:
        """country -> (messages, recipients, refused messages, distinct accounts)."""
        if window_minutes > HOUR:
            out = {}
            for code in set(self.country_day) | set(self.country_refused_day):
                m, r = self.country_day[code].day(minute) if code in self.country_day else (0, 0)
                ref = self.country_refused_day[code].day(minute)[0] if code in self.country_refused_day else 0
                accounts = self.country_accounts_day[code].count(minute)
                if m or ref:
                    out[code] = (m, r, ref, accounts)
            return out
        sums: dict[str, list] = {}
        for account, country, cell in self.cells(minute, window_minutes):
            s = sums.get(country)
            if s is None:
                s = sums[country] = [0, 0, 0, set()]
            s[0] += cell[0]
            s[1] += cell[1]
            s[2] += cell[2]
            s[3].add(account)
        return {c: (s[0], s[1], s[2], len(s[3])) for c, s in sums.items()}

    def top_accounts(self, minute: int, window_minutes: int, limit: int) -> list[tuple[str, Cell]]:
        """The accounts with the most attempted messages in the window, most first."""
        per = self.per_account(minute, window_minutes)
        return heapq.nlargest(limit, per.items(), key=lambda kv: (kv[1][0] + kv[1][2], kv[1][1]))


class MemoryCounters:
    """Engine state per account, kept in this process."""

    def __init__(self) -> None:
        self.states: dict[str, AccountState] = {}
        self.activity = Activity()

    def state(self, account: str) -> AccountState:
        st = self.states.get(account)
        if st is None:
            st = self.states[account] = AccountState()
        return st

    def get(self, account: str) -> AccountState | None:
        return self.states.get(account)

    def record(self, minute: int, account: str, country: str, messages: int, recipients: int, accepted: bool) -> None:
        """A count the engine already applied to the account's state: index it."""
        self.activity.record(minute, account, country, messages, recipients, accepted)

    def replay(self, rows: Iterable[tuple[str, int, str, int, int, int, int]], now_minute: int) -> int:
        """Rebuild counts from stored buckets (account, minute, country, am, ar, rm, rr)."""
        n = 0
        for account, minute, country, am, ar, rm, rr in rows:
            if minute <= now_minute - DAY:
                continue
            usage = self.state(account).usage
            if am or ar:
                usage.record(minute, country, am, ar, True)
                self.activity.record(minute, account, country, am, ar, True)
            if rm or rr:
                usage.record(minute, country, rm, rr, False)
                self.activity.record(minute, account, country, rm, rr, False)
            n += 1
        return n

    def prune(self, minute: int) -> int:
        """Forget accounts idle for a day that carry no suspension."""
        idle = [a for a, st in self.states.items() if st.usage.idle(minute) and st.suspension is None]
        for a in idle:
            del self.states[a]
        return len(idle)
