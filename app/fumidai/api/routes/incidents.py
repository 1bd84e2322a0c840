"""The desk's workflow: acknowledge alerts, open incidents, claim them, move them on, add notes.

Kept in the store with the audit trail (actions/incidents.py); the other desks see it on their
next poll. A repeat that changes nothing answers the thing as it is with ``audit_id: null``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query, Response

from ..answers import AckAnswer, IncidentAnswer, Incidents, ok
from ..auth import Staff, operator, viewer
from ..deps import Workflow
from ..schemas import MAX_ACCOUNT, AckRequest, IncidentOpenRequest, IncidentStatus, IncidentUpdateRequest

router = APIRouter(tags=["incidents"])

Id = Annotated[int, Path(ge=1, le=2**62)]


@router.post("/alerts/{alert_id}/ack", summary="Acknowledge an alert for every desk; again keeps the first",
             responses=ok(AckAnswer))
async def ack_alert(workflow: Workflow, alert_id: Id, body: Annotated[AckRequest | None, Body()] = None,
                    staff: Staff = Depends(operator)) -> dict:
    done = await workflow.ack_alert(alert_id, staff.name, body.note if body is not None else None)
    return {**done.item, "audit_id": done.audit_id}


@router.get("/incidents", summary="Incidents with their notes, newest first", dependencies=[Depends(viewer)],
            responses=ok(Incidents))
async def list_incidents(workflow: Workflow, status: IncidentStatus | None = None,
                         account: Annotated[str, Query(max_length=MAX_ACCOUNT)] = "",
                         limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> dict:
    return {"items": await workflow.incidents(status, account or None, limit)}


@router.post("/incidents", summary="Open an incident on an account; one not closed is returned as it is",
             status_code=201, responses={**ok(IncidentAnswer, 201), 200: {
                 "model": IncidentAnswer, "description": "The account already has an incident that is not closed"}})
async def open_incident(workflow: Workflow, body: IncidentOpenRequest, response: Response,
                        staff: Staff = Depends(operator)) -> dict:
    done = await workflow.open_incident(body.account, staff.name, body.alert_id)
    if done.audit_id is None:
        response.status_code = 200
    return {**done.item, "audit_id": done.audit_id}


@router.patch("/incidents/{incident_id}", summary="Set the owner (claim) or status, add a note",
              responses=ok(IncidentAnswer))
async def update_incident(workflow: Workflow, incident_id: Id, body: IncidentUpdateRequest,
                          staff: Staff = Depends(operator)) -> dict:
    done = await workflow.update_incident(incident_id, staff.name, owner=body.owner, status=body.status,
                                          note=body.note)
    return {**done.item, "audit_id": done.audit_id}
