"""Live reads of the enforcement state, shaped as docs/api.md says (the shapes in shapes.py).

These run on the event loop thread, between policy requests, so they see exactly what
the policy server sees; they must stay cheap (the activity index, not every account).
"""

from __future__ import annotations

import asyncio
import heapq
from typing import Any, Callable

from ..policy.engine import LIMITED_FOR
from ..policy.limits import Limits
from ..policy.usage import DAY, HOUR
from .clock import iso
from .shapes import (
    ZERO_CELL,
    attempted,
    country_items,
    limits_dict,
    override_dict,
    quota_used,
    reasons_in_words,
    window_minutes,
)

RISK_SHOWN_FOR = 3600.0  # the live reads show an account's latest risk this long

_NO_RISK = {"level": "none", "score": 0, "probation": False, "at": None, "reasons": []}

SORT_KEYS = ("account", "rate", "messages_hour", "messages_day", "quota_used", "refused_day")


class LiveReads:
    """The live state's read queries, as methods of the state itself (``Service`` inherits them).

    They read the state the policy path keeps: ``counters``, ``overrides``, ``limited``,
    ``suspended``, ``defaults``, ``clock`` and ``limits_for``.
    """

    counters: Any
    overrides: dict[str, Any]
    limited: dict[str, float]
    suspended_index: set[str]
    defaults: Limits
    clock: Callable[[], float]
    complaint_counts: dict[str, int]  # complaints within [complaints] window, per account

    def limits_for(self, account: str, now: float) -> Limits:
        raise NotImplementedError

    def account_status(self, account: str, now: float) -> tuple[str, str | None, float | None]:
        """(status, suspended_by, since): ok | limited | suspended."""
        st = self.counters.get(account)
        if st is None:
            return "ok", None, None
        if st.is_suspended(now):
            return "suspended", st.suspension.by, st.suspension.since
        if st.limited_at and now - st.limited_at < LIMITED_FOR:
            return "limited", None, st.limited_since
        return "ok", None, None


    def limited_accounts(self, now: float) -> list[str]:
        """Accounts that hit a limit in the last five minutes and are not suspended."""
        for account, at in list(self.limited.items()):
            if now - at >= LIMITED_FOR:
                del self.limited[account]
        suspended = self.suspended_now(now)
        return [a for a in self.limited if a not in suspended]

    def suspended_now(self, now: float) -> set[str]:
        """The accounts suspended now. ``AccountState.suspension`` is the fact; the index only
        finds them without walking every account, and forgets those whose suspension ended."""
        index = self.suspended_index
        for account in [a for a in index if not self._suspended(a, now)]:
            index.discard(account)
        return index

    def _suspended(self, account: str, now: float) -> bool:
        st = self.counters.get(account)
        return st is not None and st.is_suspended(now)


    def _rate_cell(self, account: str, minute: int, wmin: int, cells: dict | None) -> tuple[list | tuple, int]:
        """(accepted msgs, rcpts, refused msgs, rcpts) over the window, and the window's minutes."""
        if wmin <= HOUR and cells is not None:
            return cells.get(account, ZERO_CELL), wmin
        st = self.counters.get(account)
        if st is None:
            return ZERO_CELL, DAY
        m, r = st.usage.day(minute)
        rm, rr = st.usage.refused_day(minute)
        return (m, r, rm, rr), DAY


    def account_row(self, account: str, now: float, window_s: int, cells: dict | None = None) -> dict:
        minute = int(now // 60)
        wmin = window_minutes(window_s)
        if cells is None and wmin <= HOUR:
            cells = self.counters.activity.per_account(minute, wmin)
        cell, wmin = self._rate_cell(account, minute, wmin, cells)
        limits = self.limits_for(account, now)
        st = self.counters.get(account)
        status, by, since = self.account_status(account, now)
        if st is not None:
            u = st.usage
            hour, day = u.hour(minute), u.day(minute)
            minute_counts = u.total.at(minute)
            refused_day = u.refused_day(minute)[0]
            countries = u.countries(minute)
        else:
            hour = day = minute_counts = (0, 0)
            refused_day = 0
            countries = {}
        top = max(countries.items(), key=lambda kv: kv[1][1] + kv[1][3])[0] if countries else None
        override = self.overrides.get(account)
        active_override = override is not None and override.active(now)
        return {
            "account": account,
            "status": status,
            "suspended_by": by,
            "status_since": iso(since),
            "rate": round((cell[0] + cell[2]) / wmin, 3),
            "recipients_rate": round((cell[1] + cell[3]) / wmin, 3),
            "messages_minute": minute_counts[0],
            "messages_hour": hour[0],
            "messages_day": day[0],
            "recipients_hour": hour[1],
            "recipients_day": day[1],
            "refused_day": refused_day,
            "quota": {"messages_per_hour": limits.account.messages_per_hour, "messages_per_day": limits.account.messages_per_day},
            "quota_used": quota_used(limits, hour, day),
            "override": active_override,
            "override_expires_at": iso(override.expires_at) if active_override else None,
            "top_country": top,
            "countries": len(countries),
            "risk": self.risk_of(account, now),
            "complaints": self.complaint_counts.get(account, 0),
        }

    def risk_of(self, account: str, now: float) -> dict:
        """The account's latest risk from behaviour analysis (kept RISK_SHOWN_FOR seconds):
        level, score, probation and the reasons with their numbers, in words (en, ja)."""
        entry = self.risk.get(account)
        if entry is None or now - entry[0] >= RISK_SHOWN_FOR:
            return _NO_RISK
        at, v = entry
        return {
            "level": str(v.tier), "score": v.score, "probation": bool(v.probation), "at": iso(at),
            "reasons": reasons_in_words(v.reasons),
        }


    def account_rows(self, names: list[str], window_s: int) -> list[dict]:
        """Rows for the given accounts."""
        now = self.clock()
        wmin = window_minutes(window_s)
        cells = self.counters.activity.per_account(int(now // 60), wmin) if wmin <= HOUR else None
        return [self.account_row(a, now, window_s, cells) for a in names]


    def ranked_names(self, window_s: int, sort: str = "-rate", status: str = "active", country: str = "",
                     q: str = "", limit: int = 100, offset: int = 0, fill_idle: bool = True) -> tuple[int, list[str], dict | None]:
        """(total, the page's account names, the window's per-account cells) of live accounts.

        Only a sort key is computed per candidate and only the page is ranked with a heap,
        which keeps this to tens of milliseconds with a hundred thousand accounts active.
        The busiest-first order the desk polls for comes straight from the activity index.
        """
        now = self.clock()
        minute = int(now // 60)
        wmin = window_minutes(window_s)
        activity = self.counters.activity
        cells = activity.per_account(minute, wmin) if wmin <= HOUR else None
        want = offset + limit
        today = activity.active_today(minute)
        limited = self.limited_accounts(now)
        suspended = self.suspended_now(now)

        if sort == "-rate" and cells is not None and not q and not country and status in ("active", "all", "ok"):
            excluded = set(suspended).union(limited) if status == "ok" else set()
            top = heapq.nlargest(want + len(excluded), cells.items(), key=attempted)
            names = [a for a, c in top if a not in excluded and (c[0] or c[2])]
            if status == "ok":
                total = sum(1 for a in today if a not in excluded)
            else:
                total = len(today) + sum(1 for a in suspended if a not in today)
            if len(names) < want and fill_idle:  # then the accounts idle in the window, by name
                extra = (a for a in (*today, *suspended) if a not in excluded and not (a in cells and attempted((a, cells[a]))))
                names += heapq.nsmallest(want - len(names), set(extra))
            return total, names[offset:want], cells

        if status == "suspended":
            names = list(suspended)
        elif status == "limited":
            names = limited
        else:
            pool = set(today)
            pool.update(suspended)
            if status == "ok":
                pool.difference_update(suspended)
                pool.difference_update(limited)
            names = list(pool)
        if q:
            needle = q.casefold()
            names = [a for a in names if needle in a.casefold()]
        if country:
            def top_country(a):
                st = self.counters.get(a)
                c = st.usage.countries(minute) if st else {}
                return max(c.items(), key=lambda kv: kv[1][1] + kv[1][3])[0] if c else None

            names = [a for a in names if top_country(a) == country]
        descending = sort.startswith("-")
        key_name = sort.lstrip("-")
        states = self.counters.states

        def usage_of(a):
            st = states.get(a)
            return st.usage if st is not None else None

        if key_name == "rate":
            def key(a):
                c, _ = self._rate_cell(a, minute, wmin, cells)
                return c[0] + c[2]
        elif key_name == "messages_hour":
            def key(a):
                u = usage_of(a)
                return u.hour(minute)[0] if u else 0
        elif key_name == "messages_day":
            def key(a):
                u = usage_of(a)
                return u.day(minute)[0] if u else 0
        elif key_name == "refused_day":
            def key(a):
                u = usage_of(a)
                return u.refused_day(minute)[0] if u else 0
        elif key_name == "quota_used":
            def key(a):
                u = usage_of(a)
                return quota_used(self.limits_for(a, now), u.hour(minute), u.day(minute)) if u else 0.0
        else:
            key = None
        if key is None:
            page = heapq.nlargest(want, names) if descending else heapq.nsmallest(want, names)
        elif descending:  # ties by name
            page = [a for _, a in heapq.nsmallest(want, ((-key(a), a) for a in names))]
        else:
            page = [a for _, a in heapq.nsmallest(want, ((key(a), a) for a in names))]
        return len(names), page[offset:], cells


    def overview(self, window_s: int, limit: int) -> dict:
        now = self.clock()
        minute = int(now // 60)
        wmin = window_minutes(window_s)
        activity = self.counters.activity
        per_c = activity.per_country(minute, wmin)
        active, names, cells = self.ranked_names(window_s, "-rate", "active", limit=limit, fill_idle=False)
        rows = [self.account_row(a, now, window_s, cells) for a in names]
        if wmin <= HOUR:
            active = len(cells)
        messages = sum(v[0] for v in per_c.values())
        recipients = sum(v[1] for v in per_c.values())
        return {
            "time": iso(now),
            "window": int(window_s),
            "totals": {
                "messages_per_minute": round(messages / wmin, 3),
                "recipients_per_minute": round(recipients / wmin, 3),
                "messages": messages,
                "recipients": recipients,
                "active_accounts": active,
                "suspended_accounts": len(self.suspended_now(now)),
                "limited_accounts": len(self.limited_accounts(now)),
            },
            "top": rows,
            "countries": country_items(per_c),
        }


    def countries(self, window_s: int) -> list[dict]:
        now = self.clock()
        return country_items(self.counters.activity.per_country(int(now // 60), window_minutes(window_s)))


    def account_live(self, account: str) -> dict:
        now = self.clock()
        minute = int(now // 60)
        st = self.counters.get(account)
        limits = self.limits_for(account, now)
        status, _, _ = self.account_status(account, now)
        o = self.overrides.get(account)
        usage = {
            "minute": {"messages": 0, "recipients": 0},
            "hour": {"messages": 0, "recipients": 0},
            "day": {"messages": 0, "recipients": 0},
            "refused_day": {"messages": 0, "recipients": 0},
            "unique_recipients_day": 0,
            "countries": [],
        }
        recent = []
        suspension = None
        if st is not None:
            u = st.usage
            for key, (m, r) in (
                ("minute", u.total.at(minute)),
                ("hour", u.hour(minute)),
                ("day", u.day(minute)),
                ("refused_day", u.refused_day(minute)),
            ):
                usage[key] = {"messages": m, "recipients": r}
            # Distinct recipients are counted only for an account with that limit: null otherwise.
            counted = limits.account.unique_recipients_per_day is not None
            usage["unique_recipients_day"] = u.unique_count(minute) if counted else None
            for code, (hm, dm, dr, ref) in sorted(u.countries(minute).items()):
                usage["countries"].append(
                    {"country": code, "messages_hour": hm, "messages_day": dm, "recipients_day": dr, "refused_day": ref}
                )
            recent = [
                {"time": iso(t), "stage": stage, "action": action, "reason": reason, "country": country,
                 "client_address": client, "recipients": rcpts}
                for t, stage, action, reason, country, client, rcpts in reversed(st.recent or ())
            ]
            if st.is_suspended(now):
                s = st.suspension
                suspension = {"by": s.by, "reason": s.reason, "since": iso(s.since), "until": iso(s.until)}
        return {
            "account": account,
            "home_countries": sorted(limits.home_countries),
            "status": status,
            "suspension": suspension,
            "limits": limits_dict(limits),
            "defaults": limits_dict(self.defaults),
            "override": override_dict(o if o is not None and o.active(now) else None),
            "usage": usage,
            "recent": recent,
            "risk": self.risk_of(account, now),
        }


    def series(self, account: str, window_s: int, step_s: int) -> dict:
        """Per-step counts of the last ``window_s`` seconds (at most a day) from the live windows.

        Accepted messages and recipients, each also per source country; refused messages and
        the recipients they named (``refused``, ``refused_recipients``).
        """
        now = self.clock()
        minute = int(now // 60)
        wmin = window_minutes(window_s)
        step = max(1, int(step_s) // 60)
        first = minute - wmin + 1
        first -= (first % step)
        n = (minute - first) // step + 1
        points = [{"time": iso((first + i * step) * 60), "messages": 0, "recipients": 0, "refused": 0,
                   "refused_recipients": 0, "by_country": {}, "recipients_by_country": {}} for i in range(n)]
        st = self.counters.get(account)
        if st is not None:
            u = st.usage
            for code, w in u.by_country.items():
                for m, msgs, rcpts in w.series(minute):
                    if m >= first:
                        p = points[(m - first) // step]
                        p["messages"] += msgs
                        p["recipients"] += rcpts
                        p["by_country"][code] = p["by_country"].get(code, 0) + msgs
                        p["recipients_by_country"][code] = p["recipients_by_country"].get(code, 0) + rcpts
            for m, msgs, rcpts in (u.refused.series(minute) if u.refused is not None else ()):
                if m >= first:
                    p = points[(m - first) // step]
                    p["refused"] += msgs
                    p["refused_recipients"] += rcpts
        return {"account": account, "start": iso(first * 60), "step": step * 60, "points": points}


    async def ranked_rows(self, window_s: int = 60, sort: str = "-rate", status: str = "active", country: str = "",
                          q: str = "", limit: int = 100, offset: int = 0, chunk: int = 200) -> tuple[int, list[dict]]:
        """(total, page of rows) of live accounts, filtered, sorted and paged (ranked_names);
        the rows are built in chunks, letting policy requests in between."""
        total, names, cells = self.ranked_names(window_s, sort, status, country, q, limit, offset)
        rows = []
        for start in range(0, len(names), chunk):
            if start:
                await asyncio.sleep(0)
            now = self.clock()
            rows.extend(self.account_row(a, now, window_s, cells) for a in names[start:start + chunk])
        return total, rows

    def is_known_live(self, account: str) -> bool:
        return account in self.counters.states or account in self.overrides
