"""Bearer tokens → staff, and roles: viewer < operator < admin.

Lookups are cached for a few seconds only: a token made by `fumidai staff add` works on
its first use (a miss always asks the store), and a revoked one stops within CACHE_TTL.
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import time
from dataclasses import dataclass
from typing import Callable

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from fumidai.roles import ROLES
ROLE_RANK = {name: rank for rank, name in enumerate(ROLES)}
CACHE_TTL = 3.0  # seconds a known token is trusted without asking the store again
CACHE_MAX = 1024
MAX_TOKEN_LENGTH = 200  # longer is not one of ours: refuse without a store query


@dataclass(frozen=True, slots=True)
class Staff:
    name: str
    role: str

    def may(self, role: str) -> bool:
        return ROLE_RANK.get(self.role, -1) >= ROLE_RANK[role]


class TokenCache:
    """token digest → (staff, expiry); positive answers only, so new tokens work at once."""

    def __init__(self, lookup: Callable[[str], Staff | None], ttl: float = CACHE_TTL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._lookup = lookup  # blocking store query, run in a thread
        self._ttl = ttl
        self._clock = clock
        self._known: dict[str, tuple[Staff, float]] = {}

    async def staff_for(self, token: str) -> Staff | None:
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        key = hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()
        now = self._clock()
        hit = self._known.get(key)
        if hit and hit[1] > now:
            return hit[0]
        staff = await asyncio.to_thread(self._lookup, token)
        if staff is None:
            self._known.pop(key, None)
            return None
        if len(self._known) >= CACHE_MAX:
            self._known = {k: v for k, v in self._known.items() if v[1] > now}
            if len(self._known) >= CACHE_MAX:
                self._known.clear()
        self._known[key] = (staff, now + self._ttl)
        return staff

    def forget(self) -> None:
        self._known.clear()


def staff_lookup(reads) -> Callable[[str], Staff | None]:
    """A blocking lookup over the staff table (``actions.StoreReads``; revoked tokens find nobody)."""

    def lookup(token: str) -> Staff | None:
        found = reads.staff_for_token_now(token)
        return Staff(*found) if found is not None else None

    return lookup


bearer = HTTPBearer(auto_error=False, description="A token from `fumidai staff add NAME --role ROLE`")


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(401, detail, headers={"WWW-Authenticate": "Bearer"})


async def current_staff(request: Request,
                        credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Staff:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorized("an Authorization: Bearer token is required")
    staff = await request.app.state.tokens.staff_for(credentials.credentials)
    if staff is None:
        raise _unauthorized("unknown or revoked token")
    request.state.staff = staff
    return staff


def require(role: str):
    """A dependency: the signed-in staff member, who must hold at least ``role``."""
    if role not in ROLE_RANK:
        raise ValueError(role)

    async def dependency(staff: Staff = Depends(current_staff)) -> Staff:
        if not staff.may(role):
            raise HTTPException(403, f"this needs the {role} role; {staff.name} is {staff.role}")
        return staff

    dependency.__name__ = f"require_{role}"
    return dependency


def is_loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


viewer = require("viewer")
operator = require("operator")
admin = require("admin")
