"""The service's side of one quota across nodes (counters/shared_quota.py).

The node runs the engine as always (recipients per message, behaviour risk, its own view
of the counts); a counted message its own decision would accept is then asked of Redis
(one round trip) before it is answered: the policy server awaits the answer
(postfix/server.py ``_await_answer``). An "over" answer becomes the limit's action exactly
as the engine would have taken it (a suspension goes the durable ``_stored_first`` way), a
"suspended" answer a refusal; the local counts are corrected to match. Redis away: the
local decision stands (per-node quotas) and the node converges when Redis is back.

Suspension changes: staff suspensions and releases are written to Redis by the node that
made them (a release starts the shared windows afresh, once per release id), automatic ones
by the script itself; every change is published and applied here to the local copy that
MAIL and RCPT are answered from. An automatic suspension published by a node that then died
before storing it is stored by one of the others (a Redis lock picks which).
"""

from __future__ import annotations

import asyncio
import logging
import time

from ..counters.shared_quota import Over, SharedQuota, SharedSuspension
from dataclasses import replace

from ..policy import Suspension
from ..policy.engine import INTERNAL_COUNTRY, LIMITED_FOR, UNKNOWN_COUNTRY
from ..policy.limits import Action, Cap, Quota

log = logging.getLogger("fumidai.service")

STORE_GRACE = 1.0  # seconds the suspending node has to store its suspension before others do
# An automatic suspension learned from Redis is kept this long even if the store does not show
# it yet (its node is storing it, or died before: then one of the others stores it).
HOLD_UNSTORED = STORE_GRACE + 5.0
_SEVERITY = {Action.FILTER: 1, Action.HOLD: 2, Action.DEFER: 3, Action.REJECT: 4, Action.SUSPEND: 5}


class SharedEnforcement:
    def __init__(self, service, quota: SharedQuota) -> None:
        self.service = service
        self.quota = quota
        quota.on_suspension = self.on_suspension
        quota.on_release = self.on_release
        quota.seed_source = self.seed_cells
        quota.suspension_source = self.known_suspensions
        self.releasing: dict[str, asyncio.Task] = {}  # account -> its release being written to Redis
        self._tasks: set[asyncio.Task] = set()
        self._relaxed: dict[int, tuple] = {}  # id(limits) -> (limits, local_limits(limits))
        self._learned: dict[str, float] = {}  # account -> when an automatic suspension came from Redis
        self.overruled = 0  # local accepts Redis turned down

    async def start(self) -> None:
        await self.quota.start()

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await self.quota.close()

    def _spawn(self, coro) -> None:
        try:
            task = asyncio.get_running_loop().create_task(coro)
        except RuntimeError:  # off the loop (a test driving handle() directly)
            coro.close()
            return
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- the policy path ----------------------------------------------------------------------

    def decide(self, now: float, state, req, limits, verdict):
        """A DATA / END-OF-MESSAGE request: the engine without the shared limits, then Redis.

        The account quota and the caps are left to Redis while it answers: the node's own view
        counts messages still waiting for their answer and would refuse too early."""
        service = self.service
        if not self.quota.available:  # Redis away: this node's counts decide, and are kept for later
            d = service.engine.decide(req, state, limits, now)
            if d.messages and d.accepted:
                self.quota.keep(state.name, int(now // 60), req.country, d.recipients, self._vouched(req, limits))
            return service._settle(now, state.name, req.country, req.stage, d, verdict)
        d = service.engine.decide(req, state, self.local_limits(limits), now)
        if not (d.messages and d.accepted):
            return service._settle(now, state.name, req.country, req.stage, d, verdict)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # off the loop (a test driving handle() directly): this node decides
            self._alone(now, int(now // 60), state, req, limits, d, self._vouched(req, limits))
            return service._settle(now, state.name, req.country, req.stage, d, verdict)
        return loop.create_task(self._ask(now, state, req, limits, d, verdict))

    def local_limits(self, limits):
        """``limits`` less what Redis decides (the account quota but per message, the caps)."""
        relaxed = self._relaxed.get(id(limits))
        if relaxed is None or relaxed[0] is not limits:
            if len(self._relaxed) > 10_000:
                self._relaxed.clear()
            a = limits.account
            relaxed = self._relaxed[id(limits)] = (limits, replace(
                limits, account=Quota(recipients_per_message=a.recipients_per_message,
                                      unique_recipients_per_day=a.unique_recipients_per_day),
                abroad=Cap(Quota(), limits.abroad.on_limit),
                countries={cc: Cap(Quota(), cap.on_limit) for cc, cap in limits.countries.items()}))
        return relaxed[1]

    def _vouched(self, req, limits) -> bool:
        engine = self.service.engine
        return bool(req.vouched and (engine.is_abroad(req.country, limits) or req.country in limits.countries))

    def caps_for(self, req, limits) -> list[tuple[str, str, str, object]]:
        """The caps that apply to this message, as the engine picks them (policy.engine._check)."""
        engine, country = self.service.engine, req.country
        caps = []
        if not req.vouched and limits.abroad.limiting and engine.is_abroad(country, limits):
            home = set(limits.home_countries) | {INTERNAL_COUNTRY}
            if not engine.unknown_is_abroad:
                home.add(UNKNOWN_COUNTRY)
            caps.append(("abroad", str(limits.abroad.on_limit), "!" + ",".join(sorted(home)), limits.abroad.quota))
        cap = limits.countries.get(country) if not req.vouched else None
        if cap is not None:
            caps.append((f"country:{country}", str(cap.on_limit), "=" + country, cap.quota))
        return caps

    async def _ask(self, now, state, req, limits, d, verdict) -> str:
        account, country = state.name, req.country
        minute = int(now // 60)
        release = self.releasing.get(account)
        if release is not None:  # a release being written: this message counts in the fresh windows
            await asyncio.wait([release])
        vouched = self._vouched(req, limits)
        answer = await self.quota.decide(account, minute, now, country, d.recipients, vouched, limits.account,
                                         str(self.service.engine.texts.on_limit), self.caps_for(req, limits))
        if isinstance(answer, SharedSuspension):
            self._suspended_elsewhere(now, minute, state, req, d, vouched, answer)
        elif isinstance(answer, Over):
            if answer.action:
                self._overrule(now, minute, state, req, d, vouched, answer)
        else:  # Redis did not answer: the full limits on this node's counts
            self._alone(now, minute, state, req, limits, d, vouched)
        action = self.service._settle(now, account, country, req.stage, d, verdict)
        if action.__class__ is not str:
            action = await action
        return action

    def _alone(self, now, minute, state, req, limits, d, vouched) -> None:
        """Decide a message the engine accepted without the shared limits on this node's counts."""
        usage, country, rcpts = state.usage, req.country, d.recipients
        # The message's own count out while the limits look (as the engine looks before counting).
        usage.total.add(minute, -1, -rcpts)
        usage.by_country[country].add(minute, -1, -rcpts)
        if vouched:
            usage.vouched_by_country[country].add(minute, -1, -rcpts)
        check = self.service.engine.check_limits(req, state, limits, now, rcpts, d.recipient_hashes)
        usage.total.add(minute, 1, rcpts)
        usage.by_country[country].add(minute, 1, rcpts)
        if vouched:
            usage.vouched_by_country[country].add(minute, 1, rcpts)
        if check.applied is None or (d.applied is not None and _SEVERITY[d.applied] >= _SEVERITY[check.applied]):
            return
        self._refuse_locally(minute, state, req, d, vouched, check.action, check.reason, check.accepted)
        d.applied, d.suspension = check.applied, check.suspension  # check_limits set state.suspension
        self._limited(now, state, check.reason)

    def _limited(self, now, state, reason: str) -> None:
        if now - state.limited_at >= LIMITED_FOR:
            state.limited_since = now
        state.limited_at, state.limited_reason = now, reason

    def _refuse_locally(self, minute, state, req, d, vouched, action: str, reason: str, accepted: bool) -> None:
        """Turn the engine's accepted message into ``action``, counts included."""
        usage, country, rcpts = state.usage, req.country, d.recipients
        if not accepted:
            usage.total.add(minute, -1, -rcpts)
            w = usage.by_country.get(country)
            if w is not None:
                w.add(minute, -1, -rcpts)
            if vouched and usage.vouched_by_country and country in usage.vouched_by_country:
                usage.vouched_by_country[country].add(minute, -1, -rcpts)
            usage.record(minute, country, 1, rcpts, False)
        d.action, d.reason, d.accepted = action, reason, accepted
        if req.instance and req.instance in state.decided:
            state.decided[req.instance] = action
        if state.recent:
            last = state.recent[-1]
            state.recent[-1] = (last[0], last[1], action, reason, *last[4:])
        self.overruled += 1

    def _overrule(self, now, minute, state, req, d, vouched, answer: Over) -> None:
        action = Action(answer.action)
        if d.applied is not None and _SEVERITY[d.applied] >= _SEVERITY[action]:
            return  # the local answer is already as strict
        accepted = action in (Action.HOLD, Action.FILTER)
        reply = self.service.engine.reply_for(action, answer.cap)
        self._refuse_locally(minute, state, req, d, vouched, reply, answer.reason, accepted)
        d.applied = action
        self._limited(now, state, answer.reason)
        if action is Action.SUSPEND:  # the script has set it in Redis and published it
            d.suspension = state.suspension = Suspension("auto", answer.reason, now)

    def _suspended_elsewhere(self, now, minute, state, req, d, vouched, s: SharedSuspension) -> None:
        self._refuse_locally(minute, state, req, d, vouched, self.service.engine.suspended_reply, "suspended", False)
        d.applied = None
        if not state.is_suspended(now):
            self.service._set_suspension(state.name, Suspension(s.by, s.reason, s.since, s.until))
            if s.by == "auto":
                self._learned_auto(state.name, s)

    # --- suspensions --------------------------------------------------------------------------

    def on_suspension(self, account: str, s: SharedSuspension, node: str) -> None:
        """A suspension set anywhere (this node too): the local copy refuses MAIL and RCPT."""
        service = self.service
        state = service.counters.state(account)
        if state.is_suspended(service.clock()):
            return
        service._set_suspension(state.name, Suspension(s.by, s.reason, s.since, s.until))
        if s.by == "auto":
            self._learned_auto(state.name, s)

    def _learned_auto(self, account: str, s: SharedSuspension) -> None:
        if len(self._learned) > 10_000:
            self._learned.clear()
        self._learned[account] = time.monotonic()
        self._spawn(self._store_if_lost(account, s))

    def holds(self, account: str) -> bool:
        """Whether a stored state without this account's suspension must not clear it yet: an
        automatic one came from Redis moments ago and may not be in the store yet."""
        at = self._learned.get(account)
        return at is not None and time.monotonic() - at < HOLD_UNSTORED

    def on_release(self, account: str, release_id: int, node: str) -> None:
        self._learned.pop(account, None)
        if node == self.quota.node:
            return
        service = self.service
        service._set_suspension(account, None)
        service.start_afresh(account, release_id, shared=False)

    def staff_suspension(self, account: str, susp: Suspension | None) -> None:
        if susp is not None:
            self._spawn(self.quota.suspend(account, susp.by, susp.reason, susp.since, susp.until))

    def auto_suspension(self, account: str, susp: Suspension) -> None:
        """One the local engine decided (it did not ask Redis): shared unless one is there already."""
        self._spawn(self.quota.suspend(account, "auto", susp.reason, susp.since, susp.until, only_if_absent=True))

    def release(self, account: str, release_id: int) -> None:
        """Start the shared windows afresh (once per release, whichever node asks first)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if self._learned.pop(account, None) is not None and self.service.counters.get(account) is not None:
            # The hold kept the local copy through the store's "not suspended": the release ends it.
            # (Should another suspension have come between the release and this node's sync, the
            # script still refuses its DATA; MAIL and RCPT learn it again at its next refusal.)
            self.service._set_suspension(account, None)
        task = loop.create_task(self.quota.release(account, release_id))
        self.releasing[account] = task
        task.add_done_callback(lambda t: self.releasing.get(account) is t and self.releasing.pop(account))

    async def _store_if_lost(self, account: str, s: SharedSuspension) -> None:
        """Store an automatic suspension whose node may have died before it could (one node does it)."""
        await asyncio.sleep(STORE_GRACE)
        service = self.service
        if account not in service.suspended_index:
            return  # released meanwhile
        try:
            lock = f"{self.quota.prefix}:{{{account}}}:w"
            if not await self.quota.redis.set(lock, self.quota.node, nx=True, ex=60):
                return
            audit_id = await asyncio.to_thread(service.stored.write_auto_suspension_once, account,
                                               Suspension("auto", s.reason, s.since, s.until))
            if audit_id is not None:
                log.warning("stored the automatic suspension of %r that another node made", account)
        except Exception as err:
            log.error("could not make sure the automatic suspension of %r is stored: %s", account, err)

    # --- what a node gives back to a Redis that lost its data --------------------------------

    def seed_cells(self):
        minute = int(self.service.clock() // 60)
        for account, state in list(self.service.counters.states.items()):
            usage = state.usage
            if usage.idle(minute):
                continue
            cells = []
            for kind, table in (("a", usage.by_country), ("v", usage.vouched_by_country or {})):
                for cc, w in table.items():
                    cells += [(f"{kind}:{cc}:{mi}", m, r) for mi, m, r in w.series(minute) if m > 0 or r > 0]
            if cells:
                yield account, cells

    def known_suspensions(self):
        now = self.service.clock()
        for account in list(self.service.suspended_index):
            state = self.service.counters.get(account)
            if state is not None and state.is_suspended(now):
                s = state.suspension
                yield account, SharedSuspension(s.by, s.reason, s.since, s.until)
