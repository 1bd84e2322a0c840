"""Rows → the domain objects of ``policy`` (the one place rows become them; docs/internals.md "Where rows
are converted"), and time at the store boundary."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ..policy import Override, Suspension


def to_datetime(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, timezone.utc)


def to_epoch(dt: datetime | None) -> float | None:
    if dt is None:
        return None
    if dt.tzinfo is None:  # stored naive by an old row: it is UTC
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


def override_from_row(row: Any) -> Override:
    return Override(
        limits=dict(row.limits or {}),
        home_countries=frozenset(row.home_countries) if row.home_countries else None,
        abroad=dict(row.abroad) if row.abroad is not None else None,
        countries={k: dict(v or {}) for k, v in row.countries.items()} if row.countries is not None else None,
        expires_at=to_epoch(row.expires_at),
        set_by=row.set_by or "",
        reason=row.reason or "",
    )


def suspension_from_row(row: Any) -> Suspension:
    return Suspension(row.by, row.reason, to_epoch(row.since), to_epoch(row.until))
