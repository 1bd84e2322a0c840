"""The audit log: every staff action with its before and after."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from ..auth import viewer
from ..schemas import MAX_ACCOUNT
from . import audit_json, in_store

router = APIRouter(tags=["audit"], dependencies=[Depends(viewer)])


@router.get("/audit", summary="Staff actions with before and after, oldest first after after_id")
async def audit(request: Request, account: Annotated[str, Query(max_length=MAX_ACCOUNT)] = "",
                after_id: Annotated[int, Query(ge=0, le=2**62)] = 0,
                limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> dict:
    from fumidai.store import repo

    def read(s):
        return [audit_json(e) for e in repo.audit_after(s, account or None, after_id, limit)]

    items = await in_store(request, read)
    return {"items": items, "newest_id": items[-1]["id"] if items else after_id}
