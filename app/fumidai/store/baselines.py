"""Queries of behaviour analysis: baselines (bytes) and travel/trust permissions.

Baselines are opaque here (fumidai.behaviour reads and validates them); they are written
in bulk: the service's flush of what it learned, and `fumidai baseline import`.
Permissions are staff actions: each change writes its audit row in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..errors import FumidaiError
from .models import PERMISSION_KINDS, Baseline, Permission, utcnow
from ..errors import Conflict, NotFound
from .repo._common import _audit, _iso
from .repo.alerts import _SqliteTimes
from .repo.buckets import _pg_copy_upsert

BLOB_VERSION_AT = 2  # the format version is the byte after the 2-byte magic (behaviour.baseline)
MAX_BLOB = 64 * 1024  # far above any real baseline; anything larger is not one


class BaselineRow(NamedTuple):
    account: str
    blob: bytes
    updated_at: datetime


def load_baselines(s: Session, since: datetime | None = None, batch: int = 10_000) -> Iterator[BaselineRow]:
    """Every baseline, or those written after ``since`` (the running server's poll), streamed."""
    q = select(Baseline.account, Baseline.blob, Baseline.updated_at)
    if since is not None:
        q = q.where(Baseline.updated_at > since)
    for account, blob, updated_at in s.execute(q.execution_options(yield_per=batch)):
        yield BaselineRow(account, bytes(blob), updated_at)


def newest_baseline_at(s: Session) -> datetime | None:
    """When the newest baseline was written: where the next ``load_baselines(since=)`` starts."""
    return s.scalars(select(Baseline.updated_at).order_by(Baseline.updated_at.desc()).limit(1)).first()


_UPSERT_SQLITE = (
    "INSERT INTO baselines (account, version, blob, updated_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (account) DO UPDATE SET version = excluded.version, blob = excluded.blob{restamp}"
)
_UPSERT_PG = (
    "INSERT INTO baselines SELECT * FROM {{temp}} ORDER BY account "
    "ON CONFLICT (account) DO UPDATE SET version = excluded.version, blob = excluded.blob{restamp}"
)
_RESTAMP = ", updated_at = excluded.updated_at"


def upsert_baselines(s: Session, blobs: Mapping[str, bytes], now: datetime | None = None, restamp: bool = True) -> int:
    """Write many baselines at once (replacing what was there); returns how many.

    ``updated_at`` is what a running server loads after an import (``load_baselines(since=)``).
    ``restamp=False`` (a server saving what it learned itself) leaves it as it was on rows that
    exist: nobody needs to pick those up, and not moving an indexed column spares the index
    (SQLite ~3 µs a row of ~11; PostgreSQL can then update in place).

    PostgreSQL: COPY into a temporary table, then one INSERT … ON CONFLICT; SQLite: one
    executemany in key order.
    """
    if not blobs:
        return 0
    now = utcnow() if now is None else now
    if now.utcoffset() is None:
        raise ValueError(f"naive datetime {now.isoformat()} given to the store; use an aware UTC time")
    rows = []
    for account in sorted(blobs):
        blob = blobs[account]
        if not isinstance(blob, (bytes, bytearray)) or not BLOB_VERSION_AT < len(blob) <= MAX_BLOB:
            raise FumidaiError(f"baseline of {account!r} is not a baseline blob")
        rows.append((account, blob[BLOB_VERSION_AT], bytes(blob), now))
    stamp = _RESTAMP if restamp else ""
    if s.get_bind().dialect.name == "postgresql":
        _pg_copy_upsert(s, "fumidai_baselines_in", "LIKE baselines", _UPSERT_PG.format(restamp=stamp), rows)
    else:
        at = _SqliteTimes()[now]
        s.connection().exec_driver_sql(_UPSERT_SQLITE.format(restamp=stamp), [(a, v, b, at) for a, v, b, _ in rows])
    return len(rows)


def delete_baseline(s: Session, account: str) -> bool:
    """Forget what an account's baseline learned (staff, after a hijack slipped in)."""
    return s.execute(delete(Baseline).where(Baseline.account == account)).rowcount > 0


# -- permissions -------------------------------------------------------------------------


def permission_dict(row: Permission | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"kind": row.kind, "items": list(row.items), "expires_at": _iso(row.expires_at),
            "set_by": row.set_by, "reason": row.reason, "set_at": _iso(row.set_at)}


def get_permissions(s: Session, account: str) -> list[Permission]:
    """An account's permissions, expired ones included (the API shows until when)."""
    return list(s.scalars(select(Permission).where(Permission.account == account).order_by(Permission.kind)))


def active_permissions(s: Session, now: datetime) -> list[Permission]:
    """Every permission not yet expired (what the service holds in memory)."""
    return list(s.scalars(select(Permission).where(Permission.expires_at > now).order_by(Permission.account, Permission.kind)))


def set_permission(
    s: Session,
    account: str,
    kind: str,
    items: Sequence[str],
    expires_at: datetime,
    actor: str,
    reason: str,
    now: datetime | None = None,
) -> int:
    """Give (or replace) an account's travel countries or trusted signals until ``expires_at``;
    returns the audit id. Values are checked by the caller (country codes, signal codes)."""
    now = utcnow() if now is None else now
    if kind not in PERMISSION_KINDS:
        raise Conflict(f"permission kind {kind!r} is not one of {', '.join(PERMISSION_KINDS)}")
    if expires_at <= now:
        raise Conflict(f"the permission would expire at {_iso(expires_at)}, which is not in the future")
    if not items or not all(isinstance(i, str) and 0 < len(i) <= 32 for i in items):
        raise Conflict("a permission needs at least one country or signal code")
    row = s.get(Permission, (account, kind))
    before = permission_dict(row)
    if row is None:
        row = Permission(account=account, kind=kind)
        s.add(row)
    row.items = sorted(set(items))
    row.expires_at = expires_at
    row.set_by = actor
    row.reason = reason
    row.set_at = now
    s.flush()
    return _audit(s, actor, f"set_{kind}", account, reason, before, permission_dict(row), now)


def clear_permission(s: Session, account: str, kind: str, actor: str, reason: str, now: datetime | None = None) -> int:
    """End a permission now; returns the audit id. NotFound if there is none."""
    now = utcnow() if now is None else now
    row = s.get(Permission, (account, kind))
    if row is None:
        raise NotFound(f"account {account!r} has no {kind} permission")
    before = permission_dict(row)
    s.delete(row)
    s.flush()
    return _audit(s, actor, f"clear_{kind}", account, reason, before, None, now)


def as_permissions(rows: Iterable[Permission]) -> dict[str, Any]:
    """Rows to ``fumidai.behaviour.Permissions`` per account (epoch-second expiries)."""
    from ..behaviour.permissions import Permissions

    by_account: dict[str, dict[str, dict[str, float]]] = {}
    for row in rows:
        tables = by_account.setdefault(row.account, {"travel": {}, "trust": {}})
        until = row.expires_at.timestamp()
        for item in row.items:
            tables[row.kind][item] = until
    return {a: Permissions(t["travel"], t["trust"]) for a, t in by_account.items()}


# -- the installation's recipient-hash key ----------------------------------------------

RECIPIENT_HASH_KEY = "recipient_hash_key"
RECIPIENT_HASH_KEY_BYTES = 32


def recipient_hash_key(s: Session) -> bytes:
    """The key of the keyed recipient hashes in baselines, the same for every node and the
    import command; made (32 random bytes) on first use.

    Insert-if-absent with ON CONFLICT DO NOTHING, then read back: two processes racing both
    end with the key the first insert wrote.
    """
    import secrets

    from .models import InstallationSecret

    value = s.scalars(select(InstallationSecret.value).where(InstallationSecret.name == RECIPIENT_HASH_KEY)).first()
    if value is None:
        dialect = s.get_bind().dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        s.execute(insert(InstallationSecret).values(
            name=RECIPIENT_HASH_KEY, value=secrets.token_bytes(RECIPIENT_HASH_KEY_BYTES), created_at=utcnow(),
        ).on_conflict_do_nothing(index_elements=["name"]))
        value = s.scalars(select(InstallationSecret.value).where(InstallationSecret.name == RECIPIENT_HASH_KEY)).one()
    value = bytes(value)
    if not 16 <= len(value) <= 64:
        raise FumidaiError(f"installation secret {RECIPIENT_HASH_KEY!r} in the store is {len(value)} bytes, not 16-64")
    return value


# -- what `fumidai baseline import` has learned -----------------------------------------

IMPORTED_KEPT_DAYS = 60  # longer than any maillog rotation an ISP keeps around to re-import


def already_imported(s: Session, ids: Sequence[str], batch: int = 500) -> set[str]:
    """Which of these submission ids an earlier import learned."""
    from .models import ImportedSubmission

    seen: set[str] = set()
    for i in range(0, len(ids), batch):
        seen.update(s.scalars(select(ImportedSubmission.id).where(ImportedSubmission.id.in_(ids[i:i + batch]))))
    return seen


def record_imported(s: Session, ids: Sequence[str], now: datetime) -> int:
    """Remember submissions as learned; a plain INSERT (COPY on PostgreSQL), so an import racing
    another over the same lines fails (IntegrityError) instead of learning them twice."""
    if not ids:
        return 0
    if s.get_bind().dialect.name == "postgresql":
        raw = s.connection().connection.driver_connection  # psycopg
        with raw.cursor() as cur, cur.copy("COPY imported_submissions (id, imported_at) FROM STDIN") as pipe:
            for i in ids:
                pipe.write_row((i, now))
    else:
        at = _SqliteTimes()[now]
        s.connection().exec_driver_sql("INSERT INTO imported_submissions (id, imported_at) VALUES (?, ?)",
                                       [(i, at) for i in ids])
    return len(ids)


def prune_imported(s: Session, before: datetime) -> int:
    from .models import ImportedSubmission

    return s.execute(delete(ImportedSubmission).where(ImportedSubmission.imported_at < before)).rowcount or 0


def baseline_blobs(s: Session, accounts: Sequence[str], batch: int = 500) -> dict[str, bytes]:
    """The stored baselines of these accounts (those that have one)."""
    out: dict[str, bytes] = {}
    for i in range(0, len(accounts), batch):
        q = select(Baseline.account, Baseline.blob).where(Baseline.account.in_(accounts[i:i + batch]))
        out.update((a, bytes(b)) for a, b in s.execute(q))
    return out
