"""The audit sync: apply what was stored elsewhere (the command line, another node), as the audit log tells.

Twice a second the newest audit entries are read; the accounts they name are re-read from
the store and the live state made to match; an import reloads home countries, a baseline
import the baselines it wrote, a travel or trust change the account's permissions, a probation
clear the account's probation; a complaint (recorded by `fumidai complaints import` or the
API) recounts the account's complaints within [complaints] window; every staff action read is
counted in /metrics, whichever entry point wrote it.

Entries are read by a gap-aware cursor (store/cursor.py): on PostgreSQL two nodes' entries can
commit out of order, so the sync re-reads from the highest id below which nothing can still
commit and applies each entry once, by id.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable, Protocol

from ..policy import Override, Suspension
from ..store.cursor import GapCursor

log = logging.getLogger("fumidai.service")

SYNC_EVERY = 0.5  # seconds between reads of the audit log
PAGE = 1000  # entries per read; one sync reads up to MAX_PAGES of them
MAX_PAGES = 20
PERMISSION_ACTIONS = frozenset({"set_travel", "clear_travel", "set_trust", "clear_trust"})
COMPLAINT = "complaint"  # the audit action of a recorded complaint (store.complaints.audit_complaint)


class SyncedState(Protocol):
    """What the sync needs of the live state (service.core.Service)."""

    stored: Any  # store.live_store.LiveStore
    metrics: Any  # api.metrics.Metrics, or None
    clock: Callable[[], float]
    settings: Any  # config.Settings

    def apply_complaints(self, account: str, count: int) -> None: ...

    def set_homes(self, stored: dict[str, list[str]]) -> None: ...

    def apply_stored(self, account: str, suspension: Suspension | None, override: Override | None,
                     now: float) -> None: ...

    def apply_permissions(self, account: str, permissions: Any) -> None: ...

    def clear_probation(self, account: str) -> None: ...

    def apply_baselines(self, blobs: dict[str, bytes]) -> None: ...

    def start_afresh(self, account: str, release_id: int | None = None) -> None: ...


class AuditSync:
    def __init__(self, live: SyncedState, cursor: GapCursor | None = None) -> None:
        self.live = live
        self.cursor = cursor or GapCursor()

    @property
    def synced_id(self) -> int:
        """Every audit entry up to this id is applied (or was never committed)."""
        return self.cursor.position

    def start_at(self, newest: int, present: tuple[int, ...] | list[int] = ()) -> None:
        """Start after what the loaded state reflects: every entry up to ``newest`` but those
        missing from ``present`` (the ids near the top that existed then); the
        missing ones may still commit and are applied when they do."""
        low = min(present, default=newest + 1) - 1
        self.cursor = GapCursor(min(low, newest), self.cursor.first_seen.settle_s, self.cursor.first_seen.clock)
        self.cursor.delivered(present)

    async def run(self) -> None:
        while True:
            await asyncio.sleep(SYNC_EVERY)
            try:
                await self.sync()
            except Exception as err:
                log.error("could not read the audit log: %s", err)

    async def sync(self) -> None:
        """Read and apply the entries not applied yet, a page at a time."""
        cursor = self.cursor
        after = cursor.position
        for _ in range(MAX_PAGES):
            page, homes = await asyncio.to_thread(self.live.stored.audit_after, after, PAGE)
            fresh = set(cursor.fresh(e.id for e in page))
            entries = [e for e in page if e.id in fresh]
            if entries:  # homes come with a page that holds an import: reload them for a fresh one only
                await self._apply(entries, homes if any(e.action == "import" for e in entries) else None)
            cursor.delivered(fresh)  # only once applied: an error above reads them again
            if len(page) < PAGE:
                break
            after = page[-1].id

    async def _apply(self, entries: list[Any], homes: dict[str, list[str]] | None) -> None:
        live = self.live
        if homes is not None:
            live.set_homes(homes)
        if live.metrics is not None:
            for e in entries:
                # The policy path's own suspensions are counted where they happen; complaints are not staff's.
                if e.actor != "auto" and e.action != COMPLAINT:
                    live.metrics.observe_staff_action(e.action)
        complained = {e.account for e in entries if e.action == COMPLAINT and e.account}
        if complained:
            since = live.clock() - live.settings.complaints.window
            counts = await asyncio.to_thread(live.stored.complaint_counts, complained, since)
            for account, count in counts.items():
                live.apply_complaints(account, count)
        accounts = {e.account for e in entries if e.account}
        if accounts:
            stored = await asyncio.to_thread(live.stored.stored_state, accounts, live.clock())
            now = live.clock()
            for account, (susp, override) in stored.items():
                live.apply_stored(account, susp, override, now)
        await self._behaviour(entries)

    async def _behaviour(self, entries: list[Any]) -> None:
        live = self.live
        for e in entries:
            if e.action == "baseline_import" and e.after and e.after.get("accounts"):
                blobs = await asyncio.to_thread(live.stored.baselines_written, e.after["written_at"])
                live.apply_baselines(blobs)
            elif e.action == "clear_probation" and e.account:
                live.clear_probation(e.account)
            elif e.action == "release" and e.account:
                live.start_afresh(e.account, e.id)  # released elsewhere (the command line, another node)
        changed = {e.account for e in entries if e.account and e.action in PERMISSION_ACTIONS}
        if changed:
            stored = await asyncio.to_thread(live.stored.permissions_of, changed, live.clock())
            for account, permissions in stored.items():
                live.apply_permissions(account, permissions)
