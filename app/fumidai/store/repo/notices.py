"""Notices: the queue (create, claim, mark) and the per-account list."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..models import Notice
from ._common import _audit, _now, _upsert


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
