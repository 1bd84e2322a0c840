"""What changes the live state from outside the policy path: other policy servers (through the
replicator), staff actions (actions.LiveTarget), the audit sync and imports. A part of Service
(service/core.py): its methods use the live state's fields."""

from __future__ import annotations

import logging

from ..policy import Override, Suspension
from ..policy.usage import Usage

log = logging.getLogger("fumidai.service")


class LiveUpdates:
    """Applies suspensions, overrides, fresh windows, permissions, baselines and complaint counts."""

    # --- what other policy servers counted (through the replicator) ---------------------

    def apply_remote_count(self, account: str, minute: int, country: str, messages: int, recipients: int,
                           accepted: bool) -> None:
        """Another node counted this: add it to the live state (that node stores it)."""
        state = self.counters.state(account)
        state.usage.record(minute, country, messages, recipients, accepted)
        self.counters.record(minute, state.name, country, messages, recipients, accepted)

    def apply_remote_suspension(self, account: str, reason: str, since: float) -> None:
        """Another node suspended this account automatically: refuse it here too at once."""
        state = self.counters.state(account)
        if not state.is_suspended(self.clock()):
            self._set_suspension(account, Suspension("auto", reason, since))
    # --- actions from staff -------------------------------------------------------------

    def _set_suspension(self, account: str, susp: Suspension | None) -> None:
        state = self.counters.state(account)
        state.suspension = susp
        if susp is None:
            self.suspended_index.discard(account)
            self.unflushed.suspensions.pop(account, None)
        else:
            self.suspended_index.add(account)

    def apply_stored(self, account: str, suspension: Suspension | None, override: Override | None,
                      now: float) -> None:
        """Make the live state of one account match its stored suspension and override."""
        if suspension is not None:
            state = self.counters.get(account)
            new = state is None or state.suspension != suspension
            self._set_suspension(account, suspension)
            if new and self.shared is not None and suspension.by != "auto":
                self.shared.staff_suspension(account, suspension)  # made by the command line: Redis too
        elif account not in self.unflushed.suspensions and not (self.shared is not None and self.shared.holds(account)):
            # an automatic one not yet flushed stays, and one another node made moments ago
            self._set_suspension(account, None)
        self.apply_override(account, override if override is not None and override.active(now) else None)

    # --- the live side of staff actions (actions.LiveTarget) ---------------------------

    def apply_suspension(self, account: str, suspension: Suspension | None) -> None:
        self._set_suspension(account, suspension)
        if self.shared is not None:
            self.shared.staff_suspension(account, suspension)

    def start_afresh(self, account: str, release_id: int | None = None, shared: bool = True) -> None:
        """A released account's windows start now: what the hijacker sent no longer counts
        against the owner's quota (the counts stay in the history and the store).

        ``release_id``: the release's audit entry; the audit sync's second look at a release
        this node applied itself must not drop what the owner sent since."""
        if release_id is not None:
            if self._afresh.get(account) == release_id:
                return
            if len(self._afresh) > 10_000:
                self._afresh.clear()
            self._afresh[account] = release_id
            if shared and self.shared is not None:  # the shared windows too (once per release)
                self.shared.release(account, release_id)
        state = self.counters.get(account)
        if state is not None:
            state.usage = Usage()
            state.message_recipients.clear()
            state.decided.clear()
            state.limited_at = state.limited_since = 0.0
        self.limited.pop(account, None)
        self.recent.pop(account, None)  # the behaviour's last hour (and probation) too
        self.risk.pop(account, None)

    def apply_override(self, account: str, override: Override | None) -> None:
        if override is None:
            self.overrides.pop(account, None)
        else:
            self.overrides[account] = override
        self._limits_cache.pop(account, None)

    async def write_unflushed_suspension(self, account: str) -> None:
        if account in self.unflushed.suspensions:  # an automatic suspension not flushed yet
            await self.flush(save_baselines=False)  # the suspension, not the baselines

    def unwritten_auto_suspension(self, account: str, now: float) -> bool:
        state = self.counters.get(account)
        return state is not None and state.is_suspended(now) and state.suspension.by == "auto"

    # --- behaviour state from staff and imports (actions.LiveTarget) ------------------------

    def apply_permissions(self, account: str, permissions) -> None:
        """An account's travel/trust permissions (behaviour.Permissions), or None for none."""
        if permissions is None:
            self.permissions.pop(account, None)
        else:
            self.permissions[account] = permissions

    def clear_probation(self, account: str) -> None:
        recent = self.recent.get(account)
        if recent is not None:
            recent.clear_probation()
        self.risk.pop(account, None)

    def apply_baselines(self, blobs: dict[str, bytes]) -> None:
        """Baselines an import wrote; one learned here since the last save is merged with
        what the import wrote (BaselineTable.load)."""
        if self.baselines is None:
            return
        for account, blob in blobs.items():
            try:
                self.baselines.load(account, blob)
            except Exception as err:  # one bad blob must not stop the others
                log.error("baseline of %r not loaded: %s", account, err)

    def apply_complaints(self, account: str, count: int) -> None:
        """How many complaints the account had within [complaints] window (a behaviour signal)."""
        if count > 0:
            self.complaint_counts[account] = count
        else:
            self.complaint_counts.pop(account, None)

    @property
    def synced_audit_id(self) -> int:
        """The newest audit entry the live state has applied (health answers it to the command line)."""
        return self.audit_sync.synced_id
