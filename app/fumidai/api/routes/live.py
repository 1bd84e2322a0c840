"""Overview, countries, alerts, trends: what the desk polls."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from ..answers import Alerts, Countries, Overview, Trends, ok
from ..auth import viewer
from ..deps import Live, Reads

router = APIRouter(tags=["live"], dependencies=[Depends(viewer)])

Window = Annotated[int, Query(ge=60, le=86400, description="Seconds, up to one day")]


@router.get("/overview", summary="Totals now, top accounts by rate, per-country counts, newest alert id",
            responses=ok(Overview))
async def overview(live: Live, reads: Reads, window: Window = 60,
                   limit: Annotated[int, Query(ge=1, le=1000)] = 50) -> dict:
    body = live.overview(window, limit)  # live, on the loop: one consistent moment
    body["newest_alert_id"] = await reads.newest_alert_id()
    return body


@router.get("/countries", summary="Per country: messages, recipients, refused, accounts", responses=ok(Countries))
async def countries(live: Live, window: Window = 3600) -> dict:
    return {"window": window, "items": live.countries(window)}


@router.get("/alerts", summary="Automatic stops and cap hits, oldest first after after_id", responses=ok(Alerts))
async def alerts(reads: Reads, after_id: Annotated[int, Query(ge=0, le=2**62)] = 0,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> dict:
    items, newest, next_after_id = await reads.alerts_after(after_id, limit)
    return {"items": items, "newest_id": newest, "next_after_id": next_after_id}


@router.get("/trends", summary="Per day: accepted, refused, automatic suspensions, top countries",
            responses=ok(Trends))
async def trends(live: Live, reads: Reads, days: Annotated[int, Query(ge=1, le=366)] = 28) -> dict:
    today = int(live.clock() // 86400)
    rows = await reads.daily_trends((today - days + 1) * 1440)
    return {"days": [{"date": d.day.isoformat(), "accepted": d.accepted, "refused": d.refused,
                      "auto_suspensions": d.auto_suspensions,
                      "top_countries": [{"country": c, "messages": m} for c, m in d.top_countries]}
                     for d in rows]}
