"""The numbers behind the live plot, without Qt: stacks per country or account, refused attempts,
and the quota that binds an account (the dashed line). live_plot.py draws them.
"""

from __future__ import annotations

import numpy as np

from .api.models import AccountDetail, Series

MAX_STACKS = 8
OTHER = "\0other"  # group keys no country code or account name can be
RECIPIENTS = "\0recipients"
# The quotas a per-minute pace can be drawn for: key -> (what it counts, minutes in its window).
RATE_QUOTAS = {"messages_per_hour": ("messages", 60), "messages_per_day": ("messages", 1440),
               "recipients_per_hour": ("recipients", 60), "recipients_per_day": ("recipients", 1440)}


def _quota_code(reason: str) -> str:
    """"quota:recipients_per_hour ×3" -> "recipients_per_hour"; "" for any other reason."""
    code = reason.split()[0] if reason.split() else ""
    return code[6:] if code.startswith("quota:") else ""


def binding_quota(detail: AccountDetail) -> tuple[str, int] | None:
    """The account quota that binds it now, as (key of RATE_QUOTAS, limit), or None if it has none.

    What stopped or limited the account says it best (the suspension's reason, else the newest
    quota refusal); without one, the quota with the highest share used; messages on a tie.
    """
    limits = detail.limits.get("account") if isinstance(detail.limits.get("account"), dict) else {}
    rate_limits = {k: v for k, v in limits.items() if k in RATE_QUOTAS and isinstance(v, int) and v > 0}
    if not rate_limits:
        return None
    reasons = [detail.suspension.reason] if detail.status == "suspended" and detail.suspension else []
    if detail.status != "ok":
        reasons += [str(r.get("reason") or "") for r in detail.recent]  # the API lists the newest first
    for reason in reasons:
        key = _quota_code(reason)
        if key in rate_limits:
            return key, rate_limits[key]

    def used(key: str) -> float:
        unit, minutes = RATE_QUOTAS[key]
        window = detail.usage.get("hour" if minutes == 60 else "day")
        value = window.get(unit) if isinstance(window, dict) else 0
        return (value if isinstance(value, (int, float)) else 0) / rate_limits[key]

    order = [k for k in RATE_QUOTAS if k in rate_limits]
    best = max(order, key=lambda k: (used(k), -order.index(k)))
    if used(best) == 0 and "messages_per_hour" in rate_limits:
        best = "messages_per_hour"  # nothing sent: the usual quota
    return best, rate_limits[best]


def recipient_detail(series: dict[str, Series]) -> bool:
    """Whether every series has recipients by country and refused recipients (a newer backend's)."""
    return all(s.recipient_detail for s in series.values())


def stack_series(series: dict[str, Series], by: str) -> tuple[np.ndarray, list[tuple[str, np.ndarray]], int]:
    """Times and per-group messages/minute, biggest groups first; the rest as OTHER.

    ``by`` is "country" (groups inside the accounts), "account", or "recipients" (accepted
    recipients/minute by source country; from a backend without recipients_by_country, in one
    group, RECIPIENTS).
    """
    step = next((s.step for s in series.values() if s.points), 60)
    times = sorted({p.time for s in series.values() for p in s.points})
    if not times:
        return np.array([]), [], step
    col = {t: i for i, t in enumerate(times)}
    groups: dict[str, np.ndarray] = {}
    for account, s in series.items():
        for p in s.points:
            if by == "recipients" and not s.recipient_detail:
                parts = {RECIPIENTS: p.recipients}
            elif by == "recipients":
                parts = p.recipients_by_country if p.recipients_by_country or not p.recipients else {"?": p.recipients}
            else:
                parts = p.by_country if by == "country" else {account: p.messages}
            if by == "country" and not parts and p.messages:
                parts = {"?": p.messages}
            for key, n in parts.items():
                groups.setdefault(key, np.zeros(len(times)))[col[p.time]] += n
    per_minute = 60.0 / step
    ordered = sorted(groups.items(), key=lambda kv: -kv[1].sum())
    stacks = [(k, v * per_minute) for k, v in ordered[:MAX_STACKS]]
    rest = ordered[MAX_STACKS:]
    if rest:
        stacks.append((OTHER, sum(v for _, v in rest) * per_minute))
    return np.asarray(times, dtype=float), stacks, step


def refused_series(series: dict[str, Series], times: np.ndarray, step: int, unit: str = "messages") -> np.ndarray:
    """Refused attempts per minute of all the accounts, at ``times``: messages, or the recipients
    they named (``unit`` "recipients")."""
    col = {t: i for i, t in enumerate(times.tolist())}
    out = np.zeros(len(times))
    for s in series.values():
        for p in s.points:
            n = p.refused_recipients if unit == "recipients" else p.refused
            if n and p.time in col:
                out[col[p.time]] += n
    return out * (60.0 / step)
