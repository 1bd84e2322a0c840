"""Why an account looks the way it does, as facts with numbers (no Qt: widgets word them).

- ``usage_against_limits``: each quota the account has, what it used of it (the closest first);
- ``sources``: where it sends from (client address, network, AS) as the backend knows it, else the
  distinct client addresses of its recent decisions;
- ``group_decisions``: a run of identical decisions as one line with a count and a time span
  ("REJECT … ×228 since 11:05" instead of 228 truncated lines);
- ``has_own_limits``: the "bulk sender" mark, staff gave it limits above the defaults.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .api.models import AccountDetail, parse_time

# quota key -> where its usage is in GET /accounts/{a} "usage"
USAGE_OF = {
    "recipients_per_hour": ("hour", "recipients"),
    "messages_per_hour": ("hour", "messages"),
    "recipients_per_day": ("day", "recipients"),
    "messages_per_day": ("day", "messages"),
}
NEAR = 0.8  # a quota used this much or more is part of the "why"


@dataclass(frozen=True, slots=True)
class Usage:
    key: str  # a quota key, e.g. "recipients_per_hour"
    used: int
    limit: int

    @property
    def share(self) -> float:
        return self.used / self.limit if self.limit > 0 else float("inf") if self.used else 0.0


def _int(v: object) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def usage_against_limits(detail: AccountDetail) -> list[Usage]:
    """Every limited quota with its use, the closest to (or furthest past) its limit first."""
    limits = detail.limits.get("account") if isinstance(detail.limits.get("account"), dict) else {}
    out = []
    for key, (window, what) in USAGE_OF.items():
        limit = _int(limits.get(key))
        box = detail.usage.get(window)
        used = _int(box.get(what)) if isinstance(box, dict) else None
        if limit is not None and used is not None:
            out.append(Usage(key, used, limit))
    unique = _int(detail.usage.get("unique_recipients_day"))
    limit = _int(limits.get("unique_recipients_per_day"))
    if unique is not None and limit is not None:
        out.append(Usage("unique_recipients_per_day", unique, limit))
    out.sort(key=lambda u: -u.share)
    return out


def binding(detail: AccountDetail) -> list[Usage]:
    """The quotas that explain a stop or a limit: the one a quota stop names first (its window may
    have moved on since), then those used NEAR or more; at least the closest one."""
    usage = usage_against_limits(detail)
    reason = detail.suspension.reason if detail.suspension is not None else ""
    named = [u for u in usage if reason.startswith(f"quota:{u.key}")]
    near = [u for u in usage if u.share >= NEAR and u not in named]
    return named + near or usage[:1]


def recipients_per_message(detail: AccountDetail) -> float | None:
    """Recipients per accepted message over the last hour (None without mail)."""
    hour = detail.usage.get("hour")
    if not isinstance(hour, dict):
        return None
    messages, recipients = _int(hour.get("messages")), _int(hour.get("recipients"))
    return recipients / messages if messages and recipients is not None else None


@dataclass(frozen=True, slots=True)
class Sources:
    address: str = ""  # the latest client address
    network: str = ""
    asn: int | None = None
    addresses: tuple[str, ...] = ()  # distinct addresses of the recent decisions, newest first


def sources(detail: AccountDetail) -> Sources:
    seen: dict[str, None] = {}
    for r in sorted(detail.recent, key=lambda r: -(parse_time(r.get("time")) or 0.0)):
        address = r.get("client_address")
        if isinstance(address, str) and address:
            seen.setdefault(address)
    addresses = tuple(seen)
    return Sources(detail.client_address or (addresses[0] if addresses else ""), detail.network, detail.asn,
                   addresses)


@dataclass(frozen=True, slots=True)
class DecisionGroup:
    stage: str
    action: str
    reason: str
    country: str
    client_address: str
    count: int
    first: float | None  # oldest in the run
    last: float | None  # newest
    recipients: int


def group_decisions(recent: Iterable[dict]) -> list[DecisionGroup]:
    """Runs of identical decisions (stage, action, reason, country, client), newest run first."""
    rows = sorted((r for r in recent if isinstance(r, dict)), key=lambda r: -(parse_time(r.get("time")) or 0.0))
    groups: list[DecisionGroup] = []
    for r in rows:
        key = tuple(str(r.get(k) or "") for k in ("stage", "action", "reason", "country", "client_address"))
        t = parse_time(r.get("time"))
        n = _int(r.get("recipients")) or 0
        last = groups[-1] if groups else None
        if last is not None and (last.stage, last.action, last.reason, last.country, last.client_address) == key:
            groups[-1] = DecisionGroup(*key, last.count + 1, t if t is not None else last.first, last.last,
                                       last.recipients + n)
        else:
            groups.append(DecisionGroup(*key, 1, t, t, n))
    return groups


def has_own_limits(detail: AccountDetail) -> bool:
    """Staff gave it limits above the defaults somewhere: a known heavy ("bulk") sender."""
    own = (detail.override or {}).get("limits") or {}
    defaults = detail.defaults.get("account") if isinstance(detail.defaults.get("account"), dict) else {}
    for key, value in own.items():
        default = defaults.get(key)
        if value is None and default is not None:
            return True  # unlimited
        if isinstance(value, int) and isinstance(default, int) and value > default:
            return True
    return False
