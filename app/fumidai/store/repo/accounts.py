"""Accounts: records (imported), last-seen times (write-behind), search and paging."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, or_, select
from sqlalchemy.orm import Session

from ...errors import FumidaiError
from ..models import ACCOUNT_LEN, Account, utcnow
from .alerts import _SqliteTimes
from .buckets import _pg_copy_upsert
from ._common import _audit, _upsert


def account_homes(s: Session) -> dict[str, list[str]]:
    """The home countries of every account that has its own (imported)."""
    rows = s.execute(select(Account.name, Account.home_countries).where(Account.home_countries.is_not(None)))
    return {name: homes for name, homes in rows if homes}


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
