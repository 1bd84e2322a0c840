"""Complaints traced to accounts (read, and a raw report posted by a script) and the egress blocklists."""

from __future__ import annotations

import ipaddress
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from fumidai.actions.complaints import StoreUnavailable
from fumidai.reputation.reports import Complaint, Ignored, KeptAside, RawReport, read_report

from ..answers import AccountComplaints, Blocklists, BlocklistSenders, ComplaintAnswer, Complaints, ok
from ..auth import Staff, operator, viewer
from ..deps import BlocklistsDep, ComplaintsDep, Live
from . import AccountName

router = APIRouter(tags=["reputation"])

RAW_REPORT = {"content": {"message/rfc822": {"schema": {"type": "string", "format": "binary"}}}, "required": True,
              "description": "The report as received (ARF, a SpamCop-style report, or a forwarded message), "
                             "at most [api] max_body bytes"}


@router.get("/complaints", summary="Every complaint traced to an account, oldest first after after_id",
            dependencies=[Depends(viewer)], responses=ok(Complaints))
async def complaints(complaints: ComplaintsDep, after_id: Annotated[int, Query(ge=0, le=2**62)] = 0,
                     limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> dict:
    try:
        return await complaints.complaints_after(after_id, limit)
    except StoreUnavailable:
        raise HTTPException(503, "store unavailable") from None


@router.get("/accounts/{account}/complaints", summary="The complaints traced to one account, newest first",
            dependencies=[Depends(viewer)], responses=ok(AccountComplaints))
async def account_complaints(complaints: ComplaintsDep, account: AccountName,
                             limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict:
    try:
        return {"account": account, "items": await complaints.complaints_for(account, limit)}
    except StoreUnavailable:
        raise HTTPException(503, "store unavailable") from None


@router.post("/complaints", summary="Record a raw abuse report (the body is the message itself)",
             openapi_extra={"requestBody": RAW_REPORT}, responses=ok(ComplaintAnswer))
async def post_complaint(live: Live, complaints: ComplaintsDep, request: Request,
                         staff: Staff = Depends(operator)) -> dict:
    tracer = live.tracer
    if tracer is None:
        raise HTTPException(409, "complaints cannot be traced: [complaints] trace_header is off on this server")
    body = await request.body()  # the edge has refused anything over [api] max_body already
    origin = f"api:{staff.name}"
    outcome = read_report(RawReport(origin, body, len(body)), tracer.codec, tracer.header, origin, live.clock())
    try:
        added = await complaints.record(outcome)
        strike = None
        if isinstance(outcome, Complaint) and added:
            (decision,) = await complaints.apply_strikes([outcome.account])
            strike = {"verdict": decision.verdict.value, "complaints": len(decision.complaint_ids),
                      "complaint_ids": list(decision.complaint_ids), "threshold": decision.threshold,
                      "window": decision.window,
                      "suspended": live.account_status(outcome.account, live.clock())[0] == "suspended"}
    except StoreUnavailable:
        raise HTTPException(503, "store unavailable") from None
    if isinstance(outcome, Complaint):
        return {"outcome": "recorded" if added else "duplicate", "reason": None, "account": outcome.account,
                "report_message_id": outcome.report_message_id, "strike": strike}
    if isinstance(outcome, Ignored):
        return {"outcome": "ignored", "reason": outcome.reason, "account": None,
                "report_message_id": outcome.report_message_id, "strike": None}
    assert isinstance(outcome, KeptAside)
    return {"outcome": "kept_aside", "reason": outcome.reason, "account": None, "report_message_id": None,
            "strike": None}


@router.get("/blocklists", summary="Each egress address on each DNS blocklist: listed, not listed or error",
            dependencies=[Depends(viewer)], responses=ok(Blocklists))
async def blocklists(live: Live, stored: BlocklistsDep) -> dict:
    cfg = live.settings.blocklists
    try:
        items = await stored.states({z.zone: z.delist_url for z in cfg.zones})
    except StoreUnavailable:
        raise HTTPException(503, "store unavailable") from None
    return {"items": items, "egress": list(cfg.egress), "zones": [z.zone for z in cfg.zones]}


@router.get("/blocklists/{egress}/senders",
            summary="The accounts that sent most in the hours before an egress address was listed",
            description="From the stored per-minute counts, which are per account and not per egress address "
                        "(the submission servers relay through every egress address): the accounts to look at "
                        "first when an address is listed. Not listed now: `listed` false and no items.",
            dependencies=[Depends(viewer)], responses=ok(BlocklistSenders))
async def blocklist_senders(live: Live, stored: BlocklistsDep, egress: str,
                            hours: Annotated[int, Query(ge=1, le=72)] = 6,
                            limit: Annotated[int, Query(ge=1, le=200)] = 20) -> dict:
    try:
        address = str(ipaddress.ip_address(egress))
    except ValueError:
        raise HTTPException(404, "not an egress address of this server") from None
    if address not in live.settings.blocklists.egress:
        raise HTTPException(404, "not an egress address of this server")
    try:
        return await stored.senders_before_listing(address, hours, limit)
    except StoreUnavailable:
        raise HTTPException(503, "store unavailable") from None
