"""What every answer model is made of: the wire's time strings, and ``responses=`` for a route."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

Time = str  # UTC, second precision, "Z" (fumidai.isotime)


def ok(model: type[BaseModel], status: int = 200) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route whose answer ``model`` describes (not validated at run time)."""
    return {status: {"model": model}}
