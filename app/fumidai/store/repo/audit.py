"""The audit log: cursor reads (every staff action writes its row in its own transaction)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Audit


def newest_audit_id(s: Session) -> int:
    return s.scalar(select(func.max(Audit.id))) or 0


def audit_ids_after(s: Session, after_id: int, limit: int | None = None) -> list[int]:
    """The ids of the entries above ``after_id``, ascending (what a reader starting now has seen)."""
    return list(s.scalars(select(Audit.id).where(Audit.id > after_id).order_by(Audit.id).limit(limit)))


def audit_after(s: Session, account: str | None = None, after_id: int = 0, limit: int = 200) -> list[Audit]:
    """Audit entries (of one account, or all) with an id above ``after_id``, oldest first."""
    stmt = select(Audit).where(Audit.id > after_id)
    if account is not None:
        stmt = stmt.where(Audit.account == account)
    return list(s.scalars(stmt.order_by(Audit.id).limit(limit)))


def add_to_audit(s: Session, audit_id: int, extra: dict[str, Any]) -> None:
    """Add facts to an entry's ``after`` inside the transaction that wrote it (a strike's complaint ids)."""
    row = s.get(Audit, audit_id)
    if row is not None:
        row.after = {**(row.after or {}), **extra}
