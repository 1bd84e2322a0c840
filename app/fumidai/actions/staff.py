"""Staff actions: each one transaction with its audit row, then the live state.

Without a live target (the command line beside a running server) the change is only
stored; the server picks it up from the audit log within a second (``Service.sync``),
so both paths end in the same rows and the same live state.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any, NamedTuple, Protocol, TypeVar

from ..policy import Override, Suspension
from ..store import repo
from ..store.baselines import as_permissions, clear_permission, get_permissions, set_permission
from ..store.repo._common import _audit as audit_entry
from .permissions import check_countries, check_expiry, check_signals
from ..store.records import to_datetime

T = TypeVar("T")


class Suspended(NamedTuple):
    audit_id: int
    suspension_id: int


class LiveTarget(Protocol):
    """What a running server offers the actions it applies at once (``service.Service``)."""

    async def write_unflushed_suspension(self, account: str) -> None:
        """Store an automatic suspension of the account that the policy path has not written yet."""

    def unwritten_auto_suspension(self, account: str, now: float) -> bool:
        """The account is suspended automatically by another node that has not written it yet."""

    def apply_suspension(self, account: str, suspension: Suspension | None) -> None: ...

    def apply_override(self, account: str, override: Override | None) -> None: ...

    def start_afresh(self, account: str, release_id: int | None = None) -> None:
        """Forget the account's counts so far (a release, by its audit id: the hijacker's counts are not the owner's)."""

    def apply_permissions(self, account: str, permissions: Any) -> None:
        """The account's active behaviour.Permissions, or None for none."""

    def clear_probation(self, account: str) -> None: ...
    def apply_complaints(self, account: str, count: int) -> None:
        """The account's complaints within [complaints] window (a behaviour signal)."""


class StaffActions:
    """Every staff action, used alike by the API, the command line and the demo."""

    def __init__(self, store: Any, clock: Callable[[], float] = time.time, live: LiveTarget | None = None,
                 retry_wait: float = 2.0) -> None:
        self.store = store
        self.clock = clock
        self.live = live
        # How long a release waits for another node to write the automatic suspension it refuses.
        self.retry_wait = retry_wait

    async def _unit(self, work: Callable[[Any], T]) -> T:
        """Run ``work(session)`` in a thread as one transaction (committed on success)."""

        def run() -> T:
            with self.store.session() as s:
                return work(s)

        return await asyncio.to_thread(run)

    # --- suspensions ----------------------------------------------------------------

    async def suspend(self, account: str, actor: str, reason: str, until: float | None = None,
                      audit_extra: Mapping[str, Any] | None = None) -> int:
        """Stop the account's sending; returns the audit id. ``audit_extra`` adds facts to the
        audit entry's ``after`` (a strike's complaint ids)."""
        return (await self.suspend_ids(account, actor, reason, until, audit_extra)).audit_id

    async def suspend_ids(self, account: str, actor: str, reason: str, until: float | None = None,
                          audit_extra: Mapping[str, Any] | None = None, unless_suspended: bool = False) -> Suspended:
        """``suspend``, answering the audit and suspension ids (an undo releases by the latter).
        ``unless_suspended``: Conflict, nothing written, if the account is suspended already — an
        automatic stop the policy path has not stored yet included."""
        if unless_suspended and self.live is not None:
            await self.live.write_unflushed_suspension(account)
        now = self.clock()
        if unless_suspended and self.live is not None and self.live.unwritten_auto_suspension(account, now):
            raise repo.Conflict(f"account {account!r} is suspended already (automatically)")

        def work(s) -> Suspended:
            ids = Suspended(*repo.add_suspension(s, account, actor, reason, to_datetime(until), to_datetime(now),
                                                 unless_suspended))
            if audit_extra:
                repo.add_to_audit(s, ids.audit_id, dict(audit_extra))
            return ids

        ids = await self._unit(work)
        if self.live is not None:
            self.live.apply_suspension(account, Suspension(actor, reason, now, until))
        return ids

    async def release(self, account: str, actor: str, reason: str, suspension_id: int | None = None) -> int:
        """Let the account send again; returns the audit id (Conflict if it is not suspended, or
        given ``suspension_id``, if its suspension is another one)."""
        if self.live is not None:
            await self.live.write_unflushed_suspension(account)
        now = self.clock()
        if suspension_id is not None and self.live is not None and self.live.unwritten_auto_suspension(account, now):
            # The live state has an automatic stop (maybe still being stored): not the one named.
            raise repo.Conflict(f"account {account!r} is now suspended automatically: not released")
        try:
            audit_id = await self._unit(lambda s: repo.release(s, account, actor, reason, to_datetime(now),
                                                               suspension_id))
        except repo.Conflict:
            if suspension_id is not None or self.live is None or not self.live.unwritten_auto_suspension(account, now):
                raise
            # Another policy server suspended it and has not written it yet: wait for its flush.
            await asyncio.sleep(self.retry_wait)
            audit_id = await self._unit(lambda s: repo.release(s, account, actor, reason, to_datetime(self.clock())))
        if self.live is not None:
            self.live.apply_suspension(account, None)
            self.live.start_afresh(account, audit_id)
        return audit_id

    # --- limits ---------------------------------------------------------------------

    async def set_override(self, account: str, actor: str, override: Override, reason: str) -> int:
        """Give the account its own limits, home or country caps (replacing any); returns the audit id."""
        o = override
        now = self.clock()
        audit_id = await self._unit(lambda s: repo.set_override(
            s, account, actor, reason,
            limits=dict(o.limits),
            home_countries=sorted(o.home_countries) if o.home_countries is not None else None,
            abroad=dict(o.abroad) if o.abroad is not None else None,
            countries={k: dict(v) for k, v in o.countries.items()} if o.countries is not None else None,
            expires_at=to_datetime(o.expires_at),
            now=to_datetime(now),
        ))
        if self.live is not None:
            self.live.apply_override(account, replace(o, set_by=actor, reason=reason))
        return audit_id

    async def clear_override(self, account: str, actor: str, reason: str) -> int:
        """Back to the default limits; returns the audit id (NotFound if it had none)."""
        now = self.clock()
        audit_id = await self._unit(lambda s: repo.clear_override(s, account, actor, reason, to_datetime(now)))
        if self.live is not None:
            self.live.apply_override(account, None)
        return audit_id

    # --- travel and trust (behaviour analysis) --------------------------------------

    async def set_travel(self, account: str, countries: Iterable[str], expires_at: float, actor: str,
                         reason: str) -> int:
        """Let the account send from these countries until ``expires_at`` (replacing any travel
        permission); returns the audit id. Invalid for a bad code or expiry."""
        return await self._set_permission(account, "travel", check_countries(countries), expires_at, actor, reason)

    async def set_trust(self, account: str, signals: Iterable[str], expires_at: float, actor: str,
                        reason: str) -> int:
        """Waive these signals (codes, or "*") for the account until ``expires_at``; returns the audit id."""
        return await self._set_permission(account, "trust", check_signals(signals), expires_at, actor, reason)

    async def clear_travel(self, account: str, actor: str, reason: str) -> int:
        return await self._clear_permission(account, "travel", actor, reason)

    async def clear_trust(self, account: str, actor: str, reason: str) -> int:
        return await self._clear_permission(account, "trust", actor, reason)

    async def _set_permission(self, account: str, kind: str, items: list[str], expires_at: float, actor: str,
                              reason: str) -> int:
        now = self.clock()
        check_expiry(expires_at, now)
        audit_id = await self._unit(lambda s: set_permission(s, account, kind, items, to_datetime(expires_at),
                                                             actor, reason, to_datetime(now)))
        await self._apply_permissions(account)
        return audit_id

    async def _clear_permission(self, account: str, kind: str, actor: str, reason: str) -> int:
        now = self.clock()
        audit_id = await self._unit(lambda s: clear_permission(s, account, kind, actor, reason, to_datetime(now)))
        await self._apply_permissions(account)
        return audit_id

    async def _apply_permissions(self, account: str) -> None:
        if self.live is None:
            return
        now = self.clock()
        at = to_datetime(now)
        rows = await self._unit(lambda s: [r for r in get_permissions(s, account) if r.expires_at > at])
        self.live.apply_permissions(account, as_permissions(rows).get(account))

    async def clear_probation(self, account: str, actor: str, reason: str) -> int:
        """End the account's probation (staff looked and found the owner); returns the audit id.
        The audit entry is the record: probation itself lives only in the running servers."""
        now = to_datetime(self.clock())
        audit_id = await self._unit(lambda s: audit_entry(s, actor, "clear_probation", account, reason, None,
                                                          {"probation": False}, now))
        if self.live is not None:
            self.live.clear_probation(account)
        return audit_id

    # --- notices --------------------------------------------------------------------

    async def send_notice(self, outbox: Any, facts: Mapping[str, Any], template: str, language: str, actor: str,
                          idempotency_key: str | None) -> tuple[dict[str, Any], bool]:
        """Render and queue a notice (its row and audit entry in one transaction; see
        ``StoredNoticeQueue.add``); the same key again returns the first record, created=False."""
        return await asyncio.to_thread(outbox.queue, facts, template, language, actor, idempotency_key)

    # --- accounts and staff -----------------------------------------------------------

    async def import_accounts(self, rows: Iterable[Mapping[str, Any]], actor: str) -> int:
        """Create or update account records; a running server reloads home countries on its audit entry."""
        rows = list(rows)
        return await self._unit(lambda s: repo.upsert_accounts(s, rows, actor))

    async def add_staff(self, name: str, role: str, actor: str) -> str:
        """A new staff member; returns the token (shown once, only its hash is stored)."""
        now = self.clock()
        return await self._unit(lambda s: repo.add_staff(s, name, role, actor, to_datetime(now)))

    async def revoke_staff(self, name: str, actor: str) -> None:
        now = self.clock()
        await self._unit(lambda s: repo.revoke_staff(s, name, actor, to_datetime(now)))
