"""Accounts: search, detail, series, hourly history, and the staff actions on one account."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response

from fumidai.policy import Override

from ..auth import Staff, operator, viewer
from ..schemas import LimitsRequest, ReasonRequest, SuspendRequest
from . import AccountName, in_store, iso, not_found, service
from .notices import send_notice

router = APIRouter(tags=["accounts"])

Status = Literal["all", "active", "ok", "limited", "suspended"]
Sort = Literal["account", "-account", "rate", "-rate", "messages_hour", "-messages_hour", "messages_day",
               "-messages_day", "quota_used", "-quota_used", "refused_day", "-refused_day"]
CONTACT_KEYS = ("contact", "owner_name", "language")
SEARCH_MAX = 200  # a search term longer than any account name finds nothing anyway


@router.get("/accounts", summary="Search and page accounts", dependencies=[Depends(viewer)])
async def list_accounts(
    request: Request,
    q: Annotated[str, Query(max_length=SEARCH_MAX, description="Part of the account name")] = "",
    status: Status = "all",
    country: Annotated[str, Query(max_length=2, description="Busiest country (ISO code)")] = "",
    sort: Sort = "account",
    window: Annotated[int, Query(ge=60, le=86400)] = 60,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> dict:
    from fumidai.store import repo

    svc = service(request)
    country = country.upper()
    if status == "all" and not country and sort.lstrip("-") == "account":
        # Every known account, paged in the store; live figures only for the page.
        total, records = await in_store(request, lambda s: (
            repo.count_accounts(s, q), repo.search_accounts(s, q, limit, offset, descending=sort == "-account")))
        names = [r["account"] for r in records]
        rows = {r["account"]: r for r in svc.account_rows(names, window)}
        return {"total": total, "items": [{**rows.get(r["account"], _quiet(r["account"])),
                                           **{k: r.get(k) for k in CONTACT_KEYS}} for r in records]}
    # Filters and sorts on live figures: only accounts the service holds can match.
    rows = svc.account_rows(None, window)
    needle = q.casefold()
    rows = [r for r in rows
            if (not needle or needle in r["account"].casefold())
            and (not country or r.get("top_country") == country)
            and (status in ("all", "active") or r["status"] == status)]
    key = sort.lstrip("-")
    rows.sort(key=lambda r: r["account"])
    rows.sort(key=lambda r: (r.get(key) is None, r.get(key) or 0) if key != "account" else r["account"],
              reverse=sort.startswith("-"))
    page = rows[offset:offset + limit]
    contacts = await in_store(request, lambda s: {a["account"]: a for a in repo.get_accounts(s, [r["account"] for r in page])})
    return {"total": len(rows), "items": [{**r, **{k: contacts.get(r["account"], {}).get(k) for k in CONTACT_KEYS}}
                                          for r in page]}


def _quiet(name: str) -> dict:
    """The row of a known account the service holds nothing about."""
    return {"account": name, "status": "ok", "suspended_by": None, "status_since": None, "rate": 0.0,
            "recipients_rate": 0.0, "messages_minute": 0, "messages_hour": 0, "messages_day": 0,
            "recipients_hour": 0, "recipients_day": 0, "refused_day": 0, "quota": {}, "quota_used": 0.0,
            "override": False, "override_expires_at": None, "top_country": None, "countries": 0}


async def account_detail(request: Request, account: str, *, required: bool = True) -> dict:
    """Store record + notices (thread), then the live part (on the loop, no await after it)."""
    from fumidai.store import repo

    record, notices = await in_store(request, lambda s: (repo.get_account(s, account),
                                                          repo.notices_for_account(s, account)))
    live = service(request).account_live(account)
    if required and record is None and not service(request).is_known_live(account):
        raise not_found(account)
    record = record or {}
    return {
        "account": account,
        "contact": record.get("contact"),
        "owner_name": record.get("owner_name"),
        "language": record.get("language"),
        "home_countries": live.get("limits", {}).get("home_countries") or record.get("home_countries"),
        "known": bool(record),
        **live,
        "notices": notices,
    }


@router.get("/accounts/{account}", summary="Status, effective limits and override, usage, notices",
            dependencies=[Depends(viewer)])
async def get_account(request: Request, account: AccountName) -> dict:
    return await account_detail(request, account)


@router.get("/accounts/{account}/series", summary="Messages and recipients per step, by country",
            dependencies=[Depends(viewer)])
async def series(request: Request, account: AccountName,
                 window: Annotated[int, Query(ge=60, le=86400)] = 3600,
                 step: Annotated[int, Query(ge=60, le=86400)] = 60) -> dict:
    if step % 60 or window % step or window // step > 1440:
        raise HTTPException(422, "step must be whole minutes dividing window, at most 1440 points")
    return service(request).series(account, window, step)


HISTORY_COLUMNS = ("hour", "country", "accepted_messages", "accepted_recipients", "refused_messages",
                   "refused_recipients")


@router.get("/accounts/{account}/history.csv", summary="Hourly history by country as CSV",
            response_class=Response, dependencies=[Depends(viewer)],
            responses={200: {"content": {"text/csv": {}}}})
async def history_csv(request: Request, account: AccountName,
                      days: Annotated[int, Query(ge=1, le=366)] = 7) -> Response:
    from fumidai.store import repo

    now = service(request).clock()
    rows = await in_store(request, lambda s: repo.hourly_history(s, account, days, now))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HISTORY_COLUMNS)
    for row in rows:
        writer.writerow([iso(row["hour"]), row["country"]] + [int(row[k]) for k in HISTORY_COLUMNS[2:]])
    safe = "".join(c if c.isalnum() or c in "._-@" else "_" for c in account)[:100]
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{safe}-history.csv"'})


def _future(request: Request, when: datetime | None, field: str) -> datetime | None:
    if when is not None and when.timestamp() <= service(request).clock():
        raise HTTPException(422, f"{field}: must be in the future")
    return when


@router.post("/accounts/{account}/suspend", summary="Stop the account's sending (and notify the owner)")
async def suspend(request: Request, account: AccountName, body: SuspendRequest,
                  staff: Staff = Depends(operator)) -> dict:
    until = _future(request, body.until, "until")
    audit_id = await service(request).suspend(account, staff.name, body.reason, until)
    request.app.state.metrics.observe_suspension(staff.name)  # the service counts the automatic ones
    notice = None
    if body.notice is not None:
        # The suspension already holds; a notice that fails is reported, not rolled back.
        try:
            notice, _ = await send_notice(request, account, body.notice.template, body.notice.language,
                                          staff, body.notice.idempotency_key)
        except HTTPException as err:
            notice = {"status": "failed", "error": err.detail}
    detail = await account_detail(request, account, required=False)
    detail["audit_id"] = audit_id
    if body.notice is not None:
        detail["notice"] = notice
    return detail


@router.post("/accounts/{account}/release", summary="Let the account send again")
async def release(request: Request, account: AccountName, body: ReasonRequest,
                  staff: Staff = Depends(operator)) -> dict:
    audit_id = await service(request).release(account, staff.name, body.reason)
    request.app.state.metrics.observe_release()
    detail = await account_detail(request, account, required=False)
    detail["audit_id"] = audit_id
    return detail


@router.put("/accounts/{account}/limits", summary="Give the account its own limits, home or country caps")
async def set_limits(request: Request, account: AccountName, body: LimitsRequest,
                     staff: Staff = Depends(operator)) -> dict:
    if body.is_empty():
        raise HTTPException(422, "nothing to change: give limits, home_countries, abroad or countries")
    expires = _future(request, body.expires_at, "expires_at")
    override = Override(
        limits=body.limits.values(),
        home_countries=frozenset(body.home_countries) if body.home_countries is not None else None,
        abroad=body.abroad.values() if body.abroad is not None else None,
        countries={cc: q.values() for cc, q in body.countries.items()} if body.countries is not None else None,
        expires_at=expires.timestamp() if expires else None,
        set_by=staff.name,
        reason=body.reason,
    )
    audit_id = await service(request).set_override(account, staff.name, override, body.reason)
    detail = await account_detail(request, account, required=False)
    detail["audit_id"] = audit_id
    return detail


@router.delete("/accounts/{account}/limits", summary="Drop the account's own limits: the defaults apply")
async def clear_limits(request: Request, account: AccountName, body: ReasonRequest,
                       staff: Staff = Depends(operator)) -> dict:
    audit_id = await service(request).clear_override(account, staff.name, body.reason)
    detail = await account_detail(request, account, required=False)
    detail["audit_id"] = audit_id
    return detail

