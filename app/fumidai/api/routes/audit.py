"""The audit log: every staff action with its before and after."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from ..answers import Audit, ok
from ..auth import viewer
from ..deps import Reads
from ..schemas import MAX_ACCOUNT

router = APIRouter(tags=["audit"], dependencies=[Depends(viewer)])


@router.get("/audit", summary="Staff actions with before and after, oldest first after after_id",
            responses=ok(Audit))
async def audit(reads: Reads, account: Annotated[str, Query(max_length=MAX_ACCOUNT)] = "",
                after_id: Annotated[int, Query(ge=0, le=2**62)] = 0,
                limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> dict:
    items, next_after_id = await reads.audit_page(account or None, after_id, limit)
    return {"items": items, "newest_id": items[-1]["id"] if items else after_id, "next_after_id": next_after_id}
