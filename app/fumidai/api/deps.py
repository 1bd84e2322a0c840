"""What routes depend on, as typed FastAPI dependencies (set once by ``create_app``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request

from ..actions.complaints import BlocklistStore, ComplaintActions
from ..actions.incidents import IncidentActions
from ..actions.reads import StoreReads
from ..actions.staff import StaffActions
from ..service.core import Service
from .metrics import Metrics


@dataclass(frozen=True)
class ApiDeps:
    live: Service  # the live state the policy server answers from (read on the loop)
    actions: StaffActions
    reads: StoreReads
    metrics: Metrics
    outbox: Any | None  # notices.outbox.Outbox, None when notices are not served
    complaints: ComplaintActions
    blocklists: BlocklistStore
    incidents: IncidentActions  # acknowledgements and incidents


def _deps(request: Request) -> ApiDeps:
    return request.app.state.deps


def get_live(request: Request) -> Service:
    return _deps(request).live


def get_actions(request: Request) -> StaffActions:
    return _deps(request).actions


def get_reads(request: Request) -> StoreReads:
    return _deps(request).reads


def get_incidents(request: Request) -> IncidentActions:
    return _deps(request).incidents


def get_metrics(request: Request) -> Metrics:
    return _deps(request).metrics


def get_complaints(request: Request) -> ComplaintActions:
    return _deps(request).complaints


def get_blocklists(request: Request) -> BlocklistStore:
    return _deps(request).blocklists


def get_outbox(request: Request) -> Any:
    outbox = _deps(request).outbox
    if outbox is None:
        raise HTTPException(409, "notices are not configured on this server ([notices])")
    return outbox


Live = Annotated[Service, Depends(get_live)]
Actions = Annotated[StaffActions, Depends(get_actions)]
Reads = Annotated[StoreReads, Depends(get_reads)]
Workflow = Annotated[IncidentActions, Depends(get_incidents)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
ComplaintsDep = Annotated[ComplaintActions, Depends(get_complaints)]
BlocklistsDep = Annotated[BlocklistStore, Depends(get_blocklists)]
OutboxDep = Annotated[Any, Depends(get_outbox)]
