"""Suspensions: active ones (for the service and the API), and suspend/release with their audit rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ...errors import Conflict
from ..models import Suspension
from ._common import AUTO, _audit, _iso, _now


def active_suspensions(s: Session, now: datetime) -> dict[str, Suspension]:
    """Each suspended account's active suspension (the newest if several overlap)."""
    rows = s.scalars(
        select(Suspension)
        .where(Suspension.released_at.is_(None), or_(Suspension.until.is_(None), Suspension.until > now))
        .order_by(Suspension.since, Suspension.id)
    )
    return {row.account: row for row in rows}


def active_suspension(s: Session, account: str, now: datetime) -> Suspension | None:
    """The account's active suspension (the newest if several overlap), or None."""
    active = _active_for(s, account, now)
    return active[-1] if active else None


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
) -> tuple[int, int]:
    if until is not None and until <= now:
        raise Conflict(f"the suspension would end at {_iso(until)}, which is not in the future")
    before = _state(_active_for(s, account, now))
    row = Suspension(account=account, by=actor, reason=reason, since=now, until=until)
    s.add(row)
    s.flush()
    return _audit(s, actor, action, account, reason, before, _state([row]), now), row.id


def suspend(
    s: Session, account: str, actor: str, reason: str, until: datetime | None = None, now: datetime | None = None
) -> int:
    """Stop an account's sending (until released, or until ``until``); returns the audit id."""
    return _suspend(s, account, actor, "suspend", reason, until, _now(now))[0]


def add_suspension(
    s: Session, account: str, actor: str, reason: str, until: datetime | None = None, now: datetime | None = None,
    unless_suspended: bool = False,
) -> tuple[int, int]:
    """``suspend``, answering (audit id, suspension id). With ``unless_suspended`` an account
    suspended already is left as it is (an automatic stop keeps its reason): Conflict, nothing written."""
    now = _now(now)
    if unless_suspended:
        current = _active_for(s, account, now)
        if current:
            raise Conflict(f"account {account!r} is suspended already (by {current[-1].by}, "
                           f"suspension {current[-1].id})")
    return _suspend(s, account, actor, "suspend", reason, until, now)


def record_auto_suspension(
    s: Session, account: str, reason: str, until: datetime | None = None, now: datetime | None = None
) -> int:
    """Record a suspension the policy server made itself (actor "auto"); returns the audit id."""
    return _suspend(s, account, AUTO, "auto_suspend", reason, until, _now(now))[0]


def suspended_since(s: Session, account: str, since: datetime) -> bool:
    """Whether the account has a suspension (active or released) that began at ``since`` or later."""
    return s.scalar(select(func.count()).select_from(Suspension).where(
        Suspension.account == account, Suspension.since >= since)) > 0


def release(s: Session, account: str, actor: str, reason: str, now: datetime | None = None,
            suspension_id: int | None = None) -> int:
    """End every active suspension of the account; returns the audit id.

    Raises Conflict if the account is not suspended, or, given ``suspension_id`` (an undo
    releases exactly the suspension it made), if its active suspension is not that one alone.
    """
    now = _now(now)
    active = _active_for(s, account, now)
    if not active:
        raise Conflict(f"account {account!r} is not suspended")
    if suspension_id is not None and [row.id for row in active] != [suspension_id]:
        other = next(row for row in reversed(active) if row.id != suspension_id)
        raise Conflict(f"account {account!r} is now suspended by {other.by} (suspension {other.id}), "
                       f"not only by suspension {suspension_id}: not released")
    before = _state(active)
    for row in active:
        row.released_at = now
        row.released_by = actor
        row.release_reason = reason
    s.flush()
    # A release starts the account's windows afresh: the hijacker's counts no longer count
    # against the owner (the server drops them, and a restart replays only what came after).
    after = _state([]) | {"windows_afresh_from": _iso(now)}
    return _audit(s, actor, "release", account, reason, before, after, now)


def releases_since(s: Session, since: datetime) -> dict[str, datetime]:
    """The newest release time of each account released after ``since`` (its windows start there)."""
    q = (select(Suspension.account, func.max(Suspension.released_at))
         .where(Suspension.released_at.is_not(None), Suspension.released_at > since)
         .group_by(Suspension.account))
    return {account: at for account, at in s.execute(q)}
