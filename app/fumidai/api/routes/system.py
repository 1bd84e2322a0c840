"""Health (no token) and Prometheus metrics (no token from loopback only)."""

from __future__ import annotations

import socket

from fastapi import APIRouter, Depends, Request, Response

from fumidai import __version__

from ..answers import Health, Me, ok
from ..auth import Staff, bearer, current_staff, is_loopback, viewer
from ..deps import Live, get_metrics
from . import iso

router = APIRouter(tags=["system"])
_NODE = socket.gethostname()


@router.get("/api/v1/health", summary="Liveness; needs no token", responses=ok(Health))
async def health(live: Live) -> dict:
    now = live.clock()
    # synced_audit_id: the newest staff action the server has applied; `fumidai account …`
    # waits for it to confirm that a running server took its change.
    return {"status": "ok", "version": __version__, "time": iso(now), "node": _NODE,
            "synced_audit_id": live.synced_audit_id}


@router.get("/api/v1/me", summary="The token's staff name and role (the desk disables what the role may not do)",
            responses=ok(Me))
async def me(staff: Staff = Depends(viewer)) -> dict:
    return {"name": staff.name, "role": staff.role}


@router.get("/metrics", summary="Prometheus text; a token is needed unless the client is on loopback",
            response_class=Response, include_in_schema=False)
async def metrics(request: Request) -> Response:
    # Scrapers usually carry no bearer token: a local one (or an SSH tunnel) needs none.
    if not is_loopback(request):
        await current_staff(request, await bearer(request))
    m = get_metrics(request)
    return Response(m.render(), media_type=m.content_type)

