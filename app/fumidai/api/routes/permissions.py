"""Travel and trust permissions and probation: the behaviour-analysis actions on one account.

Operators (and the ISP's member portal, with an operator token of its own) set them; the
checks (country and signal codes, expiry at most 90 days ahead) are the application layer's,
answered 422 with the field named.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from ..answers import ActionAnswer, ok
from ..auth import Staff, operator
from ..deps import Actions, Live, Reads
from ..schemas import ReasonRequest, TravelRequest, TrustRequest
from . import AccountName
from .accounts import after_action

router = APIRouter(tags=["permissions"])


@router.put("/accounts/{account}/permissions/travel", summary="Let the account send from these countries until a time",
            responses=ok(ActionAnswer))
async def set_travel(live: Live, reads: Reads, actions: Actions, account: AccountName, body: TravelRequest,
                     staff: Staff = Depends(operator)) -> dict:
    audit_id = await actions.set_travel(account, body.countries, body.expires_at.timestamp(), staff.name, body.reason)
    return await after_action(live, reads, account, audit_id)


@router.delete("/accounts/{account}/permissions/travel", summary="End the account's travel permission now",
               responses=ok(ActionAnswer))
async def clear_travel(live: Live, reads: Reads, actions: Actions, account: AccountName, body: ReasonRequest,
                       staff: Staff = Depends(operator)) -> dict:
    audit_id = await actions.clear_travel(account, staff.name, body.reason)
    return await after_action(live, reads, account, audit_id)


@router.put("/accounts/{account}/permissions/trust", summary="Waive some behaviour signals for the account until a time",
            responses=ok(ActionAnswer))
async def set_trust(live: Live, reads: Reads, actions: Actions, account: AccountName, body: TrustRequest,
                    staff: Staff = Depends(operator)) -> dict:
    audit_id = await actions.set_trust(account, body.signals, body.expires_at.timestamp(), staff.name, body.reason)
    return await after_action(live, reads, account, audit_id)


@router.delete("/accounts/{account}/permissions/trust", summary="End the account's trust now",
               responses=ok(ActionAnswer))
async def clear_trust(live: Live, reads: Reads, actions: Actions, account: AccountName, body: ReasonRequest,
                      staff: Staff = Depends(operator)) -> dict:
    audit_id = await actions.clear_trust(account, staff.name, body.reason)
    return await after_action(live, reads, account, audit_id)


@router.post("/accounts/{account}/probation/clear", summary="End the account's probation (staff checked it)",
             responses=ok(ActionAnswer))
async def clear_probation(live: Live, reads: Reads, actions: Actions, account: AccountName, body: ReasonRequest,
                          staff: Staff = Depends(operator)) -> dict:
    audit_id = await actions.clear_probation(account, staff.name, body.reason)
    return await after_action(live, reads, account, audit_id)
