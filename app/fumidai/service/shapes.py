"""The live state as the wire shapes it (docs/api.md): limits, overrides, a verdict's reasons, the
countries of a window, a quota's share used. Pure functions; views.py's LiveReads calls them.
"""

from __future__ import annotations

from ..behaviour import describe
from ..policy.limits import QUOTA_KEYS, Cap, Limits, Quota
from ..policy.usage import DAY
from .clock import iso


def window_minutes(window_s: int) -> int:
    return max(1, min(DAY, int(window_s) // 60))


def quota_used(limits: Limits, hour: tuple[int, int], day: tuple[int, int]) -> float:
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


ZERO_CELL = (0, 0, 0, 0)


def reasons_in_words(reasons) -> list[dict]:
    """A verdict's reasons as the wire and the alerts keep them: code, numbers, words (en, ja)."""
    return [{"code": r.code, "params": dict(r.numbers), "text": describe(r, "en"), "text_ja": describe(r, "ja")}
            for r in reasons]


def attempted(item) -> int:
    cell = item[1]
    return cell[0] + cell[2]


def country_items(per: dict) -> list[dict]:
    items = [
        {"country": c, "messages": m, "recipients": r, "refused": ref, "accounts": n} for c, (m, r, ref, n) in per.items()
    ]
    items.sort(key=lambda i: (-i["messages"] - i["refused"], i["country"]))
    return items


def quota_dict(q: Quota) -> dict:
    return {k: getattr(q, k) for k in QUOTA_KEYS}


def cap_dict(cap: Cap) -> dict:
    return {**quota_dict(cap.quota), "on_limit": str(cap.on_limit)}


def limits_dict(limits: Limits) -> dict:
    return {
        "account": quota_dict(limits.account),
        "abroad": cap_dict(limits.abroad),
        "countries": {c: cap_dict(cap) for c, cap in sorted(limits.countries.items())},
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
