"""Helpers every repository module shares: the clock default, time text, the audit row, upserts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ...isotime import iso
from ..models import Audit, utcnow


AUTO = "auto"  # the actor of what the policy server does by itself


def _now(now: datetime | None) -> datetime:
    return utcnow() if now is None else now


def _iso(value: datetime | None) -> str | None:
    return iso(value)


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
