"""Route modules; each holds one APIRouter. Shared helpers for them live here."""

from __future__ import annotations

from typing import Annotated

from fastapi import HTTPException, Path

from ...actions.wire import iso
from ..schemas import MAX_ACCOUNT

__all__ = ["AccountName", "iso", "not_found"]

AccountName = Annotated[str, Path(min_length=1, max_length=MAX_ACCOUNT, description="The SASL user name")]


def not_found(account: str) -> HTTPException:
    return HTTPException(404, f"no account {account[:80]!r}")
