"""Staff and their API tokens (only a hash is stored)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...errors import Conflict, FumidaiError, NotFound
from ..models import STAFF_LEN, STAFF_ROLES, Staff
from ._common import AUTO, _audit, _now


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
