"""Alerts: written by the flusher, read by cursor."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Alert, utcnow


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


def alerts_after(s: Session, after_id: int = 0, limit: int = 200) -> list[Alert]:
    """Alerts with an id above ``after_id``, oldest first."""
    return list(s.scalars(select(Alert).where(Alert.id > after_id).order_by(Alert.id).limit(limit)))


def newest_alert_id(s: Session) -> int:
    """The highest alert id, 0 when there are none."""
    return int(s.scalar(select(func.max(Alert.id))) or 0)
