"""Every query of the store, as plain functions taking a Session.

Conventions:
- Timestamps in and out are aware UTC datetimes; ``now=None`` means the wall clock
  (the service passes its own clock's time, which may run faster in simulations).
- Bucket queries speak epoch minutes (``int(t // 60)``), the buckets' own key; ranges
  are half-open: ``from_minute <= minute < to_minute``.
- Staff actions write their audit row in the caller's transaction, so the action and
  its record commit together or not at all.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, case, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..errors import Conflict, FumidaiError, NotFound  # noqa: F401  (callers catch repo.Conflict)
from .models import (
    ACCOUNT_LEN,
    STAFF_LEN,
    STAFF_ROLES,
    Account,
    Alert,
    Audit,
    Bucket,
    Notice,
    Override,
    Staff,
    Suspension,
    utcnow,
)

AUTO = "auto"  # the actor of what the policy server does by itself


def _now(now: datetime | None) -> datetime:
    return utcnow() if now is None else now


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def _audit(
    s: Session,
    actor: str,
    action: str,
    account: str | None,
    reason: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    now: datetime,
) -> int:
    row = Audit(at=now, actor=actor, action=action, account=account, reason=reason, before=before, after=after)
    s.add(row)
    s.flush()
    return row.id


def _upsert(s: Session, table: Any) -> Any:
    """The dialect's INSERT, which has ``on_conflict_do_update`` on both backends."""
    return (postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert)(table)


# -- live state: what the service loads at start --------------------------------------


def active_suspensions(s: Session, now: datetime) -> dict[str, Suspension]:
    """Each suspended account's active suspension (the newest if several overlap)."""
    rows = s.scalars(
        select(Suspension)
        .where(Suspension.released_at.is_(None), or_(Suspension.until.is_(None), Suspension.until > now))
        .order_by(Suspension.since, Suspension.id)
    )
    return {row.account: row for row in rows}


def active_overrides(s: Session, now: datetime) -> dict[str, Override]:
    """Each account's override that has not expired."""
    rows = s.scalars(select(Override).where(or_(Override.expires_at.is_(None), Override.expires_at > now)))
    return {row.account: row for row in rows}


def active_suspension(s: Session, account: str, now: datetime) -> Suspension | None:
    """The account's active suspension (the newest if several overlap), or None."""
    active = _active_for(s, account, now)
    return active[-1] if active else None


def get_override(s: Session, account: str) -> Override | None:
    """The account's override row, expired or not."""
    return s.get(Override, account)


def account_homes(s: Session) -> dict[str, list[str]]:
    """The home countries of every account that has its own (imported)."""
    rows = s.execute(select(Account.name, Account.home_countries).where(Account.home_countries.is_not(None)))
    return {name: homes for name, homes in rows if homes}


def newest_audit_id(s: Session) -> int:
    return s.scalar(select(func.max(Audit.id))) or 0


class BucketRow(NamedTuple):
    account: str
    minute: int
    country: str
    accepted_messages: int
    accepted_recipients: int
    refused_messages: int
    refused_recipients: int


_BUCKET_COLUMNS = (
    Bucket.account,
    Bucket.minute,
    Bucket.country,
    Bucket.accepted_messages,
    Bucket.accepted_recipients,
    Bucket.refused_messages,
    Bucket.refused_recipients,
)


def recent_buckets(s: Session, since_minute: int) -> Iterator[BucketRow]:
    """Every bucket from ``since_minute`` on, streamed (a server-side cursor on PostgreSQL).

    Consume it inside the session: it rebuilds the counters of every account at start.
    """
    result = s.execute(
        select(*_BUCKET_COLUMNS).where(Bucket.minute >= since_minute).execution_options(yield_per=5000)
    )
    for row in result:
        yield BucketRow(*row)


# -- write-behind: the flusher, every second ------------------------------------------


_COUNT_NAMES = ("accepted_messages", "accepted_recipients", "refused_messages", "refused_recipients")
_ADD_COUNTS = ", ".join(f"{n} = buckets.{n} + excluded.{n}" for n in _COUNT_NAMES)

# The flusher's statements are written by hand: SQLAlchemy's per-row parameter handling
# cost more than the database's own work at tens of thousands of rows a second.
# SQLite: executemany, whose loop runs in C. PostgreSQL: COPY into a temporary table,
# then one INSERT ... SELECT (a row at a time costs a round trip; arrays as parameters
# are formatted in Python, which cost more than the COPY itself).
_BUCKET_UPSERT_SQLITE = (
    f"INSERT INTO buckets (account, minute, country, {', '.join(_COUNT_NAMES)}) VALUES (?, ?, ?, ?, ?, ?, ?) "
    f"ON CONFLICT (account, minute, country) DO UPDATE SET {_ADD_COUNTS}"
)
# ORDER BY: two servers flushing the same keys lock them in one order instead of deadlocking.
_BUCKET_UPSERT_PG = (
    "INSERT INTO buckets SELECT * FROM {temp} ORDER BY account, minute, country "
    f"ON CONFLICT (account, minute, country) DO UPDATE SET {_ADD_COUNTS}"
)


def _pg_copy_upsert(s: Session, temp: str, columns: str, upsert: str, rows: Iterable[Sequence[Any]]) -> None:
    """COPY ``rows`` into the temporary table ``temp`` (made if needed), then run ``upsert``
    (which reads ``{temp}``), in the session's transaction."""
    raw = s.connection().connection.driver_connection  # psycopg
    with raw.cursor() as cur:
        cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {temp} ({columns}) ON COMMIT DELETE ROWS")
        # ON COMMIT empties it, but one transaction may flush twice.
        cur.execute(f"TRUNCATE {temp}")
        with cur.copy(f"COPY {temp} FROM STDIN") as pipe:
            for row in rows:
                pipe.write_row(row)
        cur.execute(upsert.format(temp=temp))


def add_buckets(s: Session, rows: Iterable[Sequence[Any]]) -> int:
    """Add counts to buckets, creating them as needed; returns the number of buckets written.

    ``rows`` are (account, minute, country, accepted_messages, accepted_recipients,
    refused_messages, refused_recipients). Rows with the same key are summed first: one
    statement may not update the same row twice on PostgreSQL.
    """
    merged: dict[tuple[str, int, str], list[int]] = {}
    for account, minute, country, am, ar, rm, rr in rows:
        key = (account, minute, country)
        counts = merged.get(key)
        if counts is None:
            merged[key] = [am, ar, rm, rr]
        else:
            counts[0] += am
            counts[1] += ar
            counts[2] += rm
            counts[3] += rr
    if not merged:
        return 0
    if s.get_bind().dialect.name == "postgresql":
        rows_in = ((*k, *c) for k, c in merged.items())
        _pg_copy_upsert(s, "fumidai_buckets_in", "LIKE buckets", _BUCKET_UPSERT_PG, rows_in)
    else:
        # Sorted keys: the B-tree is filled in order.
        s.connection().exec_driver_sql(_BUCKET_UPSERT_SQLITE, [(*k, *merged[k]) for k in sorted(merged)])
    return len(merged)


# last_seen_at is kept to the minute: rewriting every active account's row each second
# would be most of the flusher's work for no reader's benefit.
LAST_SEEN_STEP_S = 60

_TOUCH_SQLITE = (
    "INSERT INTO accounts (name, created_at, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (name) DO UPDATE SET last_seen_at = excluded.last_seen_at "
    "WHERE accounts.last_seen_at IS NULL "
    f"OR accounts.last_seen_at < datetime(excluded.last_seen_at, '-{LAST_SEEN_STEP_S} seconds')"
)
_TOUCH_PG = (
    "INSERT INTO accounts (name, created_at, first_seen_at, last_seen_at) "
    "SELECT name, now(), seen, seen FROM {temp} ORDER BY name "
    "ON CONFLICT (name) DO UPDATE SET last_seen_at = excluded.last_seen_at "
    "WHERE accounts.last_seen_at IS NULL "
    f"OR accounts.last_seen_at < excluded.last_seen_at - interval '{LAST_SEEN_STEP_S} seconds'"
)


def touch_accounts(s: Session, last_seen: Mapping[str, datetime]) -> None:
    """Record when accounts last sent (to the minute; never backwards); accounts never
    seen before are created."""
    if not last_seen:
        return
    for t in set(last_seen.values()):
        if t.utcoffset() is None:
            raise ValueError(f"naive datetime {t.isoformat()} given to the store; use an aware UTC time")
    if s.get_bind().dialect.name == "postgresql":
        _pg_copy_upsert(s, "fumidai_seen_in", "name varchar, seen timestamptz", _TOUCH_PG, last_seen.items())
        return
    text = _SqliteTimes()
    made = text[utcnow()]
    s.connection().exec_driver_sql(_TOUCH_SQLITE, [(n, made, text[t], text[t]) for n, t in sorted(last_seen.items())])


class _SqliteTimes(dict[datetime, str]):
    """Datetimes as SQLAlchemy stores them in SQLite (naive UTC text), each formatted once:
    a flush holds thousands of accounts but only a few distinct times."""

    def __missing__(self, value: datetime) -> str:
        u = value.astimezone(UTC)
        text = f"{u:%Y-%m-%d %H:%M:%S}.{u.microsecond:06d}"
        self[value] = text
        return text


def add_alerts(s: Session, alerts: Sequence[Mapping[str, Any]]) -> list[int]:
    """Insert alerts (keys: at, account, kind, reason, country, detail); their ids in order."""
    if not alerts:
        return []
    params = [
        {
            "at": a.get("at") or utcnow(),
            "account": a["account"],
            "kind": a["kind"],
            "reason": a.get("reason") or "",
            "country": a.get("country"),
            "detail": a.get("detail"),
        }
        for a in alerts
    ]
    stmt = Alert.__table__.insert().returning(Alert.__table__.c.id, sort_by_parameter_order=True)
    return list(s.connection().execute(stmt, params).scalars())


def delete_buckets_before(s: Session, minute: int) -> int:
    """Drop history older than ``minute`` (retention); returns the number of buckets removed."""
    return s.execute(delete(Bucket).where(Bucket.minute < minute)).rowcount


# -- staff actions (each with its audit row) ------------------------------------------


def suspension_dict(row: Suspension | None) -> dict[str, Any] | None:
    """A suspension as JSON (for audit entries and the API)."""
    if row is None:
        return None
    return {"id": row.id, "by": row.by, "reason": row.reason, "since": _iso(row.since), "until": _iso(row.until)}


def _active_for(s: Session, account: str, now: datetime) -> list[Suspension]:
    return list(
        s.scalars(
            select(Suspension)
            .where(
                Suspension.account == account,
                Suspension.released_at.is_(None),
                or_(Suspension.until.is_(None), Suspension.until > now),
            )
            .order_by(Suspension.since, Suspension.id)
        )
    )


def _state(suspensions: list[Suspension]) -> dict[str, Any]:
    return {"suspended": bool(suspensions), "suspension": suspension_dict(suspensions[-1]) if suspensions else None}


def _suspend(
    s: Session, account: str, actor: str, action: str, reason: str, until: datetime | None, now: datetime
) -> int:
    if until is not None and until <= now:
        raise Conflict(f"the suspension would end at {_iso(until)}, which is not in the future")
    before = _state(_active_for(s, account, now))
    row = Suspension(account=account, by=actor, reason=reason, since=now, until=until)
    s.add(row)
    s.flush()
    return _audit(s, actor, action, account, reason, before, _state([row]), now)


def suspend(
    s: Session, account: str, actor: str, reason: str, until: datetime | None = None, now: datetime | None = None
) -> int:
    """Stop an account's sending (until released, or until ``until``); returns the audit id."""
    return _suspend(s, account, actor, "suspend", reason, until, _now(now))


def record_auto_suspension(
    s: Session, account: str, reason: str, until: datetime | None = None, now: datetime | None = None
) -> int:
    """Record a suspension the policy server made itself (actor "auto"); returns the audit id."""
    return _suspend(s, account, AUTO, "auto_suspend", reason, until, _now(now))


def release(s: Session, account: str, actor: str, reason: str, now: datetime | None = None) -> int:
    """End every active suspension of the account; returns the audit id.

    Raises Conflict if the account is not suspended.
    """
    now = _now(now)
    active = _active_for(s, account, now)
    if not active:
        raise Conflict(f"account {account!r} is not suspended")
    before = _state(active)
    for row in active:
        row.released_at = now
        row.released_by = actor
        row.release_reason = reason
    s.flush()
    return _audit(s, actor, "release", account, reason, before, _state([]), now)


def override_dict(row: Override | None) -> dict[str, Any] | None:
    """An override as JSON (for audit entries and the API)."""
    if row is None:
        return None
    return {
        "limits": row.limits,
        "home_countries": row.home_countries,
        "abroad": row.abroad,
        "countries": row.countries,
        "expires_at": _iso(row.expires_at),
        "set_by": row.set_by,
        "reason": row.reason,
        "set_at": _iso(row.set_at),
    }


def set_override(
    s: Session,
    account: str,
    actor: str,
    reason: str,
    limits: Mapping[str, Any] | None = None,
    home_countries: Sequence[str] | None = None,
    abroad: Mapping[str, Any] | None = None,
    countries: Mapping[str, Mapping[str, Any]] | None = None,
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> int:
    """Give an account its own limits, replacing any it had; returns the audit id.

    The values are stored as given; the service validates them (policy.limits.Override).
    """
    now = _now(now)
    if expires_at is not None and expires_at <= now:
        raise Conflict(f"the limits would expire at {_iso(expires_at)}, which is not in the future")
    row = s.get(Override, account)
    before = override_dict(row)
    if row is None:
        row = Override(account=account)
        s.add(row)
    row.limits = dict(limits) if limits is not None else None
    row.home_countries = list(home_countries) if home_countries is not None else None
    row.abroad = dict(abroad) if abroad is not None else None
    row.countries = {cc: dict(cap) for cc, cap in countries.items()} if countries is not None else None
    row.expires_at = expires_at
    row.set_by = actor
    row.reason = reason
    row.set_at = now
    s.flush()
    return _audit(s, actor, "set_limits", account, reason, before, override_dict(row), now)


def clear_override(s: Session, account: str, actor: str, reason: str, now: datetime | None = None) -> int:
    """Return an account to the default limits; returns the audit id.

    Raises NotFound if the account has no override.
    """
    now = _now(now)
    row = s.get(Override, account)
    if row is None:
        raise NotFound(f"account {account!r} has no limits of its own")
    before = override_dict(row)
    s.delete(row)
    s.flush()
    return _audit(s, actor, "clear_limits", account, reason, before, None, now)


# -- accounts --------------------------------------------------------------------------


def get_account(s: Session, name: str) -> Account | None:
    """The account's record, or None if it was never imported nor seen."""
    return s.get(Account, name)


def get_accounts(s: Session, names: Sequence[str]) -> dict[str, Account]:
    """The records of the named accounts that exist, by name (one query per thousand names)."""
    out: dict[str, Account] = {}
    names = list(names)
    for start in range(0, len(names), 1000):
        for row in s.scalars(select(Account).where(Account.name.in_(names[start:start + 1000]))):
            out[row.name] = row
    return out


def upsert_accounts(s: Session, rows: Iterable[Mapping[str, Any]], actor: str = "cli") -> int:
    """Create or update accounts from an import; returns how many rows were written.

    Keys: account (required), contact, name (the owner's), language (ja|en),
    home_countries (a list of ISO codes, or None for the defaults). Seen-times are kept.
    """
    table = Account.__table__
    params = []
    created = utcnow()
    for i, row in enumerate(rows, 1):
        name = (row.get("account") or "").strip()
        if not name or len(name) > ACCOUNT_LEN:
            raise FumidaiError(f"row {i}: the account name must be 1 to {ACCOUNT_LEN} characters")
        language = row.get("language") or None
        if language not in (None, "ja", "en"):
            raise FumidaiError(f"row {i} ({name!r}): language must be ja or en, not {language!r}")
        homes = row.get("home_countries")
        params.append(
            {
                "name": name,
                "contact": row.get("contact") or None,
                "owner_name": row.get("name") or None,
                "language": language,
                "home_countries": list(homes) if homes else None,
                "created_at": created,
            }
        )
    if not params:
        return 0
    stmt = _upsert(s, table)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.name],
        set_={k: stmt.excluded[k] for k in ("contact", "owner_name", "language", "home_countries")},
    )
    s.connection().execute(stmt, params)
    # A running server reloads home countries when it sees this entry.
    _audit(s, actor, "import", None, f"{len(params)} accounts", None, {"accounts": len(params)}, created)
    return len(params)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _account_filter(q: str | None) -> ColumnElement[bool] | None:
    if not q:
        return None
    pattern = f"%{_escape_like(q)}%"
    return or_(Account.name.ilike(pattern, escape="\\"), Account.contact.ilike(pattern, escape="\\"))


def search_accounts(s: Session, q: str | None = None, limit: int = 100, offset: int = 0) -> list[Account]:
    """Accounts whose name or contact contains ``q`` (any case); prefix matches first."""
    stmt: Select[tuple[Account]] = select(Account)
    where = _account_filter(q)
    if where is not None:
        prefix = f"{_escape_like(q or '')}%"
        first = case((Account.name.ilike(prefix, escape="\\"), 0), else_=1)
        stmt = stmt.where(where).order_by(first, Account.name)
    else:
        stmt = stmt.order_by(Account.name)
    return list(s.scalars(stmt.limit(limit).offset(offset)))


def count_accounts(s: Session, q: str | None = None) -> int:
    """How many accounts ``search_accounts`` would page through."""
    stmt = select(func.count()).select_from(Account)
    where = _account_filter(q)
    if where is not None:
        stmt = stmt.where(where)
    return int(s.scalar(stmt) or 0)


# -- staff and tokens ------------------------------------------------------------------


def token_hash(token: str) -> str:
    """What the store keeps of a token: its sha256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add_staff(s: Session, name: str, role: str, actor: str = "cli", now: datetime | None = None) -> str:
    """Add a staff member; returns the new API token (shown once, never stored)."""
    now = _now(now)
    name = name.strip()
    if not name or len(name) > STAFF_LEN or any(c.isspace() or not c.isprintable() for c in name):
        raise FumidaiError(f"staff name must be 1 to {STAFF_LEN} printable characters without spaces")
    if name == AUTO:
        raise FumidaiError(f"{AUTO!r} is reserved for what fumidai does by itself")
    if role not in STAFF_ROLES:
        raise FumidaiError(f"role must be one of {', '.join(STAFF_ROLES)}, not {role!r}")
    if s.scalar(select(Staff.id).where(Staff.name == name, Staff.revoked_at.is_(None))) is not None:
        raise Conflict(f"staff {name!r} already exists; revoke it first to issue a new token")
    token = secrets.token_urlsafe(32)
    s.add(Staff(name=name, role=role, token_hash=token_hash(token), created_at=now))
    s.flush()
    _audit(s, actor, "staff_add", None, "", None, {"name": name, "role": role}, now)
    return token


def staff_for_token(s: Session, token: str) -> Staff | None:
    """The active staff member holding this token, or None."""
    if not token:
        return None
    return s.scalar(select(Staff).where(Staff.token_hash == token_hash(token), Staff.revoked_at.is_(None)))


def list_staff(s: Session, include_revoked: bool = False) -> list[Staff]:
    """Staff by name (active only unless asked)."""
    stmt = select(Staff).order_by(Staff.name, Staff.id)
    if not include_revoked:
        stmt = stmt.where(Staff.revoked_at.is_(None))
    return list(s.scalars(stmt))


def revoke_staff(s: Session, name: str, actor: str = "cli", now: datetime | None = None) -> None:
    """Revoke a staff member's token at once. Raises NotFound if there is no such active name."""
    now = _now(now)
    row = s.scalar(select(Staff).where(Staff.name == name, Staff.revoked_at.is_(None)))
    if row is None:
        raise NotFound(f"no active staff named {name!r}")
    row.revoked_at = now
    s.flush()
    _audit(s, actor, "staff_revoke", None, "", {"name": name, "role": row.role}, None, now)


# -- alerts and audit (cursor reads) ---------------------------------------------------


def alerts_after(s: Session, after_id: int = 0, limit: int = 200) -> list[Alert]:
    """Alerts with an id above ``after_id``, oldest first."""
    return list(s.scalars(select(Alert).where(Alert.id > after_id).order_by(Alert.id).limit(limit)))


def newest_alert_id(s: Session) -> int:
    """The highest alert id, 0 when there are none."""
    return int(s.scalar(select(func.max(Alert.id))) or 0)


def audit_after(s: Session, account: str | None = None, after_id: int = 0, limit: int = 200) -> list[Audit]:
    """Audit entries (of one account, or all) with an id above ``after_id``, oldest first."""
    stmt = select(Audit).where(Audit.id > after_id)
    if account is not None:
        stmt = stmt.where(Audit.account == account)
    return list(s.scalars(stmt.order_by(Audit.id).limit(limit)))


# -- history over buckets --------------------------------------------------------------

_SUMS = (
    func.sum(Bucket.accepted_messages),
    func.sum(Bucket.accepted_recipients),
    func.sum(Bucket.refused_messages),
    func.sum(Bucket.refused_recipients),
)


class SeriesRow(NamedTuple):
    minute: int
    country: str
    accepted_messages: int
    accepted_recipients: int
    refused_messages: int
    refused_recipients: int


def series(s: Session, account: str, from_minute: int, to_minute: int) -> list[SeriesRow]:
    """One account's buckets in [from_minute, to_minute), by minute then country."""
    rows = s.execute(
        select(*_BUCKET_COLUMNS[1:])
        .where(Bucket.account == account, Bucket.minute >= from_minute, Bucket.minute < to_minute)
        .order_by(Bucket.minute, Bucket.country)
    )
    return [SeriesRow(*row) for row in rows]


def hourly_history(s: Session, account: str, since_minute: int) -> list[SeriesRow]:
    """One account's counts per UTC hour and country; ``minute`` is the hour's first minute."""
    hour = (Bucket.minute // 60) * 60
    rows = s.execute(
        select(hour.label("hour"), Bucket.country, *_SUMS)
        .where(Bucket.account == account, Bucket.minute >= since_minute)
        .group_by(hour, Bucket.country)
        .order_by(hour, Bucket.country)
    )
    return [SeriesRow(int(h), c, int(am), int(ar), int(rm), int(rr)) for h, c, am, ar, rm, rr in rows]


class CountryTotal(NamedTuple):
    country: str
    messages: int  # accepted
    recipients: int  # accepted
    refused: int  # messages
    accounts: int


def country_totals(s: Session, since_minute: int) -> list[CountryTotal]:
    """Per country since ``since_minute``: accepted messages and recipients, refusals, senders."""
    rows = s.execute(
        select(
            Bucket.country,
            func.sum(Bucket.accepted_messages),
            func.sum(Bucket.accepted_recipients),
            func.sum(Bucket.refused_messages),
            func.count(Bucket.account.distinct()),
        )
        .where(Bucket.minute >= since_minute)
        .group_by(Bucket.country)
    )
    totals = [CountryTotal(c, int(m), int(r), int(f), int(a)) for c, m, r, f, a in rows]
    return sorted(totals, key=lambda t: (-t.messages, t.country))


class DayTrend(NamedTuple):
    day: date  # UTC
    accepted: int  # messages
    refused: int  # messages
    auto_suspensions: int
    top_countries: list[tuple[str, int]]  # (country, accepted messages), most first


def daily_trends(s: Session, since_minute: int, top: int = 5) -> list[DayTrend]:
    """Per UTC day since ``since_minute``: messages accepted and refused, automatic
    suspensions, and the countries that sent most; oldest day first, days without
    traffic or suspensions left out."""
    day = Bucket.minute // 1440
    accepted: dict[int, int] = defaultdict(int)
    refused: dict[int, int] = defaultdict(int)
    by_country: dict[int, list[tuple[str, int]]] = defaultdict(list)
    rows = s.execute(
        select(day, Bucket.country, func.sum(Bucket.accepted_messages), func.sum(Bucket.refused_messages))
        .where(Bucket.minute >= since_minute)
        .group_by(day, Bucket.country)
    )
    for d, country, acc, ref in rows:
        accepted[int(d)] += int(acc)
        refused[int(d)] += int(ref)
        if acc:
            by_country[int(d)].append((country, int(acc)))
    # Few rows: counted here rather than with each dialect's date functions.
    since = datetime.fromtimestamp(since_minute * 60, tz=UTC)
    suspensions: dict[int, int] = defaultdict(int)
    for at in s.scalars(select(Suspension.since).where(Suspension.by == AUTO, Suspension.since >= since)):
        suspensions[int(at.timestamp() // 86400)] += 1
    epoch = date(1970, 1, 1)
    return [
        DayTrend(
            day=epoch + timedelta(days=d),
            accepted=accepted.get(d, 0),
            refused=refused.get(d, 0),
            auto_suspensions=suspensions.get(d, 0),
            top_countries=sorted(by_country.get(d, []), key=lambda t: (-t[1], t[0]))[:top],
        )
        for d in sorted(set(accepted) | set(suspensions))
    ]


# -- notices ---------------------------------------------------------------------------


def create_notice(
    s: Session,
    account: str,
    template: str,
    language: str,
    staff: str,
    to_address: str,
    subject: str,
    body: str,
    idempotency_key: str | None = None,
    now: datetime | None = None,
    html: str | None = None,
) -> Notice:
    """Queue a notice, due at once. A repeated non-null ``idempotency_key`` returns the
    notice already made with it, unchanged (compare ``notice_by_key`` first to tell)."""
    now = _now(now)
    if idempotency_key is not None:
        existing = notice_by_key(s, idempotency_key)
        if existing is not None:
            return existing
    table = Notice.__table__
    stmt = _upsert(s, table).values(
        account=account,
        template=template,
        language=language,
        staff=staff,
        to_address=to_address,
        subject=subject,
        body=body,
        html=html,
        status="queued",
        attempts=0,
        next_attempt_at=now,
        idempotency_key=idempotency_key,
        created_at=now,
    )
    # Two requests with one key at once: the loser inserts nothing and reads the winner's.
    new_id = s.execute(
        stmt.on_conflict_do_nothing(index_elements=[table.c.idempotency_key]).returning(table.c.id)
    ).scalar()
    if new_id is None:
        existing = notice_by_key(s, idempotency_key or "")
        assert existing is not None
        return existing
    notice = s.get(Notice, new_id)
    assert notice is not None
    return notice


def notice_by_key(s: Session, idempotency_key: str) -> Notice | None:
    """The notice made with this idempotency key, if any."""
    return s.scalar(select(Notice).where(Notice.idempotency_key == idempotency_key))


def due_notices(s: Session, now: datetime, limit: int = 50) -> list[Notice]:
    """Queued notices whose next attempt is due, oldest first.

    On PostgreSQL the rows are locked until the transaction ends, and rows locked by
    another sender are skipped, so two servers never send one notice twice.
    """
    stmt = (
        select(Notice)
        .where(Notice.status == "queued", Notice.next_attempt_at <= now)
        .order_by(Notice.next_attempt_at, Notice.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(s.scalars(stmt))


def claim_notice(s: Session, notice_id: int, now: datetime, lease_until: datetime) -> bool:
    """Move a due notice's next attempt to ``lease_until``; False if another sender took it first."""
    taken = s.execute(
        update(Notice)
        .where(Notice.id == notice_id, Notice.status == "queued", Notice.next_attempt_at <= now)
        .values(next_attempt_at=lease_until)
        .execution_options(synchronize_session=False)
    ).rowcount
    return bool(taken)


def audit_notice(s: Session, actor: str, notice: Notice, now: datetime) -> int:
    """The audit entry of a queued notice, in the caller's transaction; returns its id."""
    return _audit(s, actor, "notice", notice.account, f"notice {notice.template} ({notice.language})", None,
                  {"id": notice.id, "template": notice.template, "language": notice.language,
                   "to": notice.to_address, "status": notice.status}, now)


def mark_notice_sent(s: Session, notice_id: int, message_id: str, when: datetime) -> None:
    """Record a delivery to the relay."""
    s.execute(
        update(Notice)
        .where(Notice.id == notice_id)
        .values(
            status="sent",
            attempts=Notice.attempts + 1,
            message_id=message_id,
            sent_at=when,
            next_attempt_at=None,
            error=None,
        )
        .execution_options(synchronize_session="fetch")
    )


def mark_notice_attempt_failed(s: Session, notice_id: int, error: str, next_attempt_at: datetime | None) -> None:
    """Record a failed attempt: retry at ``next_attempt_at``, or give up for good (None)."""
    values: dict[str, Any] = {"attempts": Notice.attempts + 1, "error": error[:2000], "next_attempt_at": next_attempt_at}
    if next_attempt_at is None:
        values["status"] = "failed"
    s.execute(
        update(Notice).where(Notice.id == notice_id).values(**values).execution_options(synchronize_session="fetch")
    )


def get_notice(s: Session, notice_id: int) -> Notice | None:
    return s.get(Notice, notice_id)


def notices_for_account(s: Session, account: str, limit: int = 20) -> list[Notice]:
    """An account's notices, newest first."""
    return list(s.scalars(select(Notice).where(Notice.account == account).order_by(Notice.id.desc()).limit(limit)))
