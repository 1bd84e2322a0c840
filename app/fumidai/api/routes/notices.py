"""Notice templates, preview and sending, over the server's outbox."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Response

from ..answers import NoticeRecord, Preview, Templates, ok
from ..auth import Staff, operator, viewer
from ..deps import Actions, Live, OutboxDep, Reads
from ..schemas import NoticeRequest, NoticeSendRequest
from . import AccountName

router = APIRouter(tags=["notices"])


async def _facts(live: Live, reads: Reads, outbox: Any, account: str, template: str,
                 language: str | None) -> tuple[dict, str]:
    """The template facts: owner fields from the store (thread), then the live state (loop)."""
    from fumidai.notices.facts import build_facts

    names = {t["name"]: t for t in outbox.templates()}
    if template not in names:
        raise HTTPException(422, f"template: no template {template!r}; have {', '.join(sorted(names))}")
    record = await reads.account(account, notices=0)
    contact, owner_name, own_language = (record.contact[k] for k in ("contact", "owner_name", "language"))
    cfg = live.settings.notices
    if not contact:
        if not live.is_known_live(account):
            raise HTTPException(404, f"no account {account[:80]!r}")
        raise HTTPException(409, f"account {account[:80]!r} has no contact address (fumidai account import)")
    language = language or own_language or cfg.default_language
    if language not in names[template].get("languages", ()):
        raise HTTPException(422, f"language: template {template!r} has no {language!r} version")
    now_live = live.account_live(account)
    facts = build_facts(account=account, contact=contact, language=language, now=live.clock(),
                        support_contact=cfg.support_contact, timezone=record.timezone or cfg.timezone,
                        owner_name=owner_name, suspension=now_live["suspension"], status=now_live["status"],
                        usage=now_live["usage"], limits=now_live["limits"], sender_name=cfg.sender_name)
    return dict(facts), language


@router.get("/templates", summary="Notice templates and their languages", dependencies=[Depends(viewer)],
            responses=ok(Templates))
async def templates(outbox: OutboxDep) -> dict:
    items = []
    for t in outbox.templates():
        descriptions = t.get("description") or {}
        items.append({"name": t["name"], "languages": t["languages"],
                      "description": descriptions.get("en") or descriptions.get("ja") or "",
                      "descriptions": descriptions})
    return {"items": items}


@router.post("/accounts/{account}/notices/preview", summary="Render a notice for this account",
             dependencies=[Depends(operator)], responses=ok(Preview))
async def preview(live: Live, reads: Reads, outbox: OutboxDep, account: AccountName, body: NoticeRequest) -> dict:
    facts, language = await _facts(live, reads, outbox, account, body.template, body.language)
    subject, text, _html = await asyncio.to_thread(outbox.preview, facts, body.template, language)
    return {"subject": subject, "body": text, "to": facts.get("contact"), "language": language}


async def send_notice(live: Live, reads: Reads, actions: Actions, outbox: Any, account: str, template: str,
                      language: str | None, staff: Staff, idempotency_key: str | None) -> tuple[dict, bool]:
    """Queue one notice with its audit entry; the same idempotency key returns the first record, created=False."""
    if idempotency_key is not None:
        first = await asyncio.to_thread(outbox.notices.by_key, idempotency_key)
        if first is not None:
            return first, False
    facts, language = await _facts(live, reads, outbox, account, template, language)
    return await actions.send_notice(outbox, facts, template, language, staff.name, idempotency_key)


@router.post("/accounts/{account}/notices", summary="Send a notice; a repeated idempotency_key sends nothing more",
             status_code=201, responses={**ok(NoticeRecord, 201), 200: {"model": NoticeRecord, "description":
                                                                        "The key was used before: the first record"}})
async def send(live: Live, reads: Reads, actions: Actions, outbox: OutboxDep, response: Response,
               account: AccountName, body: NoticeSendRequest, staff: Staff = Depends(operator)) -> dict:
    record, created = await send_notice(live, reads, actions, outbox, account, body.template, body.language, staff,
                                        body.idempotency_key)
    if not created:
        response.status_code = 200
    return record
