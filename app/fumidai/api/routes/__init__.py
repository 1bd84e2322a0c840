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


# Store rows → API JSON (docs/api.md). Done here, inside the session's thread.

def alert_json(a) -> dict:
    return {"id": a.id, "time": iso(a.at), "account": a.account, "kind": a.kind, "reason": a.reason,
            "country": a.country, "detail": a.detail or {}}


def audit_json(e) -> dict:
    return {"id": e.id, "time": iso(e.at), "actor": e.actor, "action": e.action, "account": e.account,
            "reason": e.reason, "before": e.before, "after": e.after}


def notice_json(n) -> dict:
    return {"id": n.id, "account": n.account, "template": n.template, "language": n.language,
            "status": n.status, "staff": n.staff, "to": n.to_address, "subject": n.subject,
            "created_at": iso(n.created_at), "sent_at": iso(n.sent_at), "error": n.error}


def contact_json(a) -> dict:
    """The owner's contact fields of an account record (None when the store has no record)."""
    if a is None:
        return {"contact": None, "owner_name": None, "language": None}
    return {"contact": a.contact, "owner_name": a.owner_name, "language": a.language}
