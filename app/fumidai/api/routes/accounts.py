"""Accounts: search, detail, series, hourly history, and the staff actions on one account."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response

from fumidai.policy import Override

from ..answers import AccountDetail, AccountPage, ActionAnswer, ok
from ..auth import Staff, operator, viewer
from ..deps import Actions, Live, Reads, get_outbox
from ..schemas import LimitsRequest, ReasonRequest, ReleaseRequest, SeriesResponse, SuspendRequest
from . import AccountName, iso, not_found
from .notices import send_notice

router = APIRouter(tags=["accounts"])

Status = Literal["all", "active", "ok", "limited", "suspended"]
Sort = Literal["account", "rate", "-rate", "messages_hour", "-messages_hour", "messages_day",
               "-messages_day", "quota_used", "-quota_used", "refused_day", "-refused_day"]
SEARCH_MAX = 200  # a search term longer than any account name finds nothing anyway


@router.get("/accounts", summary="Search and page accounts", dependencies=[Depends(viewer)],
            responses=ok(AccountPage))
async def list_accounts(
    live: Live,
    reads: Reads,
    q: Annotated[str, Query(max_length=SEARCH_MAX, description="Part of the account name")] = "",
    status: Status = "all",
    country: Annotated[str, Query(max_length=2, description="Busiest country (ISO code)")] = "",
    sort: Sort = "account",
    window: Annotated[int, Query(ge=60, le=86400)] = 60,
    limit: Annotated[int, Query(ge=1, le=5000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> dict:
    country = country.upper()
    if status == "all" and not country and sort == "account":
        # Every known account, paged in the store; live figures only for the page.
        total, records = await reads.search(q, limit, offset)
        rows = live.account_rows([name for name, _ in records], window)
        return {"total": total, "items": [{**row, **contact} for row, (_, contact) in zip(rows, records)]}
    # Filters and sorts on live figures: only accounts the service holds can match.
    total, page = await live.ranked_rows(window, sort, status, country, q, limit, offset)
    contacts = await reads.contacts([r["account"] for r in page])
    return {"total": total, "items": [{**r, **contacts[r["account"]]} for r in page]}


async def account_detail(live: Live, reads: Reads, account: str, *, required: bool = True) -> dict:
    """Store record + notices (thread), then the live part (on the loop, no await after it)."""
    record = await reads.account(account)
    if required and not record.known and not live.is_known_live(account):
        raise not_found(account)
    return {"account": account, **record.contact, "known": record.known, **live.account_live(account),
            "notices": record.notices, "permissions": record.permissions}


@router.get("/accounts/{account}", summary="Status, effective limits and override, usage, notices",
            dependencies=[Depends(viewer)], responses=ok(AccountDetail))
async def get_account(live: Live, reads: Reads, account: AccountName) -> dict:
    return await account_detail(live, reads, account)


@router.get("/accounts/{account}/series", summary="Messages and recipients per step, by country",
            dependencies=[Depends(viewer)], responses={200: {"model": SeriesResponse}})
async def series(live: Live, account: AccountName,
                 window: Annotated[int, Query(ge=60, le=86400)] = 3600,
                 step: Annotated[int, Query(ge=60, le=86400)] = 60) -> dict:
    if step % 60 or window % step or window // step > 1440:
        raise HTTPException(422, "step must be whole minutes dividing window, at most 1440 points")
    return live.series(account, window, step)


HISTORY_COLUMNS = ("hour", "country", "accepted_messages", "accepted_recipients", "refused_messages",
                   "refused_recipients")


@router.get("/accounts/{account}/history.csv", summary="Hourly history by country as CSV",
            response_class=Response, dependencies=[Depends(viewer)],
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}})
async def history_csv(live: Live, reads: Reads, account: AccountName,
                      days: Annotated[int, Query(ge=1, le=366)] = 7) -> Response:
    since = (int(live.clock() // 3600) - days * 24 + 1) * 60
    rows = await reads.hourly_history(account, since)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HISTORY_COLUMNS)
    for row in rows:
        writer.writerow([iso(row.minute * 60), row.country, row.accepted_messages, row.accepted_recipients,
                         row.refused_messages, row.refused_recipients])
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "._-@") else "_" for c in account)[:100]
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{safe}-history.csv"'})


async def after_action(live: Live, reads: Reads, account: str, audit_id: int) -> dict:
    """What every action answers: the account as it is now, and the audit entry it wrote."""
    return {**await account_detail(live, reads, account, required=False), "audit_id": audit_id}


def _future(live: Live, when: datetime | None, field: str) -> float | None:
    if when is None:
        return None
    if when.timestamp() <= live.clock():
        raise HTTPException(422, f"{field}: must be in the future")
    return when.timestamp()


@router.post("/accounts/{account}/suspend", summary="Stop the account's sending (and notify the owner)",
             responses=ok(ActionAnswer))
async def suspend(live: Live, reads: Reads, actions: Actions, request: Request, account: AccountName,
                  body: SuspendRequest, staff: Staff = Depends(operator)) -> dict:
    until = _future(live, body.until, "until")
    audit_id, suspension_id = await actions.suspend_ids(account, staff.name, body.reason, until,
                                                        unless_suspended=body.unless_suspended)
    notice = None
    if body.notice is not None:
        # The suspension already holds; a notice that fails is reported, not rolled back.
        try:
            notice, _ = await send_notice(live, reads, actions, get_outbox(request), account, body.notice.template,
                                          body.notice.language, staff, body.notice.idempotency_key)
        except HTTPException as err:
            notice = {"status": "failed", "error": err.detail}
    detail = await after_action(live, reads, account, audit_id)
    if body.notice is not None:
        detail["notice"] = notice
    detail["suspension_id"] = suspension_id
    return detail


@router.post("/accounts/{account}/release", summary="Let the account send again", responses=ok(ActionAnswer))
async def release(live: Live, reads: Reads, actions: Actions, account: AccountName, body: ReleaseRequest,
                  staff: Staff = Depends(operator)) -> dict:
    audit_id = await actions.release(account, staff.name, body.reason, body.suspension_id)
    return await after_action(live, reads, account, audit_id)


@router.put("/accounts/{account}/limits", summary="Give the account its own limits, home or country caps",
            responses=ok(ActionAnswer))
async def set_limits(live: Live, reads: Reads, actions: Actions, account: AccountName, body: LimitsRequest,
                     staff: Staff = Depends(operator)) -> dict:
    if body.is_empty():
        raise HTTPException(422, "nothing to change: give limits, home_countries, abroad or countries")
    expires = _future(live, body.expires_at, "expires_at")
    override = Override(
        limits=body.limits.values(),
        home_countries=frozenset(body.home_countries) if body.home_countries is not None else None,
        abroad=body.abroad.values() if body.abroad is not None else None,
        countries={cc: q.values() for cc, q in body.countries.items()} if body.countries is not None else None,
        expires_at=expires,
        set_by=staff.name,
        reason=body.reason,
    )
    audit_id = await actions.set_override(account, staff.name, override, body.reason)
    return await after_action(live, reads, account, audit_id)


@router.delete("/accounts/{account}/limits", summary="Drop the account's own limits: the defaults apply",
               responses=ok(ActionAnswer))
async def clear_limits(live: Live, reads: Reads, actions: Actions, account: AccountName, body: ReasonRequest,
                       staff: Staff = Depends(operator)) -> dict:
    audit_id = await actions.clear_override(account, staff.name, body.reason)
    return await after_action(live, reads, account, audit_id)
