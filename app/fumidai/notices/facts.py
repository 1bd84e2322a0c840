"""The facts a notice template sees: one plain dict, built by the caller.

Every key below is available to every template as a top-level variable. Times are epoch
seconds (the ``when`` filter shows them in the owner's time zone and language); counts
are ints; ``usage`` and ``limits`` are ``None`` when not known (e.g. from the command
line), and templates must say nothing rather than show zeros then.

    {
      "account": "alice",                  # SASL user name (spammer-chosen text: never trusted)
      "owner_name": "山田 太郎",            # may be ""
      "contact": "alice@example.jp",       # where the notice goes
      "language": "ja",                    # "ja" | "en"
      "timezone": "Asia/Tokyo",            # IANA name
      "now": 1795000000.0,                 # when the facts were taken
      "status": "suspended",               # "ok" | "limited" | "suspended"
      "suspension": {"by": "auto", "by_staff": False, "reason": "quota:messages_per_hour",
                     "since": 1794999000.0, "until": None} | None,
      "usage": {"hour": {"messages": 120, "recipients": 900},
                "day": {"messages": 130, "recipients": 950},
                "refused_day": {"messages": 40, "recipients": 400},
                "countries": [{"country": "CN", "messages_day": 125, "recipients_day": 940}, ...]
               } | None,                   # countries: busiest first
      "limits": {"account": {"messages_per_hour": 100, ...}, "abroad": {...},
                 "countries": {"CN": {...}}, "home_countries": ["JP"]} | None,
      "reason": "quota:messages_per_hour", # the suspension's reason, else the latest limit hit, or ""
      "support_contact": "support@isp.example",
      "sender_name": "Example ISP",        # [notices] sender_name, may be ""
    }
"""

from __future__ import annotations

from typing import Any, Literal, Mapping, NotRequired, TypedDict

from ..policy.limits import QUOTA_KEYS, Limits


class SuspensionFacts(TypedDict):
    by: str  # "auto" or the staff member's name
    by_staff: bool
    reason: str  # a code ("quota:messages_per_hour") or staff's free text
    since: float | None
    until: float | None


class Counts(TypedDict):
    messages: int
    recipients: int


class CountryUsage(TypedDict):
    country: str  # ISO 3166-1 alpha-2
    messages_day: int
    recipients_day: int


class UsageFacts(TypedDict):
    hour: Counts
    day: Counts
    refused_day: Counts
    countries: list[CountryUsage]


class LimitsFacts(TypedDict):
    account: dict[str, int | None]
    abroad: dict[str, int | None]
    countries: dict[str, dict[str, int | None]]
    home_countries: list[str]


class Facts(TypedDict):
    account: str
    owner_name: str
    contact: str
    language: Literal["ja", "en"]
    timezone: str
    now: float
    status: str
    suspension: SuspensionFacts | None
    usage: UsageFacts | None
    limits: LimitsFacts | None
    reason: str
    support_contact: str
    sender_name: NotRequired[str]


LANGUAGES = ("ja", "en")


def build_facts(
    *,
    account: str,
    contact: str,
    language: str,
    now: float,
    support_contact: str,
    timezone: str = "Asia/Tokyo",
    owner_name: str | None = "",
    suspension: Mapping[str, Any] | None = None,
    status: str | None = None,
    usage: Mapping[str, Any] | None = None,
    limits: Limits | Mapping[str, Any] | None = None,
    reason: str = "",
    sender_name: str = "",
) -> Facts:
    """Facts from loosely shaped inputs: the API's account detail pieces or store rows.

    ``suspension`` is {by, reason, since, until}; ``usage`` has hour/day/refused_day counts
    and ``countries`` as a list of {country, messages_day, …} or a {CC: (messages, recipients)}
    map; ``limits`` is a policy ``Limits`` or the API's limits dict.
    """
    language = language if language in LANGUAGES else "en"
    susp: SuspensionFacts | None = None
    if suspension:
        by = str(suspension.get("by") or "auto")
        susp = SuspensionFacts(
            by=by,
            by_staff=by != "auto",
            reason=str(suspension.get("reason") or ""),
            since=_epoch(suspension.get("since")),
            until=_epoch(suspension.get("until")),
        )
    return Facts(
        account=account,
        owner_name=owner_name or "",
        contact=contact,
        language=language,  # type: ignore[typeddict-item]
        timezone=timezone,
        now=now,
        status=status or ("suspended" if susp else "ok"),
        suspension=susp,
        usage=_usage(usage) if usage is not None else None,
        limits=_limits(limits) if limits is not None else None,
        reason=susp["reason"] if susp else reason,
        support_contact=support_contact,
        sender_name=sender_name,
    )


def _counts(value: Any) -> Counts:
    value = value or {}
    return Counts(messages=int(value.get("messages") or 0), recipients=int(value.get("recipients") or 0))


def _usage(usage: Mapping[str, Any]) -> UsageFacts:
    raw = usage.get("countries") or []
    if isinstance(raw, Mapping):  # {CC: (messages, recipients)} as Usage.countries() gives
        rows = [CountryUsage(country=cc, messages_day=int(m), recipients_day=int(r)) for cc, (m, r) in raw.items()]
    else:
        rows = [
            CountryUsage(
                country=str(c["country"]),
                messages_day=int(c.get("messages_day") or c.get("messages") or 0),
                recipients_day=int(c.get("recipients_day") or c.get("recipients") or 0),
            )
            for c in raw
        ]
    rows.sort(key=lambda c: (-c["messages_day"], c["country"]))
    return UsageFacts(
        hour=_counts(usage.get("hour")),
        day=_counts(usage.get("day")),
        refused_day=_counts(usage.get("refused_day")),
        countries=rows,
    )


def _quota_dict(values: Mapping[str, Any]) -> dict[str, int | None]:
    # every key present (None = no limit), so templates may name any of them
    return {k: values.get(k) for k in QUOTA_KEYS}


def _limits(limits: Limits | Mapping[str, Any]) -> LimitsFacts:
    if isinstance(limits, Limits):
        return LimitsFacts(
            account=limits.account.as_dict(),  # already every key
            abroad=limits.abroad.quota.as_dict(),
            countries={cc: cap.quota.as_dict() for cc, cap in sorted(limits.countries.items())},
            home_countries=sorted(limits.home_countries),
        )
    return LimitsFacts(
        account=_quota_dict(limits.get("account") or {}),
        abroad=_quota_dict(limits.get("abroad") or {}),
        countries={cc: _quota_dict(v) for cc, v in sorted((limits.get("countries") or {}).items())},
        home_countries=list(limits.get("home_countries") or []),
    )


def _epoch(value: Any) -> float | None:
    """Epoch seconds from a number, a datetime or an ISO 8601 text (as the API sends)."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return float(value)
    from datetime import datetime, timezone

    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, datetime):
        if value.tzinfo is None:  # the store keeps naive UTC
            value = value.replace(tzinfo=timezone.utc)
        return value.timestamp()
    raise TypeError(f"not a time: {value!r}")


def facts_from_detail(detail: Mapping[str, Any], *, contact: str, language: str, now: float, support_contact: str,
                      owner_name: str | None = "", timezone: str = "Asia/Tokyo", sender_name: str = "") -> Facts:
    """Facts from the API's account detail (GET /api/v1/accounts/{account}) and the owner's record.

    The warning's reason is the newest refusal or limit hit in ``recent`` (newest first).
    """
    latest = next((r.get("reason") for r in detail.get("recent") or () if r.get("reason")), "")
    return build_facts(
        account=str(detail["account"]), contact=contact, owner_name=owner_name, language=language,
        timezone=timezone, now=now, support_contact=support_contact, sender_name=sender_name,
        status=detail.get("status"), suspension=detail.get("suspension"), usage=detail.get("usage"),
        limits=detail.get("limits"), reason=latest or "",
    )
