"""Route modules; each holds one APIRouter. Shared helpers for them live here."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Annotated, Any, Callable

from fastapi import HTTPException, Path, Request

from ..schemas import MAX_ACCOUNT

AccountName = Annotated[str, Path(min_length=1, max_length=MAX_ACCOUNT, description="The SASL user name")]


def service(request: Request):
    return request.app.state.service


async def in_store(request: Request, work: Callable[[Any], Any]) -> Any:
    """Run ``work(session)`` in a thread inside one store session (committed on success)."""
    store = request.app.state.service.store

    def run():
        with store.session() as s:
            return work(s)

    return await asyncio.to_thread(run)


def iso(value: datetime | float | None) -> str | None:
    """UTC, second precision, "Z": the one time format of the API."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.fromtimestamp(value, timezone.utc)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def not_found(account: str) -> HTTPException:
    return HTTPException(404, f"no account {account[:80]!r}")
