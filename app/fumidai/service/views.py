"""Live reads of the enforcement state, shaped as docs/api.md says.

These run on the event loop thread, between policy requests, so they see exactly what
the policy server sees; they must stay cheap (the activity index, not every account).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..policy.limits import QUOTA_KEYS, Cap, Limits, Quota
from ..policy.usage import DAY, HOUR
from .clock import iso

if TYPE_CHECKING:
    from .core import Service

LIMITED_FOR = 300.0  # an account that hit a limit this recently shows as "limited"


def _window_minutes(window_s: int) -> int:
    return max(1, min(DAY, int(window_s) // 60))


def account_status(svc: Service, account: str, now: float) -> tuple[str, str | None, float | None]:
    """(status, suspended_by, since): ok | limited | suspended."""
    st = svc.counters.get(account)
    if st is None:
        return "ok", None, None
    if st.is_suspended(now):
        return "suspended", st.suspension.by, st.suspension.since
    if st.limited_at and now - st.limited_at < LIMITED_FOR:
        return "limited", None, st.limited_at
    return "ok", None, None


def _quota_used(limits: Limits, hour: tuple[int, int], day: tuple[int, int]) -> float:
    q = limits.account
    used = 0.0
    for limit, value in (
        (q.messages_per_hour, hour[0]),
        (q.messages_per_day, day[0]),
        (q.recipients_per_hour, hour[1]),
        (q.recipients_per_day, day[1]),
    ):
        if limit:
            used = max(used, value / limit)
        elif limit == 0 and value:
            used = max(used, 1.0)
    return round(used, 4)


def account_row(svc: Service, account: str, now: float, window_s: int, cell: list[int] | None = None) -> dict:
    minute = int(now // 60)
    wmin = _window_minutes(window_s)
    limits = svc.limits_for(account, now)
    st = svc.counters.get(account)
    status, by, since = account_status(svc, account, now)
    if cell is None:
        cell = svc.counters.activity.per_account(minute, wmin).get(account, [0, 0, 0, 0]) if wmin <= HOUR else None
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
    if cell is None:  # a window longer than the index: scale the day
        cell = [day[0], day[1], refused_day, 0] if wmin >= DAY else [hour[0], hour[1], 0, 0]
        wmin = DAY if wmin >= DAY else HOUR
    top = max(countries.items(), key=lambda kv: kv[1][1] + kv[1][3])[0] if countries else None
    override = svc.overrides.get(account)
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
        "quota_used": _quota_used(limits, hour, day),
        "override": active_override,
        "override_expires_at": iso(override.expires_at) if active_override else None,
        "top_country": top,
        "countries": len(countries),
    }


def account_rows(svc: Service, names: list[str] | None, window_s: int) -> list[dict]:
    """Rows for the given accounts, or for every account active in the last day or suspended."""
    now = svc.clock()
    minute = int(now // 60)
    wmin = _window_minutes(window_s)
    cells = svc.counters.activity.per_account(minute, wmin) if wmin <= HOUR else {}
    if names is None:
        names = [a for a, st in svc.counters.states.items() if not st.usage.idle(minute) or st.is_suspended(now)]
    return [account_row(svc, a, now, window_s, cells.get(a, [0, 0, 0, 0]) if wmin <= HOUR else None) for a in names]


def overview(svc: Service, window_s: int, limit: int) -> dict:
    now = svc.clock()
    minute = int(now // 60)
    wmin = _window_minutes(window_s)
    activity = svc.counters.activity
    if wmin <= HOUR:
        top = activity.top_accounts(minute, wmin, limit)
        per = activity.per_account(minute, wmin)
        messages = sum(c[0] for c in per.values())
        recipients = sum(c[1] for c in per.values())
        active = len(per)
        rows = [account_row(svc, a, now, window_s, cell) for a, cell in top]
    else:
        rows = sorted(account_rows(svc, None, window_s), key=lambda r: -r["rate"])[:limit]
        per_c = activity.per_country(minute, wmin)
        messages = sum(v[0] for v in per_c.values())
        recipients = sum(v[1] for v in per_c.values())
        active = activity.accounts_day.count(minute)
    limited = sum(
        1 for st in svc.counters.states.values() if st.limited_at and now - st.limited_at < 300 and not st.is_suspended(now)
    )
    return {
        "time": iso(now),
        "window": int(window_s),
        "totals": {
            "messages_per_minute": round(messages / wmin, 3),
            "recipients_per_minute": round(recipients / wmin, 3),
            "messages": messages,
            "recipients": recipients,
            "active_accounts": active,
            "suspended_accounts": len(svc.suspended),
            "limited_accounts": limited,
        },
        "top": rows,
        "countries": countries(svc, window_s),
    }


def countries(svc: Service, window_s: int) -> list[dict]:
    now = svc.clock()
    per = svc.counters.activity.per_country(int(now // 60), _window_minutes(window_s))
    items = [
        {"country": c, "messages": m, "recipients": r, "refused": ref, "accounts": n} for c, (m, r, ref, n) in per.items()
    ]
    items.sort(key=lambda i: (-i["messages"] - i["refused"], i["country"]))
    return items


def _quota_dict(q: Quota) -> dict:
    return {k: getattr(q, k) for k in QUOTA_KEYS}


def _cap_dict(cap: Cap) -> dict:
    return {**_quota_dict(cap.quota), "on_limit": str(cap.on_limit)}


def limits_dict(limits: Limits) -> dict:
    return {
        "account": _quota_dict(limits.account),
        "abroad": _cap_dict(limits.abroad),
        "countries": {c: _cap_dict(cap) for c, cap in sorted(limits.countries.items())},
        "home_countries": sorted(limits.home_countries),
    }


def override_dict(o) -> dict | None:
    if o is None:
        return None
    return {
        "limits": dict(o.limits),
        "home_countries": sorted(o.home_countries) if o.home_countries is not None else None,
        "abroad": dict(o.abroad) if o.abroad is not None else None,
        "countries": {k: dict(v) for k, v in o.countries.items()} if o.countries is not None else None,
        "expires_at": iso(o.expires_at),
        "set_by": o.set_by,
        "reason": o.reason,
    }


def account_live(svc: Service, account: str) -> dict:
    now = svc.clock()
    minute = int(now // 60)
    st = svc.counters.get(account)
    limits = svc.limits_for(account, now)
    status, _, _ = account_status(svc, account, now)
    o = svc.overrides.get(account)
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
        usage["unique_recipients_day"] = u.unique_count(minute)
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
        "defaults": limits_dict(svc.defaults),
        "override": override_dict(o if o is not None and o.active(now) else None),
        "usage": usage,
        "recent": recent,
    }


def series(svc: Service, account: str, window_s: int, step_s: int) -> dict:
    """Per-step counts of the last ``window_s`` seconds (at most a day) from the live windows."""
    now = svc.clock()
    minute = int(now // 60)
    wmin = _window_minutes(window_s)
    step = max(1, int(step_s) // 60)
    first = minute - wmin + 1
    first -= (first % step)
    n = (minute - first) // step + 1
    points = [{"time": iso((first + i * step) * 60), "messages": 0, "recipients": 0, "refused": 0, "by_country": {}} for i in range(n)]
    st = svc.counters.get(account)
    if st is not None:
        u = st.usage
        for code, w in u.by_country.items():
            for m, msgs, rcpts in w.series(minute):
                if m >= first:
                    p = points[(m - first) // step]
                    p["messages"] += msgs
                    p["recipients"] += rcpts
                    p["by_country"][code] = p["by_country"].get(code, 0) + msgs
        for m, msgs, _ in (u.refused.series(minute) if u.refused is not None else ()):
            if m >= first:
                points[(m - first) // step]["refused"] += msgs
    return {"account": account, "start": iso(first * 60), "step": step * 60, "points": points}
