"""Notice templates, preview and sending, over the service's outbox."""

from __future__ import annotations

import asyncio
import inspect

from fastapi import APIRouter, Depends, HTTPException, Request, Response

from ..auth import Staff, operator, viewer
from ..schemas import NoticeRequest, NoticeSendRequest
from . import AccountName, in_store, service

router = APIRouter(tags=["notices"])


def _outbox(request: Request):
    outbox = getattr(service(request), "outbox", None)
    if outbox is None:
        raise HTTPException(409, "notices are not configured on this server ([notices])")
    return outbox


async def _call(fn, *args):
    """Outbox calls may be coroutines or blocking (SMTP, database): never block the loop."""
    if inspect.iscoroutinefunction(fn):
        return await fn(*args)
    return await asyncio.to_thread(fn, *args)


def _facts(request: Request, account: str, template: str, language: str | None) -> tuple[dict, str]:
    names = {t["name"]: t for t in _outbox(request).templates()}
    if template not in names:
        raise HTTPException(422, f"template: no template {template!r}; have {', '.join(sorted(names))}")
    facts = service(request).notice_facts(account)
    language = language or facts.get("language") or "ja"
    if language not in names[template].get("languages", ()):
        raise HTTPException(422, f"language: template {template!r} has no {language!r} version")
    return facts, language


@router.get("/templates", summary="Notice templates and their languages", dependencies=[Depends(viewer)])
async def templates(request: Request) -> dict:
    return {"items": list(_outbox(request).templates())}


@router.post("/accounts/{account}/notices/preview", summary="Render a notice for this account",
             dependencies=[Depends(operator)])
async def preview(request: Request, account: AccountName, body: NoticeRequest) -> dict:
    facts, language = _facts(request, account, body.template, body.language)
    return dict(await _call(_outbox(request).preview, facts, body.template, language))


async def send_notice(request: Request, account: str, template: str, language: str | None, staff: Staff,
                      idempotency_key: str | None) -> tuple[dict, bool]:
    """Queue one notice and audit it; the same idempotency key returns the first record, created=False."""
    from fumidai.store import repo

    facts, language = _facts(request, account, template, language)
    if not facts.get("contact"):
        raise HTTPException(409, f"account {account[:80]!r} has no contact address")
    record, created = await _call(_outbox(request).queue, facts, template, language, staff.name, idempotency_key)
    if created:
        await in_store(request, lambda s: repo.add_audit(
            s, actor=staff.name, action="notice", account=account, reason=f"notice {template} ({language})",
            before=None, after={"notice_id": record["id"], "template": template, "language": language,
                                "to": record.get("to_address") or facts.get("contact")}))
    return record, created


@router.post("/accounts/{account}/notices", summary="Send a notice; a repeated idempotency_key sends nothing more",
             status_code=201, responses={200: {"description": "The key was used before: the first record"}})
async def send(request: Request, response: Response, account: AccountName, body: NoticeSendRequest,
               staff: Staff = Depends(operator)) -> dict:
    record, created = await send_notice(request, account, body.template, body.language, staff, body.idempotency_key)
    if not created:
        response.status_code = 200
    return record
