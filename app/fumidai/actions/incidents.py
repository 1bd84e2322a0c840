"""The desk's workflow as staff actions: acknowledge an alert, open an incident, change one.

Each is one transaction holding the change and its audit row (store/repo/incidents.py); a
repeat that changes nothing (acknowledging again, opening on an account that has an incident
not closed, a change to what already is) writes nothing and audits nothing. Nothing here
touches the live state: the other desks see the change on their next poll.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

from ..errors import NotFound
from ..store import repo
from ..store.records import to_datetime
from .wire import alert_json

T = TypeVar("T")


class Done(NamedTuple):
    """What an action answers: the thing as it is now, and the audit id (None: nothing changed)."""

    item: dict[str, Any]
    audit_id: int | None


class IncidentActions:
    def __init__(self, store: Any, clock: Callable[[], float] = time.time,
                 known_live: Callable[[str], bool] | None = None) -> None:
        self.store = store
        self.clock = clock
        # Whether the running server holds the account (it sent mail the store has not seen yet).
        self.known_live = known_live or (lambda account: False)

    async def _unit(self, work: Callable[[Any], T]) -> T:
        def run() -> T:
            with self.store.session() as s:
                return work(s)

        return await asyncio.to_thread(run)

    @staticmethod
    def _incident(s: Any, row: Any) -> dict[str, Any]:
        return repo.incident_dict(row, repo.incident_notes(s, [row.id])[row.id])

    async def ack_alert(self, alert_id: int, actor: str, note: str | None = None) -> Done:
        """Acknowledge an alert for every desk; again keeps the first (NotFound: no such alert)."""
        now = to_datetime(self.clock())

        def work(s):
            alert, ack, audit_id = repo.ack_alert(s, alert_id, actor, note, now)
            return Done(alert_json(alert, ack), audit_id)

        return await self._unit(work)

    async def open_incident(self, account: str, actor: str, alert_id: int | None = None) -> Done:
        """Open an incident on the account, or give back the one it has that is not closed
        (audit_id None). NotFound: an account the store and the server never saw, or no such alert."""
        now = to_datetime(self.clock())
        known_live = self.known_live(account)

        def work(s):
            if not known_live and not repo.account_is_known(s, account):
                raise NotFound(f"no account {account[:80]!r}")
            row, audit_id = repo.open_incident(s, account, actor, alert_id, now)
            return Done(self._incident(s, row), audit_id)

        return await self._unit(work)

    async def update_incident(self, incident_id: int, actor: str, *, owner: str | None = None,
                              status: str | None = None, note: str | None = None) -> Done:
        """Set the owner (``""``: nobody; the caller's own name: a claim), the status, add a note;
        one audit entry for all of it, none when nothing changed."""
        now = to_datetime(self.clock())

        def work(s):
            row, audit_id = repo.update_incident(s, incident_id, actor, owner=owner, status=status, note=note,
                                                 now=now)
            return Done(self._incident(s, row), audit_id)

        return await self._unit(work)

    async def incidents(self, status: str | None = None, account: str | None = None,
                        limit: int = 200) -> list[dict[str, Any]]:
        """Incidents newest first, with their notes (a read, no audit)."""
        def read(s):
            rows = repo.list_incidents(s, status, account, limit)
            notes = repo.incident_notes(s, [r.id for r in rows])
            return [repo.incident_dict(r, notes[r.id]) for r in rows]

        return await self._unit(read)
