"""The running enforcement state shared by the policy server and the HTTP API.

One asyncio loop runs both fronts. The policy path (``handle``) touches only memory and
never waits on the database; counts, new accounts, alerts and automatic suspensions go
into a write-behind batch that a flusher writes every ``[storage] flush_interval``
seconds and on shutdown. Staff actions go the other way: the store (with its audit
entry) first, then the live state. A sync loop reads the audit log for actions taken
elsewhere (the ``fumidai account`` command, another node) and reloads those accounts.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from dataclasses import dataclass, field, replace
from typing import Callable

from ..config import Settings
from ..counters.memory import MemoryCounters
from ..policy import Engine, Limits, Override, Request, Suspension, effective_limits
from ..policy.engine import UNKNOWN_COUNTRY
from ..policy.limits import Action
from ..tasks import cancel_and_wait
from . import views
from .clock import to_datetime, to_epoch

log = logging.getLogger("fumidai.service")

ALERT_REPEAT = 3600.0  # the same account and reason alert again after this many seconds
TOUCH_EVERY = 60.0  # an account's last-seen time is written at most this often
FULL_GC_EVERY = 3600.0  # real seconds between full garbage collections (see _freeze_heap)
_ALERT_KINDS = {Action.REJECT: "quota_reject", Action.DEFER: "defer", Action.HOLD: "hold", Action.FILTER: "filter"}


@dataclass
class Pending:
    """What the policy path produced since the last flush."""

    buckets: dict[tuple[str, int, str], list[int]] = field(default_factory=dict)
    seen: dict[str, float] = field(default_factory=dict)
    alerts: list[dict] = field(default_factory=list)
    suspensions: dict[str, Suspension] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.buckets or self.seen or self.alerts or self.suspensions)

    def merge(self, newer: Pending) -> None:
        """Put a batch that failed to write back in front of what came since."""
        for key, cell in newer.buckets.items():
            old = self.buckets.setdefault(key, [0, 0, 0, 0])
            for i in range(4):
                old[i] += cell[i]
        for k, v in newer.seen.items():
            self.seen[k] = max(v, self.seen.get(k, 0.0))
        self.alerts.extend(newer.alerts)
        self.suspensions.update(newer.suspensions)


def _freeze_heap(full: bool = False) -> None:
    """Keep the cyclic garbage collector off the accounts' state.

    The live state is a large, long-lived, acyclic heap: Python's automatic full
    collection walks all of it (0.5–0.8 s with 100,000 accounts active, stalling every
    policy answer) and frees nothing. So after each flush the young generations are
    collected (milliseconds) and the survivors frozen out of the collector's sight. A
    cycle that turns into garbage only after being frozen would stay; the full
    collection once an hour (``full``) takes care of those.
    """
    if full:
        gc.unfreeze()
        gc.collect()
    else:
        gc.collect(1)
    gc.freeze()


def override_from_row(row) -> Override:
    return Override(
        limits=dict(row.limits or {}),
        home_countries=frozenset(row.home_countries) if row.home_countries else None,
        abroad=dict(row.abroad) if row.abroad is not None else None,
        countries={k: dict(v or {}) for k, v in row.countries.items()} if row.countries is not None else None,
        expires_at=to_epoch(row.expires_at),
        set_by=row.set_by or "",
        reason=row.reason or "",
    )


class Service:
    # The request attributes the policy path reads: the policy server parses only these.
    ATTRIBUTES = ("sasl_username", "protocol_state", "client_address", "recipient_count", "instance", "recipient")

    def __init__(self, settings: Settings, clock: Callable[[], float] | None = None, geo=None, store=None,
                 manage_gc: bool = False) -> None:
        self.settings = settings
        self.clock = clock or time.time
        # Only the process that is the server tunes the garbage collector (see _freeze_heap):
        # collecting from this loop's thread in a process with Qt objects would free them here.
        self.manage_gc = manage_gc
        self.engine = Engine(
            settings.actions.texts(),
            unknown_is_abroad=settings.geoip.unknown_country == "abroad",
        )
        self.defaults: Limits = settings.default_limits()
        self.unauthenticated = settings.policy.unauthenticated
        self.on_error = settings.policy.on_error
        self.counters = MemoryCounters()
        self.overrides: dict[str, Override] = {}
        self.homes: dict[str, frozenset[str]] = {}
        self._limits_cache: dict[str, Limits] = {}
        self.suspended: set[str] = set()
        self.limited: dict[str, float] = {}  # account -> when it last hit a limit
        self.pending = Pending()
        self._last_alert: dict[tuple[str, str], float] = {}
        self._touched: dict[str, float] = {}  # when each account's last_seen_at was last queued
        self.geo = geo
        self.store = store
        self.outbox = None
        # With [counters] backend = "redis": shares counts and automatic suspensions with the
        # other policy servers (counters/redis.py); None on a single node.
        self.replicator = None
        self.metrics = None  # an api.metrics.Metrics when the API is served
        self.synced_audit_id = 0
        self.last_flush = 0.0
        self.flush_errors = 0
        self._tasks: list[asyncio.Task] = []
        self._stopping: asyncio.Event | None = None  # created in start(), on the loop

    # --- life cycle -----------------------------------------------------------------

    def open_resources(self) -> None:
        """Open the GeoIP database and the store (errors here stop start-up with one line)."""
        if self.geo is None:
            from ..geo.lookup import GeoLookup

            self.geo = GeoLookup(self.settings.geoip.database, self.settings.geoip.cache_size)
        if self.store is None:
            from ..store import Store

            self.store = Store(self.settings.storage.url)
            self.store.ensure_schema()
        if self.outbox is None:
            from ..notices.outbox import Outbox

            self.outbox = Outbox(self.settings, self.store, self.clock)
        if self.replicator is None and self.settings.counters.backend == "redis":
            from ..counters.redis import RedisReplicator

            self.replicator = RedisReplicator(self.settings.counters)

    async def start(self) -> None:
        self.open_resources()
        await asyncio.to_thread(self._load)
        if self.manage_gc:
            _freeze_heap(full=True)
        if self.replicator is not None:
            await self.replicator.start(self.apply_remote_count, self.apply_remote_suspension)
        self._stopping = asyncio.Event()
        self._tasks = [
            asyncio.create_task(self._flush_loop(), name="fumidai-flush"),
            asyncio.create_task(self._sync_loop(), name="fumidai-sync"),
            asyncio.create_task(self.outbox.run(self._stopping), name="fumidai-notices"),
        ]

    async def stop(self) -> None:
        if self._stopping is not None:
            self._stopping.set()
        if self.replicator is not None:
            await self.replicator.stop()
        await cancel_and_wait(self._tasks, log)
        self._tasks = []
        await self.flush()

    def _load(self) -> None:
        """Rebuild the live state from the store: suspensions, overrides, the last day's counts."""
        from ..store import repo

        now = self.clock()
        minute = int(now // 60)
        with self.store.session() as s:
            for account, row in repo.active_suspensions(s, to_datetime(now)).items():
                self._set_suspension(account, Suspension(row.by, row.reason, to_epoch(row.since), to_epoch(row.until)))
            for account, row in repo.active_overrides(s, to_datetime(now)).items():
                self.overrides[account] = override_from_row(row)
            n = self.counters.replay(repo.recent_buckets(s, minute - 1440), minute)
            self._load_homes(s)
            self.synced_audit_id = repo.newest_audit_id(s)
        log.info(
            "loaded %d suspensions, %d overrides, %d count buckets",
            len(self.suspended), len(self.overrides), n,
        )

    # --- the policy path ------------------------------------------------------------

    def limits_for(self, account: str, now: float) -> Limits:
        o = self.overrides.get(account)
        home = self.homes.get(account)
        if o is None and home is None:
            return self.defaults
        if o is not None and not o.active(now):
            del self.overrides[account]
            self._limits_cache.pop(account, None)
            o = None
        lim = self._limits_cache.get(account)
        if lim is None:
            base = self.defaults if home is None else replace(self.defaults, home_countries=home)
            lim = self._limits_cache[account] = effective_limits(base, o, now)
        return lim

    def _load_homes(self, s) -> None:
        """The home countries of accounts that have their own (from `fumidai account import`)."""
        from ..store import repo

        # Only homes that differ from the defaults, each distinct set kept once: an ISP may
        # import a million accounts, nearly all at home in the default country.
        default = self.defaults.home_countries
        distinct: dict[frozenset[str], frozenset[str]] = {}
        homes = {}
        for account, h in repo.account_homes(s).items():
            fs = frozenset(h)
            if fs and fs != default:
                homes[account] = distinct.setdefault(fs, fs)
        self.homes = homes
        self._limits_cache.clear()

    def handle(self, attrs: dict[str, str]) -> str:
        """Answer one policy request. Never raises: trouble answers ``[policy] on_error``."""
        started = time.perf_counter()
        try:
            account = attrs.get("sasl_username")
            if not account:
                action = self.unauthenticated
            else:
                action = self._decide(account, attrs)
        except Exception:
            log.exception("policy request failed; answering %s", self.on_error)
            action = self.on_error
        if self.metrics is not None:
            self.metrics.observe_decision(action, time.perf_counter() - started)
        return action

    def _decide(self, account: str, attrs: dict[str, str]) -> str:
        now = self.clock()
        stage = attrs.get("protocol_state", "")
        state = self.counters.states.get(account)
        if state is None:
            state = self.counters.state(account)
        # From here on the account is the string object every table was keyed with: a dict
        # lookup then matches it by identity instead of reading another copy's text (with
        # 100,000 accounts that copy is a cache miss per table).
        account = state.name
        if stage == "RCPT" and state.suspension is None:
            # Most requests: one per recipient, remembered for the message and counted at DATA.
            return self.engine.rcpt(state, self.limits_for(account, now), attrs.get("instance", ""),
                                    attrs.get("recipient", ""))
        client = attrs.get("client_address", "")
        # The country matters where something is counted: DATA/END-OF-MESSAGE, or any refusal
        # of a suspended account.
        country = self.geo.country(client) if self.geo is not None else UNKNOWN_COUNTRY
        try:
            count = int(attrs.get("recipient_count") or 0)
        except ValueError:
            count = 0
        req = Request(account, stage.upper(), attrs.get("instance", ""), attrs.get("recipient", ""), count, client, country)
        d = self.engine.decide(req, state, self.limits_for(account, now), now)
        if d.messages or d.recipients:
            minute = int(now // 60)
            self.counters.record(minute, account, country, d.messages, d.recipients, d.accepted)
            cell = self.pending.buckets.get((account, minute, country))
            if cell is None:
                cell = self.pending.buckets[(account, minute, country)] = [0, 0, 0, 0]
            if d.accepted:
                cell[0] += d.messages
                cell[1] += d.recipients
            else:
                cell[2] += d.messages
                cell[3] += d.recipients
            if now - self._touched.get(account, -TOUCH_EVERY) >= TOUCH_EVERY:
                self._touched[account] = now
                self.pending.seen[account] = now
            if self.replicator is not None:
                self.replicator.publish_count(account, minute, country, d.messages, d.recipients, d.accepted)
        if d.suspension is not None:
            if self.replicator is not None:
                self.replicator.publish_suspension(account, d.suspension.reason, d.suspension.since)
            self.suspended.add(account)
            self.pending.suspensions[account] = d.suspension
            self._alert(now, account, "auto_suspend", d.reason, country, force=True)
            if self.metrics is not None:
                self.metrics.observe_suspension("auto")
            log.warning("account %r suspended automatically: %s", account, d.reason)
        elif d.applied is not None or (d.reason and d.reason != "suspended" and d.messages):
            self.limited[account] = now
            kind = "cap" if d.reason.startswith(("abroad:", "country:")) else _ALERT_KINDS.get(d.applied, "quota_reject")
            self._alert(now, account, kind, d.reason, country)
        return d.action

    def _alert(self, now: float, account: str, kind: str, reason: str, country: str, force: bool = False) -> None:
        key = (account, reason)
        last = self._last_alert.get(key)
        if not force and last is not None and now - last < ALERT_REPEAT:
            return
        self._last_alert[key] = now
        self.pending.alerts.append({"at": to_datetime(now), "account": account, "kind": kind, "reason": reason, "country": country})

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

    # --- write-behind -----------------------------------------------------------------

    async def _flush_loop(self) -> None:
        interval = self.settings.storage.flush_interval
        next_tidy = time.monotonic() + self.settings.storage.tidy_interval
        next_full_gc = time.monotonic() + FULL_GC_EVERY
        while True:
            await asyncio.sleep(interval)
            await self.flush()
            now = time.monotonic()
            if now >= next_tidy:
                next_tidy = now + self.settings.storage.tidy_interval
                await self.tidy()
            if self.manage_gc:
                full = now >= next_full_gc
                if full:
                    next_full_gc = now + FULL_GC_EVERY
                _freeze_heap(full)

    async def tidy(self) -> None:
        """Forget what no longer matters: idle accounts' state, old alert marks, old history."""
        from ..store import repo

        now = self.clock()
        minute = int(now // 60)
        dropped = self.counters.prune(minute)
        for key, at in list(self._last_alert.items()):
            if now - at >= ALERT_REPEAT:
                del self._last_alert[key]
        views.limited_accounts(self, now)  # drops the limit marks older than LIMITED_FOR
        for account, at in list(self._touched.items()):
            if now - at >= TOUCH_EVERY:
                del self._touched[account]
        for account in [a for a in self.overrides if not self.overrides[a].active(now)]:
            del self.overrides[account]
            self._limits_cache.pop(account, None)
        oldest = minute - self.settings.storage.history_days * 1440
        try:
            removed = await self._in_tx(lambda s: repo.delete_buckets_before(s, oldest))
        except Exception as err:
            log.error("could not remove old history: %s", err)
            removed = 0
        if dropped or removed:
            log.info("tidied: %d idle accounts forgotten, %d old count buckets removed", dropped, removed)

    async def flush(self) -> None:
        """Write what the policy path produced; on failure keep it for the next round."""
        batch, self.pending = self.pending, Pending()
        if self.metrics is not None:
            self.metrics.set_flush_lag(time.time() - self.last_flush if self.last_flush else 0.0, len(batch.buckets))
        if not batch:
            self.last_flush = time.time()
            return
        try:
            await asyncio.to_thread(self._write, batch)
            self.last_flush = time.time()
        except Exception as err:
            self.flush_errors += 1
            log.error("could not write counts to the store (will retry): %s", err)
            batch.merge(self.pending)
            self.pending = batch

    def _write(self, batch: Pending) -> None:
        from ..store import repo

        with self.store.session() as s:
            if batch.seen:
                repo.touch_accounts(s, {a: to_datetime(t) for a, t in batch.seen.items()})
            if batch.buckets:
                repo.add_buckets(s, [(a, m, c, *cell) for (a, m, c), cell in batch.buckets.items()])
            for account, susp in batch.suspensions.items():
                if account in self.suspended:  # staff may have released it before this flush
                    repo.record_auto_suspension(s, account, susp.reason, now=to_datetime(susp.since))
            if batch.alerts:
                repo.add_alerts(s, batch.alerts)

    # --- actions from staff -------------------------------------------------------------

    def _set_suspension(self, account: str, susp: Suspension | None) -> None:
        state = self.counters.state(account)
        state.suspension = susp
        if susp is None:
            self.suspended.discard(account)
            self.pending.suspensions.pop(account, None)
        else:
            self.suspended.add(account)

    def _apply_stored(self, account: str, srow, orow, now: float) -> None:
        """Make the live state of one account match its stored suspension and override."""
        if srow is not None:
            self._set_suspension(account, Suspension(srow.by, srow.reason, to_epoch(srow.since), to_epoch(srow.until)))
        elif account not in self.pending.suspensions:  # an automatic one not yet flushed stays
            self._set_suspension(account, None)
        self._limits_cache.pop(account, None)
        if orow is not None and (orow.expires_at is None or to_epoch(orow.expires_at) > now):
            self.overrides[account] = override_from_row(orow)
        else:
            self.overrides.pop(account, None)

    async def suspend(self, account: str, actor: str, reason: str, until=None) -> int:
        """Stop the account's sending: stored with its audit entry first, then live."""
        from ..store import repo

        now = self.clock()
        audit_id = await self._in_tx(lambda s: repo.suspend(s, account, actor, reason, until, to_datetime(now)))
        self._set_suspension(account, Suspension(actor, reason, now, to_epoch(until)))
        return audit_id

    async def release(self, account: str, actor: str, reason: str) -> int:
        from ..store import repo

        now = self.clock()
        if account in self.pending.suspensions:  # an automatic suspension not flushed yet
            await self.flush()
        try:
            audit_id = await self._in_tx(lambda s: repo.release(s, account, actor, reason, to_datetime(now)))
        except repo.Conflict:
            state = self.counters.get(account)
            if state is None or not state.is_suspended(now) or state.suspension.by != "auto":
                raise
            # Another policy server suspended it and has not written it yet: wait for its flush.
            await asyncio.sleep(self.settings.storage.flush_interval * 2)
            audit_id = await self._in_tx(lambda s: repo.release(s, account, actor, reason, to_datetime(self.clock())))
        self._set_suspension(account, None)
        return audit_id

    async def set_override(self, account: str, actor: str, override: Override, reason: str) -> int:
        from ..store import repo

        now = self.clock()
        o = override
        audit_id = await self._in_tx(lambda s: repo.set_override(
            s, account, actor, reason,
            limits=dict(o.limits),
            home_countries=sorted(o.home_countries) if o.home_countries is not None else None,
            abroad=dict(o.abroad) if o.abroad is not None else None,
            countries={k: dict(v) for k, v in o.countries.items()} if o.countries is not None else None,
            expires_at=to_datetime(o.expires_at),
            now=to_datetime(now),
        ))
        self.overrides[account] = replace(o, set_by=actor, reason=reason)
        self._limits_cache.pop(account, None)
        return audit_id

    async def clear_override(self, account: str, actor: str, reason: str) -> int:
        from ..store import repo

        now = self.clock()
        audit_id = await self._in_tx(lambda s: repo.clear_override(s, account, actor, reason, to_datetime(now)))
        self.overrides.pop(account, None)
        self._limits_cache.pop(account, None)
        return audit_id

    async def _in_tx(self, work):
        def run():
            with self.store.session() as s:
                return work(s)

        return await asyncio.to_thread(run)

    # --- sync with actions taken elsewhere ------------------------------------------------

    async def _sync_loop(self) -> None:
        while True:
            await asyncio.sleep(0.5)
            try:
                await self.sync()
            except Exception as err:
                log.error("could not read the audit log: %s", err)

    async def sync(self) -> None:
        from ..store import repo

        def read():
            with self.store.session() as s:
                entries = repo.audit_after(s, None, self.synced_audit_id, 1000)
                if any(e.action == "import" for e in entries):
                    self._load_homes(s)
                return [(e.id, e.account) for e in entries]

        entries = await asyncio.to_thread(read)
        accounts = {a for _, a in entries if a}
        if accounts:
            def reload():
                with self.store.session() as s:
                    return {a: (repo.active_suspension(s, a, to_datetime(self.clock())), repo.get_override(s, a)) for a in accounts}

            rows = await asyncio.to_thread(reload)
            now = self.clock()
            for account, (srow, orow) in rows.items():
                self._apply_stored(account, srow, orow, now)
        if entries:
            self.synced_audit_id = max(self.synced_audit_id, max(i for i, _ in entries))

    # --- live reads (call on the loop thread) ---------------------------------------------

    def overview(self, window_s: int = 60, limit: int = 50) -> dict:
        return views.overview(self, window_s, limit)

    def countries(self, window_s: int = 3600) -> list[dict]:
        return views.countries(self, window_s)

    def account_rows(self, names: list[str], window_s: int = 60) -> list[dict]:
        return views.account_rows(self, names, window_s)

    async def ranked_rows(self, window_s: int = 60, sort: str = "-rate", status: str = "active", country: str = "",
                          q: str = "", limit: int = 100, offset: int = 0, chunk: int = 200) -> tuple[int, list[dict]]:
        """(total, page of rows) of live accounts, filtered, sorted and paged (views.ranked_names);
        the rows are built in chunks, letting policy requests in between."""
        total, names, cells = views.ranked_names(self, window_s, sort, status, country, q, limit, offset)
        rows = []
        for start in range(0, len(names), chunk):
            if start:
                await asyncio.sleep(0)
            now = self.clock()
            rows.extend(views.account_row(self, a, now, window_s, cells) for a in names[start:start + chunk])
        return total, rows

    def account_live(self, account: str) -> dict:
        return views.account_live(self, account)

    def series(self, account: str, window_s: int = 3600, step_s: int = 60) -> dict:
        return views.series(self, account, window_s, step_s)

    def is_known_live(self, account: str) -> bool:
        return account in self.counters.states or account in self.overrides
