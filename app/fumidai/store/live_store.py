"""What the live state keeps in the store: loaded at start, written behind, re-read on sync.

The service (service/core.py) calls these from threads; each method is one transaction and
speaks domain objects (policy.Suspension, policy.Override), never rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, NamedTuple

from ..policy import Override, Suspension
from . import repo
from .records import override_from_row, suspension_from_row, to_datetime, to_epoch

_JUST_BEFORE = timedelta(microseconds=1)  # load_baselines(since=) is exclusive
# How far below the newest audit entry at start one may still commit: more entries than all
# nodes write while one staff transaction is open.
AUDIT_TRAIL = 1000


class AuditEntry(NamedTuple):
    id: int
    account: str | None
    action: str
    actor: str
    after: Any = None  # only for the entries the sync reads it from (baseline_import)


@dataclass(frozen=True)
class Loaded:
    suspensions: dict[str, Suspension]
    overrides: dict[str, Override]
    homes: dict[str, list[str]]
    replayed_buckets: int
    newest_audit_id: int
    recent_audit_ids: tuple[int, ...] = ()  # the entries present above newest_audit_id - AUDIT_TRAIL


class LiveStore:
    def __init__(self, store: Any) -> None:
        self.store = store

    def load(self, now: float, since_minute: int, replay: Callable[[Iterator[repo.BucketRow]], int]) -> Loaded:
        """Active suspensions and overrides, the homes of accounts that have their own, and the
        count buckets since ``since_minute`` fed to ``replay`` (which returns how many it took)."""
        at = to_datetime(now)
        with self.store.session() as s:
            # The audit entries first: the state read after them reflects at least those, and an
            # entry still in flight (below the newest, committed later) is left to the sync.
            newest = repo.newest_audit_id(s)
            recent = tuple(repo.audit_ids_after(s, max(0, newest - AUDIT_TRAIL)))
            # Released accounts start afresh after their release: earlier counts are not replayed.
            # Counts are per minute, so the release's own minute goes too (what the owner sent in
            # that minute is forgiven rather than the hijacker's counts coming back).
            fresh = {a: int(to_epoch(t) // 60) for a, t in repo.releases_since(s, to_datetime(since_minute * 60.0)).items()}
            buckets = repo.recent_buckets(s, since_minute)
            if fresh:
                buckets = (b for b in buckets if b[1] > fresh.get(b[0], since_minute - 1))
            return Loaded(
                suspensions={a: suspension_from_row(r) for a, r in repo.active_suspensions(s, at).items()},
                overrides={a: override_from_row(r) for a, r in repo.active_overrides(s, at).items()},
                homes=repo.account_homes(s),
                replayed_buckets=replay(buckets),
                newest_audit_id=newest,
                recent_audit_ids=recent,
            )

    def write(self, seen: Mapping[str, float], buckets: Iterable[Sequence[Any]],
              auto_suspensions: Mapping[str, Suspension], alerts: Sequence[Mapping[str, Any]]) -> None:
        """One flush of the policy path's work: last-seen times, counts, automatic suspensions
        (each with its audit row), alerts."""
        with self.store.session() as s:
            if seen:
                repo.touch_accounts(s, {a: to_datetime(t) for a, t in seen.items()})
            buckets = list(buckets)
            if buckets:
                repo.add_buckets(s, buckets)
            for account, susp in auto_suspensions.items():
                repo.record_auto_suspension(s, account, susp.reason, to_datetime(susp.until), to_datetime(susp.since))
            if alerts:
                repo.add_alerts(s, alerts)

    @staticmethod
    def is_unavailable(err: BaseException) -> bool:
        """The store itself failed (down, unreachable, read-only, locked) rather than one row of
        the data: every row would fail alike, so the writer keeps them instead of setting them aside."""
        from sqlalchemy import exc

        return isinstance(err, (exc.OperationalError, exc.InterfaceError, exc.DisconnectionError, exc.TimeoutError))

    def write_auto_suspension(self, account: str, susp: Suspension) -> int:
        """An automatic suspension with its audit row, at once (before the refusal that shows it)."""
        with self.store.session() as s:
            return repo.record_auto_suspension(s, account, susp.reason, to_datetime(susp.until), to_datetime(susp.since))

    def write_auto_suspension_once(self, account: str, susp: Suspension) -> int | None:
        """As write_auto_suspension, unless the store already has a suspension of the account
        from that moment on (the node that made it stored it, or a release came after)."""
        with self.store.session() as s:
            if repo.suspended_since(s, account, to_datetime(susp.since - 1.0)):
                return None
            return repo.record_auto_suspension(s, account, susp.reason, to_datetime(susp.until), to_datetime(susp.since))

    # --- behaviour analysis -------------------------------------------------------------

    def recipient_hash_key(self) -> bytes:
        """The installation's secret for keyed recipient hashes (made on first use, shared by every node)."""
        from .baselines import recipient_hash_key

        with self.store.session() as s:
            return recipient_hash_key(s)

    def load_behaviour(self, now: float, feed: Callable[[str, bytes], None]) -> tuple[int, dict[str, Any]]:
        """Every stored baseline fed to ``feed``; (how many, the active permissions by account)."""
        from . import baselines

        n = 0
        with self.store.session() as s:
            for row in baselines.load_baselines(s):
                feed(row.account, row.blob)
                n += 1
            return n, baselines.as_permissions(baselines.active_permissions(s, to_datetime(now)))

    def write_baselines(self, blobs: Mapping[str, bytes]) -> None:
        """What this server learned (its own saves: not stamped for other readers, see upsert_baselines)."""
        from . import baselines

        with self.store.session() as s:
            baselines.upsert_baselines(s, blobs, restamp=False)

    def delete_buckets_before(self, minute: int) -> int:
        with self.store.session() as s:
            return repo.delete_buckets_before(s, minute)

    def audit_after(self, after_id: int, limit: int = 1000) -> tuple[list[AuditEntry], dict[str, list[str]] | None]:
        """The audit entries after ``after_id``, and every account's own homes if one of them is an import."""
        with self.store.session() as s:
            entries = [AuditEntry(e.id, e.account, e.action, e.actor,
                                  e.after if e.action == "baseline_import" else None)
                       for e in repo.audit_after(s, None, after_id, limit)]
            homes = repo.account_homes(s) if any(e.action == "import" for e in entries) else None
            return entries, homes

    def complaint_counts(self, accounts: Iterable[str], since: float) -> dict[str, int]:
        """Each account's complaints received after ``since`` (0 for none)."""
        from . import complaints

        accounts = list(accounts)
        with self.store.session() as s:
            counts = complaints.complaint_counts(s, to_datetime(since), accounts)
        return {a: counts.get(a, 0) for a in accounts}

    def stored_state(self, accounts: Iterable[str], now: float) -> dict[str, tuple[Suspension | None, Override | None]]:
        """Each account's active suspension and its override (expired or not), as stored."""
        at = to_datetime(now)
        out = {}
        with self.store.session() as s:
            for a in accounts:
                srow, orow = repo.active_suspension(s, a, at), repo.get_override(s, a)
                out[a] = (suspension_from_row(srow) if srow is not None else None,
                          override_from_row(orow) if orow is not None else None)
        return out

    def baselines_written(self, at: str) -> dict[str, bytes]:
        """The baselines an import wrote at ``at`` (its audit entry's ``after.written_at``) or later."""
        from datetime import datetime

        from .baselines import load_baselines

        since = datetime.fromisoformat(at)
        with self.store.session() as s:
            return {r.account: r.blob for r in load_baselines(s, since=since - _JUST_BEFORE)}

    def permissions_of(self, accounts: Iterable[str], now: float) -> dict[str, Any]:
        """Each account's active travel/trust permissions (behaviour.Permissions), or None."""
        from .baselines import as_permissions, get_permissions

        at = to_datetime(now)
        with self.store.session() as s:
            out: dict[str, Any] = dict.fromkeys(accounts)
            rows = [r for a in out for r in get_permissions(s, a) if r.expires_at > at]
            out.update(as_permissions(rows))
            return out
