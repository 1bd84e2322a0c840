"""The running enforcement state shared by the policy server and the HTTP API.

One asyncio loop runs both fronts. The policy path (``handle``) touches only memory and
never waits on the database; counts, new accounts, alerts and automatic suspensions go
into a write-behind batch that a flusher writes every ``[storage] flush_interval``
seconds and on shutdown (through store.live_store). Staff actions go the other way
(actions.StaffActions): the store (with its audit entry) first, then the live state
through the methods of actions.LiveTarget. A sync loop reads the audit log for actions
taken elsewhere (the ``fumidai account`` command, another node) and reloads those accounts.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from typing import Callable

from ..behaviour import NO_PERMISSIONS, BaselineTable, BehaviourEngine, Recent, RecipientHasher
from ..config import Settings
from ..notices.reasons import behaviour_reason_code
from ..counters.memory import MemoryCounters
from ..policy import Engine, Limits, Override, Request, effective_limits
from ..policy.engine import COUNTING_STAGES, UNKNOWN_COUNTRY
from ..policy.limits import Action
from ..tasks import cancel_and_wait
from .alerts import ALERT_REPEAT, AlertQueue, risk_detail  # noqa: F401 (ALERT_REPEAT, risk_detail: their old home)
from .behaviour_sharing import SharedBehaviour
from .durable import DurableSuspensions
from .flusher import TOUCH_EVERY, WriteBehind
from .live_updates import LiveUpdates
from .sync import AuditSync
from .views import LiveReads
from .writebehind import WriteBatch, StoreWriter, freeze_heap

log = logging.getLogger("fumidai.service")

_ALERT_KINDS = {Action.REJECT: "quota_reject", Action.DEFER: "defer", Action.HOLD: "hold", Action.FILTER: "filter"}
# What a behaviour tier asks of the engine (the lower tiers only alert).
_RISK_ACTIONS = {"hold": Action.HOLD, "filter": Action.FILTER, "suspend": Action.SUSPEND}


class Service(LiveUpdates, DurableSuspensions, AlertQueue, WriteBehind, LiveReads):
    """The live state: its fields, its life cycle and the policy path. Its other jobs are parts
    in their own modules, mixed in here because they share these fields: live_updates.py (what
    other nodes, staff and the audit sync change), durable.py (automatic suspensions stored
    before they are answered), alerts.py (alert queueing), flusher.py (write-behind, tidy-up),
    views.py (the read queries)."""

    # The request attributes the policy path reads: the policy server parses only these.
    ATTRIBUTES = ("sasl_username", "protocol_state", "client_address", "recipient_count", "instance", "recipient")

    def __init__(self, settings: Settings, clock: Callable[[], float] | None = None, geo=None, store=None,
                 manage_gc: bool = False) -> None:
        self.settings = settings
        self.clock = clock or time.time
        # Only the process that is the server tunes the garbage collector (see writebehind.freeze_heap):
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
        # Which accounts are suspended: an index over AccountState.suspension (the one fact), so
        # reads need not walk every account; LiveReads.suspended_now drops what has ended.
        self.suspended_index: set[str] = set()
        self.limited: dict[str, float] = {}  # account -> when it last hit a limit
        self.unflushed = WriteBatch()
        self._last_alert: dict[tuple[str, str], float] = {}
        self._touched: dict[str, float] = {}  # when each account's last_seen_at was last queued
        self.geo = geo
        self.store = store
        self.stored = None  # store.live_store.LiveStore: what the live state keeps in the store
        # With [counters] backend = "redis": shares counts and automatic suspensions with the
        # other policy servers (counters/redis.py); None on a single node.
        self.replicator = None
        # With [counters] shared_quota (and Redis): counted messages decided in Redis (service/shared.py).
        self.shared = None
        self.shared_behaviour = None  # behaviour_sharing.SharedBehaviour: with Redis, baselines and cohorts
        self.metrics = None  # an api.metrics.Metrics when the API is served
        self.audit_sync = AuditSync(self)
        # Behaviour analysis (fumidai.behaviour; [behaviour] enabled): the engine, every account's
        # baseline, the last hour of each active account (with its probation), travel/trust
        # permissions, and complaints counted in [complaints] window. All None/empty when off.
        self.behaviour = None  # behaviour.BehaviourEngine
        self.baselines = None  # behaviour.BaselineTable
        self.recent: dict = {}  # account -> behaviour.Recent
        self.permissions: dict = {}  # account -> behaviour.Permissions
        self.complaint_counts: dict[str, int] = {}
        self.risk: dict = {}  # account -> (at, behaviour.Verdict) of its latest message that was not clean
        if settings.behaviour.enabled:
            cfg = settings.behaviour.config()
            self.behaviour = BehaviourEngine(cfg, home_countries=frozenset(settings.geoip.home_countries))
            self.baselines = BaselineTable(cfg)
        # PREPENDs the trace header at DATA (reputation.trace.Tracer; [complaints] trace_header).
        self.tracer = None
        self._afresh: dict[str, int] = {}  # account -> the release (audit id) its windows last started afresh at
        # Automatic suspensions being stored (account -> the write): their refusals wait for it.
        self._durable: dict[str, asyncio.Task] = {}
        self.last_flush = 0.0
        self.flush_errors = 0
        self.writer: StoreWriter | None = None  # made with the store (open_resources / first flush)
        self._flush_lock = asyncio.Lock()
        self._tasks: list[asyncio.Task] = []
        self._stopping: asyncio.Event | None = None  # created in start(), on the loop

    # --- life cycle -----------------------------------------------------------------

    def open_resources(self) -> None:
        """Open the GeoIP database and the store (errors here stop start-up with one line)."""
        if self.geo is None:
            from ..geo.lookup import GeoLookup

            geoip = self.settings.geoip
            self.geo = GeoLookup(geoip.database, geoip.cache_size, geoip.internal_networks)
        if self.store is None:
            from ..store import Store

            self.store = Store(self.settings.storage.url)
            self.store.ensure_schema()
        if self.stored is None:
            from ..store.live_store import LiveStore

            self.stored = LiveStore(self.store)
        if self.replicator is None and self.settings.counters.backend == "redis":
            from ..counters.redis import RedisReplicator

            self.replicator = RedisReplicator(self.settings.counters, is_account=self._is_account, clock=self.clock)
        if self.shared is None and self.replicator is not None and self.settings.counters.shared_quota:
            from ..counters.shared_quota import SharedQuota
            from .shared import SharedEnforcement

            self.shared = SharedEnforcement(self, SharedQuota(self.settings.counters, self.replicator.node,
                                                              self._is_account, self.clock))

    def _is_account(self, name: str) -> bool:
        """Whether a name read from Redis is an account name as this node spells them ([policy] account_names)."""
        from ..policy.names import canonical_account

        policy = self.settings.policy
        realms = frozenset(r.strip().lstrip("@").casefold() for r in policy.strip_realms)
        return isinstance(name, str) and canonical_account(name, policy.account_names, realms) == name

    async def start(self) -> None:
        self.open_resources()
        await asyncio.to_thread(self._load)
        if self.manage_gc:
            freeze_heap(full=True)
        if self.replicator is not None:
            await self.replicator.start(self.apply_remote_count, self.apply_remote_suspension)
            self.shared_behaviour = await SharedBehaviour.start(self)
        if self.shared is not None:
            await self.shared.start()
        self._stopping = asyncio.Event()
        self._tasks = [
            asyncio.create_task(self._flush_loop(), name="fumidai-flush"),
            asyncio.create_task(self.audit_sync.run(), name="fumidai-sync"),
        ]

    async def stop(self) -> None:
        if self._stopping is not None:
            self._stopping.set()
        if self.shared is not None:
            await self.shared.stop()
        if self.shared_behaviour is not None:
            await self.shared_behaviour.stop()
        if self.replicator is not None:
            await self.replicator.stop()
        await cancel_and_wait(self._tasks, log)
        self._tasks = []
        await self.flush()

    def _load(self) -> None:
        """Rebuild the live state from the store: suspensions, overrides, the last day's counts."""
        now = self.clock()
        minute = int(now // 60)
        loaded = self.stored.load(now, minute - 1440, lambda rows: self.counters.replay(rows, minute))
        for account, susp in loaded.suspensions.items():
            self._set_suspension(account, susp)
        self.overrides.update(loaded.overrides)
        self.set_homes(loaded.homes)
        self.audit_sync.start_at(loaded.newest_audit_id, loaded.recent_audit_ids)
        if self.behaviour is not None:
            self.engine.recipient_hash = RecipientHasher(self.stored.recipient_hash_key()).cached()
            n, self.permissions = self.stored.load_behaviour(now, self.baselines.load)
            log.info("loaded %d baselines, %d accounts with travel/trust permissions", n, len(self.permissions))
        log.info(
            "loaded %d suspensions, %d overrides, %d count buckets",
            len(self.suspended_index), len(self.overrides), loaded.replayed_buckets,
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

    def set_homes(self, stored: dict[str, list[str]]) -> None:
        """The home countries of accounts that have their own (from `fumidai account import`)."""
        # Only homes that differ from the defaults, each distinct set kept once: an ISP may
        # import a million accounts, nearly all at home in the default country.
        default = self.defaults.home_countries
        distinct: dict[frozenset[str], frozenset[str]] = {}
        homes = {}
        for account, h in stored.items():
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
            if action.__class__ is str:
                self.metrics.observe_decision(action, time.perf_counter() - started)
            else:  # answered when the store has the suspension
                action.add_done_callback(lambda f: self.metrics.observe_decision(
                    f.result() if not f.cancelled() and f.exception() is None else self.on_error,
                    time.perf_counter() - started))
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
        stage = stage.upper()
        instance = attrs.get("instance", "")
        req = Request(account, stage, instance, attrs.get("recipient", ""), count, client, country)
        limits = self.limits_for(account, now)
        verdict = None
        if (self.behaviour is not None and stage in COUNTING_STAGES and state.suspension is None
                and not (instance and instance in state.decided)):
            verdict = self._assess(now, state, req, limits)
        if self.shared is not None and stage in COUNTING_STAGES:
            return self.shared.decide(now, state, req, limits, verdict)  # one quota across nodes
        d = self.engine.decide(req, state, limits, now)
        return self._settle(now, account, country, stage, d, verdict)

    def _settle(self, now: float, account: str, country: str, stage: str, d, verdict):
        """Count, alert and answer a decision (for a message asked of Redis, once it answered)."""
        if d.messages or d.recipients:
            minute = int(now // 60)
            self.counters.record(minute, account, country, d.messages, d.recipients, d.accepted)
            cell = self.unflushed.buckets.get((account, minute, country))
            if cell is None:
                cell = self.unflushed.buckets[(account, minute, country)] = [0, 0, 0, 0]
            if d.accepted:
                cell[0] += d.messages
                cell[1] += d.recipients
            else:
                cell[2] += d.messages
                cell[3] += d.recipients
            if now - self._touched.get(account, -TOUCH_EVERY) >= TOUCH_EVERY:
                self._touched[account] = now
                self.unflushed.seen[account] = now
            if self.replicator is not None:
                self.replicator.publish_count(account, minute, country, d.messages, d.recipients, d.accepted)
        risky = None  # a verdict with reasons: its detail goes with the alerts (built only for one written)
        if verdict is not None and verdict.reasons:
            risky = verdict
            self._note_risk(now, account, verdict, country, d.reason.startswith("behaviour:"))
        if d.suspension is not None:
            if self.replicator is not None:
                self.replicator.publish_suspension(account, d.suspension.reason, d.suspension.since)
            if self.shared is not None:
                self.shared.auto_suspension(account, d.suspension)
            self.suspended_index.add(account)
            self._alert(now, account, "auto_suspend", d.reason, country, force=True, verdict=risky)
            if self.metrics is not None:
                self.metrics.observe_suspension("auto")
            log.warning("account %r suspended automatically: %s", account, d.reason)
            return self._stored_first(account, d.suspension, d.action)
        if d.applied is not None or (d.reason and d.reason != "suspended" and d.messages):
            self.limited[account] = now
            kind = "cap" if d.reason.startswith(("abroad:", "country:")) else _ALERT_KINDS.get(d.applied, "quota_reject")
            self._alert(now, account, kind, d.reason, country, verdict=risky)
        elif self._durable and d.reason == "suspended" and account in self._durable:
            return self._stored_first(account, None, d.action)  # refused before the suspension is stored: wait
        if stage == "DATA" and d.messages and d.action == "DUNNO" and self.tracer is not None:
            # Accepted mail carries the account's opaque trace token (complaints map back by it).
            return self.tracer.action(account) or "DUNNO"
        return d.action

    # --- behaviour analysis --------------------------------------------------------

    def _assess(self, now: float, state, req: Request, limits: Limits):
        """Judge one message against the account's baseline; set what the verdict asks of the engine."""
        account = req.account
        pending = state.message_recipients.get(req.instance) if req.instance else None
        hashes = tuple(pending) if pending else ()
        if req.recipient:
            hashes += (self.engine.recipient_hash(req.recipient),)
        recent = self.recent.get(account)
        if recent is None:
            recent = self.recent[account] = Recent()
        v = self.behaviour.message(now, account, self.baselines.get_or_create(account), recent, req.client_address,
                                   req.country, None, hashes, self.permissions.get(account, NO_PERMISSIONS),
                                   self.complaint_counts.get(account, 0), limits.home_countries)  # positional: cheaper
        if v.learned:
            self.baselines.touched(account)
            if self.shared_behaviour is not None and hashes:
                self.shared_behaviour.publish_learn(account, now, recent.network, req.country, hashes)
        req.vouched = v.vouched
        action = _RISK_ACTIONS.get(v.tier)
        if action is not None:
            req.risk = action
            req.risk_reason = behaviour_reason_code(v.reasons)  # a notice can say it in the owner's words
        return v
