"""Dataclasses for the API's JSON (docs/api.md), parsed defensively.

The backend may be newer or older than the desk: missing keys get neutral defaults, unknown
keys are ignored, and wrong types never raise. Times become epoch seconds (UTC).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


def _int(v: Any, default: int = 0) -> int:
    try:
        return int(v)
    except (TypeError, ValueError):
        return default


def _opt_int(v: Any) -> int | None:
    return None if v is None else _int(v, 0)


def _float(v: Any, default: float = 0.0) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return default


def _str(v: Any, default: str = "") -> str:
    return v if isinstance(v, str) else default


def _opt_str(v: Any) -> str | None:
    return v if isinstance(v, str) else None


def _dict(v: Any) -> dict:
    return v if isinstance(v, dict) else {}


def _list(v: Any) -> list:
    return v if isinstance(v, list) else []


def parse_time(v: Any) -> float | None:
    """ISO 8601 (``...Z`` or with an offset) to epoch seconds; None when absent or unreadable."""
    if not isinstance(v, str) or not v:
        return None
    try:
        t = dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        return None
    if t.tzinfo is None:  # the API speaks UTC
        t = t.replace(tzinfo=dt.UTC)
    return t.timestamp()


RISK_LEVELS = ("none", "watch", "probation", "hold", "suspend")  # mildest first


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason of the behaviour analysis: a stable ``code``, the backend's ``text`` and its numbers."""

    code: str
    text: str = ""
    params: dict = field(default_factory=dict)
    text_ja: str = ""

    def words(self, japanese: bool = False) -> str:
        """The backend's text in the UI's language (Japanese when it sent one), else its code."""
        return (self.text_ja if japanese else "") or self.text or self.code

    @classmethod
    def from_json(cls, d: Any) -> Reason | None:
        d = _dict(d)
        code = _str(d.get("code"))
        if not code and not _str(d.get("text")):
            return None
        return cls(code, _str(d.get("text")), _dict(d.get("params")), _str(d.get("text_ja")))


def _reasons(items: Any) -> list[Reason]:
    return [r for r in map(Reason.from_json, _list(items)) if r is not None]


@dataclass(frozen=True, slots=True)
class Risk:
    """The behaviour analysis' verdict on an account (absent on a backend without it)."""

    level: str = "none"
    score: float = 0.0
    reasons: tuple[Reason, ...] = ()

    @classmethod
    def from_json(cls, d: Any) -> Risk | None:
        if not isinstance(d, dict):
            return None
        level = _str(d.get("level"), "none")
        return cls(level if level in RISK_LEVELS else "none", _float(d.get("score")), tuple(_reasons(d.get("reasons"))))

    @property
    def rank(self) -> int:
        """0 (none) … 4 (suspend), for sorting."""
        return RISK_LEVELS.index(self.level)


@dataclass(frozen=True, slots=True)
class Permission:
    """A travel or trust permission: until when, and what it allows."""

    expires_at: float | None = None
    countries: tuple[str, ...] = ()
    signals: tuple[str, ...] = ()
    reason: str = ""

    @classmethod
    def from_json(cls, d: Any, kind: str = "") -> Permission | None:
        """The backend sends what is allowed as ``items`` (countries for travel, signal codes
        for trust); ``countries``/``signals`` are read too."""
        if not isinstance(d, dict):
            return None
        items = tuple(x for x in _list(d.get("items")) if isinstance(x, str))
        countries = tuple(c for c in _list(d.get("countries")) if isinstance(c, str)) or (items if kind == "travel" else ())
        signals = tuple(x for x in _list(d.get("signals")) if isinstance(x, str)) or (items if kind == "trust" else ())
        return cls(parse_time(d.get("expires_at")), countries, signals, _str(d.get("reason")))


@dataclass(frozen=True, slots=True)
class Permissions:
    travel: Permission | None = None
    trust: Permission | None = None

    @classmethod
    def from_json(cls, d: Any) -> Permissions | None:
        """None when the backend does not know permissions at all (then the desk hides them)."""
        if not isinstance(d, dict):
            return None
        return cls(Permission.from_json(d.get("travel"), "travel"), Permission.from_json(d.get("trust"), "trust"))


# The row states the desk shows; "suspended" splits by who stopped it.
STATE_OK, STATE_LIMITED, STATE_AUTO, STATE_STAFF = "ok", "limited", "auto_stopped", "staff_stopped"


@dataclass(frozen=True, slots=True)
class AccountRow:
    account: str
    status: str = "ok"
    suspended_by: str | None = None
    status_since: float | None = None
    rate: float = 0.0
    recipients_rate: float = 0.0
    messages_minute: int = 0
    messages_hour: int = 0
    messages_day: int = 0
    recipients_hour: int = 0
    recipients_day: int = 0
    refused_day: int = 0
    quota: dict = field(default_factory=dict)  # effective limits: {"messages_per_hour": 100, ...}, None = no limit
    quota_used: float = 0.0
    override: bool = False
    override_expires_at: float | None = None
    top_country: str = ""
    countries: int = 0
    contact: str = ""  # only in /accounts answers
    owner_name: str = ""
    language: str = ""
    # From the behaviour analysis and complaints; None / absent on an older backend.
    risk: Risk | None = None
    complaints: int | None = None
    client_address: str = ""
    network: str = ""
    asn: int | None = None

    @classmethod
    def from_json(cls, d: Any) -> AccountRow | None:
        d = _dict(d)
        name = _str(d.get("account"))
        if not name:
            return None
        return cls(
            account=name, status=_str(d.get("status"), "ok"), suspended_by=_opt_str(d.get("suspended_by")),
            status_since=parse_time(d.get("status_since")), rate=_float(d.get("rate")),
            recipients_rate=_float(d.get("recipients_rate")), messages_minute=_int(d.get("messages_minute")),
            messages_hour=_int(d.get("messages_hour")), messages_day=_int(d.get("messages_day")),
            recipients_hour=_int(d.get("recipients_hour")), recipients_day=_int(d.get("recipients_day")),
            refused_day=_int(d.get("refused_day")),
            quota={str(k): _opt_int(v) for k, v in _dict(d.get("quota")).items()},
            quota_used=_float(d.get("quota_used")), override=bool(d.get("override")),
            override_expires_at=parse_time(d.get("override_expires_at")),
            top_country=_str(d.get("top_country")), countries=_int(d.get("countries")),
            contact=_str(d.get("contact")), owner_name=_str(d.get("owner_name")), language=_str(d.get("language")),
            risk=Risk.from_json(d.get("risk")), complaints=_opt_int(d.get("complaints")),
            client_address=_str(d.get("client_address")), network=_str(d.get("network")), asn=_opt_int(d.get("asn")),
        )

    @property
    def state(self) -> str:
        if self.status == "suspended":
            return STATE_AUTO if self.suspended_by in (None, "auto") else STATE_STAFF
        return STATE_LIMITED if self.status == "limited" else STATE_OK


@dataclass(frozen=True, slots=True)
class CountryCount:
    country: str
    messages: int = 0
    recipients: int = 0
    refused: int = 0
    accounts: int = 0

    @classmethod
    def from_json(cls, d: Any) -> CountryCount | None:
        d = _dict(d)
        code = _str(d.get("country"))
        if not code:
            return None
        return cls(code, _int(d.get("messages")), _int(d.get("recipients")), _int(d.get("refused")),
                   _int(d.get("accounts")))


@dataclass(frozen=True, slots=True)
class Totals:
    messages_per_minute: float = 0.0
    recipients_per_minute: float = 0.0
    messages: int = 0
    recipients: int = 0
    active_accounts: int = 0
    suspended_accounts: int = 0
    limited_accounts: int = 0

    @classmethod
    def from_json(cls, d: Any) -> Totals:
        d = _dict(d)
        return cls(_float(d.get("messages_per_minute")), _float(d.get("recipients_per_minute")),
                   _int(d.get("messages")), _int(d.get("recipients")), _int(d.get("active_accounts")),
                   _int(d.get("suspended_accounts")), _int(d.get("limited_accounts")))


def _rows(items: Any) -> list[AccountRow]:
    return [r for r in map(AccountRow.from_json, _list(items)) if r is not None]


def _countries(items: Any) -> list[CountryCount]:
    return [c for c in map(CountryCount.from_json, _list(items)) if c is not None]


@dataclass(frozen=True, slots=True)
class Overview:
    time: float | None
    window: int
    totals: Totals
    top: list[AccountRow]
    countries: list[CountryCount]
    newest_alert_id: int

    @classmethod
    def from_json(cls, d: Any) -> Overview:
        d = _dict(d)
        return cls(parse_time(d.get("time")), _int(d.get("window"), 60), Totals.from_json(d.get("totals")),
                   _rows(d.get("top")), _countries(d.get("countries")), _int(d.get("newest_alert_id")))


@dataclass(frozen=True, slots=True)
class AccountPage:
    total: int
    items: list[AccountRow]

    @classmethod
    def from_json(cls, d: Any) -> AccountPage:
        d = _dict(d)
        items = _rows(d.get("items"))
        return cls(_int(d.get("total"), len(items)), items)


@dataclass(frozen=True, slots=True)
class Countries:
    window: int
    items: list[CountryCount]

    @classmethod
    def from_json(cls, d: Any) -> Countries:
        d = _dict(d)
        return cls(_int(d.get("window")), _countries(d.get("items")))


@dataclass(frozen=True, slots=True)
class AlertItem:
    id: int
    time: float | None
    account: str
    kind: str
    reason: str
    country: str
    detail: dict
    acked_by: str = ""  # who acknowledged it ("" for nobody, or a backend without acknowledgements)
    acked_at: float | None = None
    ackable: bool = False  # the backend keeps acknowledgements (its alerts carry "acked_by")

    @classmethod
    def from_json(cls, d: Any) -> AlertItem | None:
        d = _dict(d)
        if _int(d.get("id"), -1) < 0:
            return None
        return cls(_int(d.get("id")), parse_time(d.get("time")), _str(d.get("account")), _str(d.get("kind")),
                   _str(d.get("reason")), _str(d.get("country")), _dict(d.get("detail")), _str(d.get("acked_by")),
                   parse_time(d.get("acked_at")), "acked_by" in d)


@dataclass(frozen=True, slots=True)
class AlertsPage:
    items: list[AlertItem]
    newest_id: int
    next_after_id: int | None = None  # where the cursor may go (None: a server that does not say)

    @classmethod
    def from_json(cls, d: Any) -> AlertsPage:
        d = _dict(d)
        items = sorted((a for a in map(AlertItem.from_json, _list(d.get("items"))) if a), key=lambda a: a.id)
        return cls(items, _int(d.get("newest_id"), items[-1].id if items else 0), _opt_int(d.get("next_after_id")))


def _counts(v: Any) -> dict[str, int]:
    return {str(k): _int(n) for k, n in _dict(v).items()}


@dataclass(frozen=True, slots=True)
class SeriesPoint:
    time: float
    messages: int = 0  # accepted
    recipients: int = 0  # of the accepted messages
    refused: int = 0  # refused messages
    by_country: dict[str, int] = field(default_factory=dict)  # accepted messages
    refused_recipients: int = 0  # named by the refused messages (0 from an older backend)
    recipients_by_country: dict[str, int] = field(default_factory=dict)  # accepted ({} from an older backend)

    @classmethod
    def from_json(cls, d: Any) -> SeriesPoint | None:
        d = _dict(d)
        t = parse_time(d.get("time"))
        if t is None:
            return None
        return cls(t, _int(d.get("messages")), _int(d.get("recipients")), _int(d.get("refused")),
                   _counts(d.get("by_country")), _int(d.get("refused_recipients")),
                   _counts(d.get("recipients_by_country")))


@dataclass(frozen=True, slots=True)
class Series:
    account: str
    start: float | None
    step: int
    points: list[SeriesPoint]
    # Whether the backend sends refused_recipients and recipients_by_country (older ones do not:
    # their zeros would then mean "not known", not "none").
    recipient_detail: bool = False

    @classmethod
    def from_json(cls, d: Any) -> Series:
        d = _dict(d)
        raw = _list(d.get("points"))
        pts = [p for p in map(SeriesPoint.from_json, raw) if p]
        detail = any(isinstance(p, dict) and "refused_recipients" in p and "recipients_by_country" in p for p in raw)
        return cls(_str(d.get("account")), parse_time(d.get("start")), _int(d.get("step"), 60) or 60, pts, detail)


@dataclass(frozen=True, slots=True)
class Suspension:
    by: str
    reason: str
    since: float | None
    until: float | None

    @classmethod
    def from_json(cls, d: Any) -> Suspension | None:
        if not isinstance(d, dict):
            return None
        return cls(_str(d.get("by")), _str(d.get("reason")), parse_time(d.get("since")), parse_time(d.get("until")))


@dataclass(frozen=True, slots=True)
class AccountDetail:
    """GET /accounts/{a} and the answer of every account action (then with audit_id, maybe notice)."""

    account: str
    contact: str
    owner_name: str
    language: str
    home_countries: list[str]
    known: bool
    status: str
    suspension: Suspension | None
    limits: dict
    defaults: dict
    override: dict | None
    usage: dict
    recent: list[dict]
    notices: list[dict]
    audit_id: int | None = None
    notice: dict | None = None
    risk: Risk | None = None
    permissions: Permissions | None = None
    complaints: int | None = None
    client_address: str = ""
    network: str = ""
    asn: int | None = None
    suspension_id: int | None = None  # the suspension a suspend made (its undo releases exactly it)

    @classmethod
    def from_json(cls, d: Any) -> AccountDetail:
        d = _dict(d)
        return cls(
            _str(d.get("account")), _str(d.get("contact")), _str(d.get("owner_name")), _str(d.get("language")),
            [c for c in _list(d.get("home_countries")) if isinstance(c, str)], bool(d.get("known", True)),
            _str(d.get("status"), "ok"), Suspension.from_json(d.get("suspension")), _dict(d.get("limits")),
            _dict(d.get("defaults")), d.get("override") if isinstance(d.get("override"), dict) else None,
            _dict(d.get("usage")), [r for r in _list(d.get("recent")) if isinstance(r, dict)],
            [n for n in _list(d.get("notices")) if isinstance(n, dict)], _opt_int(d.get("audit_id")),
            d.get("notice") if isinstance(d.get("notice"), dict) else None,
            Risk.from_json(d.get("risk")), Permissions.from_json(d.get("permissions")),
            _opt_int(d.get("complaints")), _str(d.get("client_address")), _str(d.get("network")),
            _opt_int(d.get("asn")), _opt_int(d.get("suspension_id")),
        )


@dataclass(frozen=True, slots=True)
class Me:
    name: str
    role: str  # viewer | operator | admin | "" when the backend cannot say

    @classmethod
    def from_json(cls, d: Any) -> Me:
        d = _dict(d)
        return cls(_str(d.get("name")), _str(d.get("role")))

    @property
    def can_act(self) -> bool:
        return self.role != "viewer"
