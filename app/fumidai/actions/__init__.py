"""The application layer: what staff and scripts do, and the store reads they need.

Every staff action is one method of ``StaffActions`` that runs one transaction holding
the change and its audit row, then (in a running server) updates the live state. The API
routes, the command line and the demo (through the API) all call these methods; only this
package and ``store`` touch rows. A new action (travel permission, probation clear,
complaint strike, incident) is one more method here, written the same way; an automatic
action can use the same units of work with the actor ``store.repo.AUTO``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .notice_queue import StoredNoticeQueue
    from .reads import StoreReads
    from .staff import LiveTarget, StaffActions

__all__ = ["LiveTarget", "StaffActions", "StoreReads", "StoredNoticeQueue", "describe_store", "open_store"]


def describe_store(url: str) -> str:
    """Check the store read-only (``fumidai check-config``): one line on what was found."""
    from ..store.db import describe_store as describe

    return describe(url)


def open_store(url: str) -> Any:
    """The store at ``url``, its schema made usable (a new SQLite file gets its tables, as
    ``serve`` makes them); for the command lines, which act through this package."""
    from ..store import Store

    store = Store(url)
    try:
        store.ensure_schema()
    except BaseException:
        store.dispose()
        raise
    return store


def __getattr__(name: str) -> Any:
    # SQLAlchemy loads on first use, so `fumidai --help` stays fast.
    if name in ("StaffActions", "LiveTarget"):
        from . import staff

        return getattr(staff, name)
    if name == "StoreReads":
        from .reads import StoreReads

        return StoreReads
    if name == "StoredNoticeQueue":
        from .notice_queue import StoredNoticeQueue

        return StoredNoticeQueue
    raise AttributeError(name)
