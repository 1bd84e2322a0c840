"""Notice templates, preview and sending, over the service's outbox."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

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


async def _facts(request: Request, account: str, template: str, language: str | None) -> tuple[dict, str]:
    """The template facts: owner fields from the store (thread), then the live state (loop)."""
    from fumidai.notices.facts import build_facts
    from fumidai.store import repo

    names = {t["name"]: t for t in _outbox(request).templates()}
    if template not in names:
        raise HTTPException(422, f"template: no template {template!r}; have {', '.join(sorted(names))}")

    def owner(s):
        a = repo.get_account(s, account)
        return (a.contact, a.owner_name, a.language, a.timezone) if a is not None else (None, None, None, None)

    contact, owner_name, own_language, tz = await in_store(request, owner)
    svc = service(request)
    cfg = svc.settings.notices
    if not contact:
        if not svc.is_known_live(account):
            raise HTTPException(404, f"no account {account[:80]!r}")
        raise HTTPException(409, f"account {account[:80]!r} has no contact address (fumidai account import)")
    language = language or own_language or cfg.default_language
    if language not in names[template].get("languages", ()):
        raise HTTPException(422, f"language: template {template!r} has no {language!r} version")
    live = svc.account_live(account)
    facts = build_facts(account=account, contact=contact, language=language, now=svc.clock(),
                        support_contact=cfg.support_contact, timezone=tz or cfg.timezone, owner_name=owner_name,
                        suspension=live["suspension"], status=live["status"], usage=live["usage"],
                        limits=live["limits"], sender_name=cfg.sender_name)
    return dict(facts), language


@router.get("/templates", summary="Notice templates and their languages", dependencies=[Depends(viewer)])
async def templates(request: Request) -> dict:
    items = []
    for t in _outbox(request).templates():
        descriptions = t.get("description") or {}
        items.append({"name": t["name"], "languages": t["languages"],
                      "description": descriptions.get("en") or descriptions.get("ja") or "",
                      "descriptions": descriptions})
    return {"items": items}


@router.post("/accounts/{account}/notices/preview", summary="Render a notice for this account",
             dependencies=[Depends(operator)])
async def preview(request: Request, account: AccountName, body: NoticeRequest) -> dict:
    facts, language = await _facts(request, account, body.template, body.language)
    subject, text, _html = await asyncio.to_thread(_outbox(request).preview, facts, body.template, language)
    return {"subject": subject, "body": text, "to": facts.get("contact"), "language": language}


async def send_notice(request: Request, account: str, template: str, language: str | None, staff: Staff,
                      idempotency_key: str | None) -> tuple[dict, bool]:
    """Queue one notice and audit it; the same idempotency key returns the first record, created=False."""
    facts, language = await _facts(request, account, template, language)
    outbox = _outbox(request)
    now = service(request).clock()

    def queue() -> tuple[dict, bool]:
        from fumidai.notices.outbox import notice_record
        from fumidai.store import repo

        if idempotency_key is not None:
            with outbox.store.session() as s:
                first = repo.notice_by_key(s, idempotency_key)
            if first is not None:
                return notice_record(first), False
        record = notice_record(outbox.queue(facts, template, language, staff.name, idempotency_key))
        with outbox.store.session() as s:
            _audit_notice(s, staff.name, record, now)
        return record, True

    return await asyncio.to_thread(queue)


def _audit_notice(s, actor: str, record: dict, now: float) -> None:
    # The store has no public audit writer for notices; the row is the store's own model.
    from fumidai.store.models import Audit

    s.add(Audit(at=datetime.fromtimestamp(now, timezone.utc), actor=actor, action="notice", account=record["account"],
                reason=f"notice {record['template']} ({record['language']})", before=None,
                after={k: record[k] for k in ("id", "template", "language", "to", "status")}))


@router.post("/accounts/{account}/notices", summary="Send a notice; a repeated idempotency_key sends nothing more",
             status_code=201, responses={200: {"description": "The key was used before: the first record"}})
async def send(request: Request, response: Response, account: AccountName, body: NoticeSendRequest,
               staff: Staff = Depends(operator)) -> dict:
    record, created = await send_notice(request, account, body.template, body.language, staff, body.idempotency_key)
    if not created:
        response.status_code = 200
    return record
