"""The store reads the API and the command line need, shaped for them (wire.py).

Async methods run their query in a thread inside one session; the ``*_now`` variants
are the same reads for blocking callers (the command line, the token lookup).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

from ..store import repo
from ..store.cursor import FirstSeen
from ..store.records import override_from_row, suspension_from_row, to_datetime, to_epoch
from ..store.baselines import get_permissions
from .wire import alert_json, audit_json, contact_json, notice_json, permissions_json

T = TypeVar("T")
GAP_WINDOW = 1000  # audit ids read to place a one-account cursor (GET /audit?account=)


@dataclass(frozen=True)
class AccountRecord:
    """What the store knows of one account beside its live state."""

    known: bool
    contact: dict[str, Any]  # contact, owner_name, language (None each when unknown)
    timezone: str | None
    home_countries: list[str] | None
    notices: list[dict[str, Any]]
    permissions: dict[str, dict[str, Any] | None]  # {"travel": …|None, "trust": …|None}


class StaffMember(NamedTuple):
    name: str
    role: str
    created_at: float
    revoked: bool


class StoreReads:
    def __init__(self, store: Any, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock  # whether a permission is still active
        self.alerts_seen = FirstSeen()  # the alerts cursor's gaps (store/cursor.py), for every client
        self.audit_seen = FirstSeen()

    def _read_now(self, work: Callable[[Any], T]) -> T:
        with self.store.session() as s:
            return work(s)

    async def _read(self, work: Callable[[Any], T]) -> T:
        return await asyncio.to_thread(self._read_now, work)

    # --- accounts -----------------------------------------------------------------------

    def account_now(self, account: str, notices: int = 20) -> AccountRecord:
        def read(s):
            row = repo.get_account(s, account)
            return AccountRecord(
                known=row is not None, contact=contact_json(row), timezone=row.timezone if row else None,
                home_countries=list(row.home_countries) if row is not None and row.home_countries else None,
                notices=[notice_json(n) for n in repo.notices_for_account(s, account, notices)] if notices else [],
                permissions=permissions_json(get_permissions(s, account), now=to_datetime(self.clock())),
            )

        return self._read_now(read)

    async def account(self, account: str, notices: int = 20) -> AccountRecord:
        return await asyncio.to_thread(self.account_now, account, notices)

    async def search(self, q: str, limit: int, offset: int) -> tuple[int, list[tuple[str, dict[str, Any]]]]:
        """(how many match, the page's (name, contact fields)) of every stored account."""
        return await self._read(lambda s: (repo.count_accounts(s, q),
                                           [(a.name, contact_json(a)) for a in repo.search_accounts(s, q, limit, offset)]))

    async def contacts(self, names: list[str]) -> dict[str, dict[str, Any]]:
        """The contact fields of each named account (unknown ones get Nones)."""
        def read(s):
            rows = repo.get_accounts(s, names)
            return {n: contact_json(rows.get(n)) for n in names}

        return await self._read(read)

    def stored_state_now(self, account: str, now: float) -> tuple[Any, Any]:
        """(the active Suspension or None, the Override row's domain object — expired or not — or None)."""
        def read(s):
            susp = repo.active_suspension(s, account, to_datetime(now))
            over = repo.get_override(s, account)
            return (suspension_from_row(susp) if susp is not None else None,
                    override_from_row(over) if over is not None else None)

        return self._read_now(read)

    def series_now(self, account: str, from_minute: int, to_minute: int) -> list[repo.SeriesRow]:
        return self._read_now(lambda s: repo.series(s, account, from_minute, to_minute))

    async def hourly_history(self, account: str, since_minute: int) -> list[repo.SeriesRow]:
        return await self._read(lambda s: repo.hourly_history(s, account, since_minute))

    # --- alerts, trends, audit ----------------------------------------------------------

    async def newest_alert_id(self) -> int:
        return await self._read(repo.newest_alert_id)

    async def alerts_after(self, after_id: int, limit: int) -> tuple[list[dict[str, Any]], int, int]:
        """(alerts after ``after_id`` oldest first, the newest alert id, ``next_after_id``: how
        far a client's cursor may move, never past an alert that may still commit)."""
        items, newest = await self._read(lambda s: ([alert_json(a, ack) for a, ack in
                                                     repo.alerts_with_acks_after(s, after_id, limit)],
                                                    repo.newest_alert_id(s)))
        return items, newest, self.alerts_seen.safe_through(after_id, [a["id"] for a in items])

    async def daily_trends(self, since_minute: int) -> list[repo.DayTrend]:
        return await self._read(lambda s: repo.daily_trends(s, since_minute))

    async def audit_after(self, account: str | None, after_id: int, limit: int) -> list[dict[str, Any]]:
        return await self._read(lambda s: [audit_json(e) for e in repo.audit_after(s, account, after_id, limit)])

    async def audit_page(self, account: str | None, after_id: int, limit: int) -> tuple[list[dict[str, Any]], int]:
        """(entries after ``after_id``, of one account or all, and ``next_after_id``: how far a
        client's cursor may move, never past an entry that may still commit)."""
        def read(s):
            items = [audit_json(e) for e in repo.audit_after(s, account, after_id, limit)]
            # Gaps are gaps in the whole log: one account's entries skip the others' ids.
            ids = [i["id"] for i in items] if account is None else repo.audit_ids_after(s, after_id, GAP_WINDOW)
            return items, ids

        items, ids = await self._read(read)
        safe = self.audit_seen.safe_through(after_id, ids)
        if account is not None and len(items) == limit:
            safe = min(safe, items[-1]["id"])  # the account's later entries are on the next page
        return items, safe

    # --- staff --------------------------------------------------------------------------

    def staff_for_token_now(self, token: str) -> tuple[str, str] | None:
        """(name, role) of the active staff member holding the token, or None."""
        def read(s):
            row = repo.staff_for_token(s, token)
            return (row.name, row.role) if row is not None else None

        return self._read_now(read)

    def staff_now(self, include_revoked: bool = False) -> list[StaffMember]:
        return self._read_now(lambda s: [StaffMember(r.name, r.role, to_epoch(r.created_at), r.revoked_at is not None)
                                         for r in repo.list_staff(s, include_revoked)])
