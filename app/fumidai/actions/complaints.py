"""Complaints and blocklists in the store: one path for `fumidai complaints import` and the API.

``ComplaintActions.record(outcome)`` writes one parsed report (reputation.reports) in one
transaction: a complaint with its audit entry (action "complaint", actor "complaints"), so a
running server's audit sync recounts the account even when the command line recorded it;
``apply_strikes(accounts)`` weighs each account's complaints within ``[complaints] window``:
at ``suspend_after`` it suspends through ``StaffActions.suspend`` (actor "auto", reason
"complaints", the complaint ids in the audit entry), below it records an alert.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ..config import ComplaintsSection
from ..isotime import iso
from ..reputation.reports import Complaint, KeptAside, Outcome
from ..reputation.strikes import SUSPEND_REASON, StrikeDecision, Verdict, decide
from ..store import complaints as repo
from ..store import repo as core_repo
from ..store.cursor import FirstSeen
from ..store.records import to_datetime, to_epoch
from .staff import LiveTarget, StaffActions

log = logging.getLogger(__name__)

StoreUnavailable = SQLAlchemyError  # what the callers turn into "try again" (exit 75, HTTP 503)


def complaint_json(c: Any) -> dict[str, Any]:
    """A complaint row on the wire; ``subject`` and ``reporter`` are strangers' text (data only)."""
    return {"id": c.id, "account": c.account, "received_at": iso(c.received_at), "kind": c.kind,
            "feedback_type": c.feedback_type, "reporter": c.reporter, "user_agent": c.user_agent,
            "report_message_id": c.report_message_id, "reported_at": iso(c.reported_at),
            "arrived_at": iso(c.arrived_at), "original_message_id": c.original_message_id, "subject": c.subject,
            "original_date": iso(c.original_date), "source_ip": c.source_ip, "origin": c.origin}


def blocklist_json(row: Any, delist_url: str) -> dict[str, Any]:
    return {"egress": row.egress, "zone": row.zone, "status": row.status, "since": iso(row.since),
            "checked_at": iso(row.checked_at), "answers": list(row.answers or []), "meaning": row.meaning,
            "txt": row.txt, "error": row.error, "delist_url": delist_url}


class ComplaintActions:
    """Recording complaints, strikes, and the reputation reads of the API and the command line."""

    def __init__(self, store: Any, settings: ComplaintsSection, clock: Callable[[], float] = time.time,
                 live: LiveTarget | None = None) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.live = live  # the running Service: complaint counts and suspensions apply at once
        self.staff = StaffActions(store, clock, live)
        self.complaints_seen = FirstSeen()  # the complaints cursor's gaps (store/cursor.py), for every client

    # --- recording ----------------------------------------------------------------------

    def record_now(self, outcome: Outcome) -> bool:
        """Write one report's outcome, blocking: True when a row was added (False for a duplicate
        or an Ignored). Raises StoreUnavailable when the store fails."""
        if not isinstance(outcome, Complaint | KeptAside):
            return False
        for attempt in (1, 2):
            try:
                with self.store.session() as s:
                    if isinstance(outcome, KeptAside):
                        return repo.keep_aside(s, outcome)[1]
                    row, added = repo.record_complaint(s, outcome)
                    if added:
                        repo.audit_complaint(s, row, to_datetime(self.clock()))
                    return added
            except IntegrityError:
                if attempt == 2:
                    raise
                # Another import recorded the same report between our check and our insert.
        return False

    async def record(self, outcome: Outcome) -> bool:
        added = await asyncio.to_thread(self.record_now, outcome)
        if added and isinstance(outcome, Complaint) and self.live is not None:
            counts = await asyncio.to_thread(self.counts_now, [outcome.account])
            self.live.apply_complaints(outcome.account, counts.get(outcome.account, 0))
        return added

    # --- strikes ------------------------------------------------------------------------

    def _weigh(self, accounts: list[str], now: float) -> list[tuple[StrikeDecision, bool]]:
        """Each account's decision, and whether it is suspended already (one read)."""
        cfg = self.settings
        since = to_datetime(max(0.0, now - cfg.window))
        out = []
        with self.store.session() as s:
            for account in accounts:
                decision = decide(repo.complaint_times(s, account, since), now, cfg.suspend_after, cfg.window)
                suspended = core_repo.active_suspension(s, account, to_datetime(now)) is not None
                out.append((decision, suspended))
        return out

    def _alert(self, account: str, decision: StrikeDecision, now: float) -> None:
        with self.store.session() as s:
            repo.add_complaint_alert(s, account, decision.reason, decision.complaint_ids, decision.threshold,
                                     decision.window, to_datetime(now))

    async def apply_strikes(self, accounts: Iterable[str]) -> list[StrikeDecision]:
        """Weigh the recent complaints of ``accounts`` (each just got a new one) and act; one
        decision per account, in order. An account suspended already is left as it is."""
        accounts = list(accounts)
        now = self.clock()
        weighed = await asyncio.to_thread(self._weigh, accounts, now)
        for account, (decision, suspended) in zip(accounts, weighed):
            if decision.verdict is Verdict.ALERT:
                await asyncio.to_thread(self._alert, account, decision, now)
            elif decision.verdict is Verdict.SUSPEND and not suspended:
                await self.staff.suspend(account, core_repo.AUTO, SUSPEND_REASON,
                                         audit_extra={"complaint_ids": list(decision.complaint_ids)})
                log.warning("%s suspended: %d complaints within %g s", account, len(decision.complaint_ids),
                            decision.window)
        return [decision for decision, _ in weighed]

    # --- reads ----------------------------------------------------------------------------

    def counts_now(self, accounts: list[str] | None = None) -> dict[str, int]:
        """Complaints per account within ``[complaints] window`` (the behaviour signal's input)."""
        since = to_datetime(max(0.0, self.clock() - self.settings.window))
        with self.store.session() as s:
            return repo.complaint_counts(s, since, accounts)

    async def complaints_after(self, after_id: int, limit: int) -> dict[str, Any]:
        def read():
            with self.store.session() as s:
                items = [complaint_json(c) for c in repo.complaints_after(s, after_id, limit)]
                return {"items": items, "newest_id": items[-1]["id"] if items else after_id,
                        "kept_aside": repo.count_kept_aside(s)}

        body = await asyncio.to_thread(read)
        body["next_after_id"] = self.complaints_seen.safe_through(after_id, [c["id"] for c in body["items"]])
        return body

    async def complaints_for(self, account: str, limit: int) -> list[dict[str, Any]]:
        def read():
            with self.store.session() as s:
                return [complaint_json(c) for c in repo.complaints_for_account(s, account, limit)]

        return await asyncio.to_thread(read)


class BlocklistStore:
    """The blocklist monitor's states in the store: loaded at start, saved after every round."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def rows_now(self) -> list[Any]:
        """The stored states (rows, detached) for ``reputation.blocklists.state_from_row``."""
        with self.store.session() as s:
            rows = repo.blocklist_states(s)
            s.expunge_all()
            return rows

    async def save_round(self, states: list[Any], events: list[Any]) -> None:
        def write():
            with self.store.session() as s:
                repo.save_blocklist_round(s, states, events)

        await asyncio.to_thread(write)

    async def states(self, delist_urls: dict[str, str]) -> list[dict[str, Any]]:
        def read():
            with self.store.session() as s:
                return [blocklist_json(r, delist_urls.get(r.zone, "")) for r in repo.blocklist_states(s)]

        return await asyncio.to_thread(read)

    async def senders_before_listing(self, egress: str, hours: int, limit: int) -> dict[str, Any]:
        """The accounts with the most accepted messages in the ``hours`` before ``egress``'s current
        listing began (its earliest zone), from the stored buckets. Counts are per account: the
        submission servers relay through every egress address, so no count is per address."""

        def read():
            with self.store.session() as s:
                listed = [r for r in repo.blocklist_states(s) if r.egress == egress and r.status == "listed"]
                if not listed:
                    return {"egress": egress, "listed": False, "zones": [], "listed_at": None, "hours": hours,
                            "items": []}
                began = min(to_epoch(r.since) for r in listed)
                end = int(began // 60) + 1  # the listing's own minute included
                rows = core_repo.top_senders(s, end - hours * 60, end, limit)
                return {"egress": egress, "listed": True, "zones": sorted(r.zone for r in listed),
                        "listed_at": iso(began), "hours": hours, "items": [row._asdict() for row in rows]}

        return await asyncio.to_thread(read)
