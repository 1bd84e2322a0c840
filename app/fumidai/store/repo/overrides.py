"""Overrides: an account's own limits, with expiry; set and clear with their audit rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ...errors import Conflict, NotFound
from ..models import Override
from ._common import _audit, _iso, _now


def active_overrides(s: Session, now: datetime) -> dict[str, Override]:
    """Each account's override that has not expired."""
    rows = s.scalars(select(Override).where(or_(Override.expires_at.is_(None), Override.expires_at > now)))
    return {row.account: row for row in rows}


def get_override(s: Session, account: str) -> Override | None:
    """The account's override row, expired or not."""
    return s.get(Override, account)


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
