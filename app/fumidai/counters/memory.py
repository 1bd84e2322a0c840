"""The in-process counters: every account's engine state, and a recent-activity index.

The index answers the desk's questions (top accounts now, counts per country) without
walking every account: the last hour is kept per minute as (account, country) cells,
and per-country day totals as rolling windows with a distinct-account count.
"""

from __future__ import annotations

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
            order = self.order
            order.append((minute, key))
            if order[0][0] <= minute - self.span:  # expiry on write: unread, it would keep every entry
                self.count(minute)

    def count(self, minute: int) -> int:
        oldest = minute - self.span
        while self.order and self.order[0][0] <= oldest:
            m, k = self.order.popleft()
            if self.last_seen.get(k) == m:
                del self.last_seen[k]
        return len(self.last_seen)


class Activity:
    """Recent traffic across all accounts, for overview, countries and top accounts.

    The last hour is kept per minute as (account, country) cells, and also summed per
    account and per country as minutes come and go, so the hour view costs nothing to
    read; a shorter window merges its few minutes. The day is kept per country.
    """

    def __init__(self) -> None:
        # The last hour, per minute: cells by (account, country), the same summed by account,
        # and by country with the number of accounts that sent from there in that minute.
        self.minutes: deque[tuple[int, dict[tuple[str, str], Cell], dict[str, Cell], dict[str, list[int]]]] = deque()
        self.country_accounts_5m: dict[str, DistinctWindow] = {}  # for the desk's 5-minute map
        self.hour_accounts: dict[str, Cell] = {}
        self.hour_countries: dict[str, Cell] = {}
        self.hour_country_accounts: dict[str, dict[str, int]] = {}  # country -> account -> cells
        self.country_day: dict[str, RollingWindow] = {}  # accepted
        self.country_refused_day: dict[str, RollingWindow] = {}
        self.country_accounts_day: dict[str, DistinctWindow] = {}
        self.accounts_day = DistinctWindow(DAY)

    def advance(self, minute: int) -> None:
        """Let the minutes that left the hour go, taking them out of the hour's sums."""
        minutes = self.minutes
        while minutes and minutes[0][0] <= minute - HOUR:
            _, cells, _, _ = minutes.popleft()
            for (account, country), cell in cells.items():
                _sub(self.hour_accounts, account, cell)
                _sub(self.hour_countries, country, cell)
                per = self.hour_country_accounts[country]
                if per[account] == 1:
                    del per[account]
                    if not per:
                        del self.hour_country_accounts[country]
                else:
                    per[account] -= 1

    def _minute(self, minute: int):
        minutes = self.minutes
        if minutes and minutes[-1][0] == minute:
            return minutes[-1]
        if minutes and minutes[-1][0] > minute:  # a late count: its minute, if still in the hour
            for entry in reversed(minutes):
                if entry[0] == minute:
                    return entry
                if entry[0] < minute:
                    break
            return None
        self.advance(minute)
        entry = (minute, {}, {}, {})
        minutes.append(entry)
        return entry

    def record(self, minute: int, account: str, country: str, messages: int, recipients: int, accepted: bool) -> None:
        entry = self._minute(minute)
        if entry is not None:
            _, cells, by_account, by_country = entry
            in_country = by_country.get(country)
            if in_country is None:
                in_country = by_country[country] = [0, 0, 0, 0, 0]
            cell = cells.get((account, country))
            if cell is None:
                cell = cells[(account, country)] = [0, 0, 0, 0]
                per = self.hour_country_accounts.setdefault(country, {})
                per[account] = per.get(account, 0) + 1
                in_country[4] += 1
            i = 0 if accepted else 2  # accepted counts go in [0:2], refused ones in [2:4]
            for c in (cell, in_country, _cell(by_account, account), _cell(self.hour_accounts, account),
                      _cell(self.hour_countries, country)):
                c[i] += messages
                c[i + 1] += recipients
        table = self.country_day if accepted else self.country_refused_day
        w = table.get(country)
        if w is None:
            w = table[country] = RollingWindow()
        w.add(minute, messages, recipients)
        d = self.country_accounts_day.get(country)
        if d is None:
            d = self.country_accounts_day[country] = DistinctWindow(DAY)
        d.add(minute, account)
        d = self.country_accounts_5m.get(country)
        if d is None:
            d = self.country_accounts_5m[country] = DistinctWindow(5)
        d.add(minute, account)
        self.accounts_day.add(minute, account)

    def per_account(self, minute: int, window_minutes: int) -> dict[str, Cell]:
        """Per account (accepted msgs, rcpts, refused msgs, rcpts) over the last minutes (at most an hour).

        The hour's dict is the live one: read it, do not change it.
        """
        self.advance(minute)
        if window_minutes >= HOUR:
            return self.hour_accounts
        oldest = minute - window_minutes
        inside = [by_account for m, _, by_account, _ in self.minutes if oldest < m <= minute]
        if len(inside) == 1:
            return inside[0]
        out: dict[str, Cell] = {}
        for by_account in inside:
            for account, cell in by_account.items():
                acc = out.get(account)
                if acc is None:
                    out[account] = list(cell)
                else:
                    for i in range(4):
                        acc[i] += cell[i]
        return out

    def per_country(self, minute: int, window_minutes: int) -> dict[str, tuple[int, int, int, int]]:
        """country -> (messages, recipients, refused messages, distinct accounts)."""
        self.advance(minute)
        if window_minutes > HOUR:
            out = {}
            for code in set(self.country_day) | set(self.country_refused_day):
                m, r = self.country_day[code].day(minute) if code in self.country_day else (0, 0)
                ref = self.country_refused_day[code].day(minute)[0] if code in self.country_refused_day else 0
                accounts = self.country_accounts_day[code].count(minute)
                if m or ref:
                    out[code] = (m, r, ref, accounts)
            return out
        if window_minutes == HOUR:
            return {c: (v[0], v[1], v[2], len(self.hour_country_accounts.get(c, ())))
                    for c, v in self.hour_countries.items() if v[0] or v[2]}
        oldest = minute - window_minutes
        inside = [entry for entry in self.minutes if oldest < entry[0] <= minute]
        if window_minutes in (1, 5):  # exact from the per-minute sums and the 5-minute distinct counts
            sums: dict[str, list[int]] = {}
            for _, _, _, by_country in inside:
                for country, c in by_country.items():
                    s = sums.setdefault(country, [0, 0, 0, 0, 0])
                    for i in range(5):
                        s[i] += c[i]
            if window_minutes == 5:
                for country, s in sums.items():
                    s[4] = self.country_accounts_5m[country].count(minute)
            return {c: (s[0], s[1], s[2], s[4]) for c, s in sums.items()}
        sets: dict[str, list] = {}
        for _, cells, _, _ in inside:
            for (account, country), cell in cells.items():
                s = sets.get(country)
                if s is None:
                    s = sets[country] = [0, 0, 0, set()]
                s[0] += cell[0]
                s[1] += cell[1]
                s[2] += cell[2]
                s[3].add(account)
        return {c: (s[0], s[1], s[2], len(s[3])) for c, s in sets.items()}

    def shed(self, minute: int) -> None:
        """Forget countries with nothing left in the day (a periodic sweep)."""
        self.advance(minute)
        for table in (self.country_day, self.country_refused_day):
            for code in [c for c, w in table.items() if w.day(minute) == (0, 0)]:
                del table[code]
        for table in (self.country_accounts_day, self.country_accounts_5m):
            for code in [c for c, d in table.items() if not d.count(minute)]:
                del table[code]
        self.accounts_day.count(minute)

    def active_today(self, minute: int) -> dict[str, int]:
        """Accounts with traffic in the last day (account -> its last minute)."""
        self.accounts_day.count(minute)
        return self.accounts_day.last_seen


def _cell(table: dict[str, Cell], key: str) -> Cell:
    cell = table.get(key)
    if cell is None:  # not setdefault: that would build a list on every call
        cell = table[key] = [0, 0, 0, 0]
    return cell


def _sub(table: dict[str, Cell], key: str, cell: Cell) -> None:
    total = table[key]
    for i in range(4):
        total[i] -= cell[i]
    if not any(total):
        del table[key]


class MemoryCounters:
    """Engine state per account, kept in this process."""

    def __init__(self) -> None:
        self.states: dict[str, AccountState] = {}
        self.activity = Activity()

    def state(self, account: str) -> AccountState:
        st = self.states.get(account)
        if st is None:
            st = self.states[account] = AccountState(name=account)
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
            state = self.state(account)
            account, usage = state.name, state.usage  # the tables' key object (see Service._decide)
            if am or ar:
                usage.record(minute, country, am, ar, True)
                self.activity.record(minute, account, country, am, ar, True)
            if rm or rr:
                usage.record(minute, country, rm, rr, False)
                self.activity.record(minute, account, country, rm, rr, False)
            n += 1
        return n

    def prune(self, minute: int) -> int:
        """Forget accounts idle for a day that carry no suspension; shed the others' expired parts."""
        idle = []
        for a, st in self.states.items():
            u = st.usage
            if minute - u.last >= DAY and st.suspension is None:  # u.idle(minute), inlined: 100,000s of accounts
                idle.append(a)
            elif (st.decided or len(st.message_recipients) > 1 or len(u.by_country) > 1 or u.refused is not None
                  or u.unique is not None or u.vouched_by_country is not None):
                st.shed(minute)  # only where there can be something to shed: the loop stalls policy answers
        for a in idle:
            del self.states[a]
        self.activity.shed(minute)
        return len(idle)
