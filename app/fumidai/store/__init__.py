"""The store: SQLAlchemy models, repository functions (repo) and Alembic migrations.

    from fumidai.store import Store, repo
    store = Store("sqlite:////var/lib/fumidai/fumidai.db")
    store.ensure_schema()
    with store.session() as s:
        audit_id = repo.suspend(s, "alice", actor="bob", reason="spam run")

SQLAlchemy is imported on first use, so `fumidai --help` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .db import Store

__all__ = ["Store"]


def __getattr__(name: str) -> Any:
    if name == "Store":
        from .db import Store

        return Store
    raise AttributeError(name)
