"""Behaviour observations shared between policy servers through their own Redis stream.

With ``[counters] backend = "redis"`` and behaviour analysis on, each node appends two
kinds of observation to ``{redis_prefix}:behaviour`` and applies the other nodes' ones,
so every node's baselines learn from all the mail, and the "one client address logging in
as several accounts" cohort counts the accounts seen on every node:

- ``learn``: a message the behaviour verdict let teach the baseline (account, time,
  network key, country, the recipients' keyed hashes: no addresses leave the node);
- ``cohort``: an account counted in a client address's cohort (address, account, time).

Separate from the counts' stream (counters/redis.py) so neither waits on the other and
the counts' format stays its own. Same shape: publishing is a list append on the policy
path; a writer task sends the buffer every ``flush_interval`` as a few ``XADD`` entries; a
reader tails the stream with ``XREAD BLOCK`` from where it ended at start (older learning
came from the store) and hands each observation to the service's callbacks on the loop.

Best effort, and hostile input assumed: Redis down means each node learns alone (the
first ``max_buffer`` observations wait, later ones are dropped and counted); a batch sent
again after a failure Redis had executed may be learned twice (a count off by one, never a
wrong answer); every field read is type- and range-checked, and an entry that fails is
skipped and counted in ``malformed``, never raised into the policy path.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import math
from typing import Callable

from ..errors import FumidaiError
from ..tasks import cancel_and_wait
from .stream_loops import StreamLoops, node_id

log = logging.getLogger("fumidai.counters.behaviour")

ApplyLearn = Callable[[str, float, "int | None", str, tuple], None]
ApplyCohort = Callable[[str, str, float], None]

_LEARN, _COHORT = "l", "c"
MAX_ACCOUNT = 320  # an address-like login at most
MAX_RECIPIENTS = 1000  # Postfix's smtpd_recipient_limit default
MAX_ADDRESS = 64
PAST_S = 2 * 86400.0  # an observation older than this (by our clock) is stale: skipped
FUTURE_S = 300.0  # clocks of nodes differ a little; a time further ahead is not believed
_IPV6_FLAG = 1 << 48  # behaviour.keys: a /24 is < 2**24, a /48 is this flag + 48 bits
_U64 = 1 << 64


def _valid_network(n) -> bool:
    return n is None or (type(n) is int and (0 <= n < 1 << 24 or _IPV6_FLAG <= n < _IPV6_FLAG << 1))


def _valid_account(a) -> bool:
    return isinstance(a, str) and 0 < len(a) <= MAX_ACCOUNT


class BehaviourStream(StreamLoops):
    """One node's end of the behaviour stream. ``clock`` is the service's (for range checks)."""

    read_count = 100

    def __init__(self, settings, clock: Callable[[], float], *, node: str | None = None,
                 flush_interval: float = 0.05, batch_size: int = 500, max_buffer: int = 50_000,
                 maxlen: int = 200_000, block_ms: int = 1000) -> None:
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff

        self.stream = f"{settings.redis_prefix}:behaviour"
        self.clock = clock
        self.node = node or node_id()
        self._node_b = self.node.encode()
        self.flush_interval = flush_interval
        self.batch_size = batch_size
        self.max_buffer = max_buffer
        self.maxlen = maxlen
        self.block_ms = block_ms
        from .connection import async_redis  # TLS, ACL, Sentinel: [counters]

        self.redis = async_redis(settings, socket_connect_timeout=2.0, socket_timeout=block_ms / 1000 + 5.0,
                                 retry=Retry(NoBackoff(), 0), health_check_interval=0)
        self._buffer: list[list] = []
        self._limit = 0  # 0 until start() and after stop(): nothing is buffered
        self._wake: asyncio.Event | None = None
        self._tasks: list[asyncio.Task] = []
        self._last_id = b"$"
        self._apply_learn: ApplyLearn | None = None
        self._apply_cohort: ApplyCohort | None = None
        self._warned = self._bad_warned = False
        self.published = 0
        self.applied = 0
        self.dropped = 0
        self.malformed = 0

    # --- life cycle ------------------------------------------------------------------------

    async def start(self, apply_learn: ApplyLearn, apply_cohort: ApplyCohort) -> None:
        self._apply_learn, self._apply_cohort = apply_learn, apply_cohort
        try:
            await asyncio.wait_for(self.redis.ping(), 5.0)
            newest = await self.redis.xrevrange(self.stream, count=1)
        except Exception as err:
            await self._close()
            raise FumidaiError(f"cannot use Redis for the behaviour stream: {str(err) or type(err).__name__}") from None
        self._last_id = newest[0][0] if newest else b"0-0"
        self._writer_ok = self._reader_ok = True
        self._wake = asyncio.Event()
        self._limit = self.max_buffer
        self._tasks = [
            asyncio.create_task(self._write_loop(), name="fumidai-behaviour-writer"),
            asyncio.create_task(self._read_loop(), name="fumidai-behaviour-reader"),
        ]
        log.info("sharing baselines and cohorts through Redis stream %r as node %s", self.stream, self.node)

    async def stop(self, timeout: float = 2.0) -> None:
        self._limit = 0
        await cancel_and_wait(self._tasks, log)
        self._tasks = []
        if self._buffer:
            n = len(self._buffer)
            try:
                await asyncio.wait_for(self._send(), timeout)
            except Exception as err:
                self.dropped += n
                log.warning("could not send the last %d behaviour observations to Redis: %s", n, err)
        await self._close()

    async def _close(self) -> None:
        try:
            await self.redis.aclose()
        except Exception:
            pass

    # --- the policy path: no I/O ------------------------------------------------------------

    def publish_learn(self, account: str, now: float, network: int | None, country: str,
                      recipients: tuple) -> None:
        self._append([_LEARN, account, now, network, country, recipients])

    def publish_cohort(self, now: float, address: str, account: str) -> None:
        self._append([_COHORT, address, account, now])

    def _append(self, event: list) -> None:
        buf = self._buffer
        if len(buf) >= self._limit:
            self.dropped += 1
            return
        if not buf:
            self._wake.set()
        buf.append(event)

    # --- writer -------------------------------------------------------------------------------

    async def _send(self) -> None:
        batch, self._buffer = self._buffer, []
        try:
            pipe = self.redis.pipeline(transaction=False)
            for i in range(0, len(batch), self.batch_size):
                events = json.dumps(batch[i:i + self.batch_size], ensure_ascii=False, separators=(",", ":"))
                pipe.xadd(self.stream, {"n": self.node, "e": events}, maxlen=self.maxlen, approximate=True)
            await pipe.execute()
        except BaseException:
            newer = self._buffer
            room = max(0, self.max_buffer - len(batch))
            self.dropped += max(0, len(newer) - room)
            self._buffer = batch + newer[:room]
            raise
        self.published += len(batch)

    # --- reader -------------------------------------------------------------------------------

    def _apply(self, node, fields: dict) -> None:  # another node's entry, from the reader
        self.apply_entry(fields)

    def apply_entry(self, fields: dict) -> None:
        """Apply one stream entry's observations (each checked on its own)."""
        try:
            raw = fields[b"e"]
            if len(raw) > 4 << 20:
                raise ValueError("entry over 4 MiB")
            events = json.loads(raw)
            if not isinstance(events, list):
                raise ValueError("events are not a list")
        except Exception as err:
            self._malformed(err)
            return
        now = self.clock()
        for ev in events:
            try:
                self._apply_one(ev, now)
            except Exception as err:
                self._malformed(err)
                continue
            self.applied += 1

    def _apply_one(self, ev, now: float) -> None:
        if not isinstance(ev, list) or not ev:
            raise ValueError("an event is not a list")
        kind = ev[0]
        if kind == _LEARN and len(ev) == 6:
            _, account, t, network, country, recipients = ev
            if not _valid_account(account):
                raise ValueError("bad account")
            t = _valid_time(t, now)
            if not _valid_network(network):
                raise ValueError("bad network key")
            if not (isinstance(country, str) and len(country) == 2 and country.isascii()
                    and country.isalpha() and country.isupper()):
                raise ValueError("bad country")
            if not (isinstance(recipients, list) and 0 < len(recipients) <= MAX_RECIPIENTS
                    and all(type(r) is int and 0 <= r < _U64 for r in recipients)):
                raise ValueError("bad recipients")
            self._apply_learn(account, t, network, country, tuple(recipients))
        elif kind == _COHORT and len(ev) == 4:
            _, address, account, t = ev
            if not (isinstance(address, str) and 0 < len(address) <= MAX_ADDRESS):
                raise ValueError("bad address")
            ipaddress.ip_address(address)  # ValueError if it is not one
            if not _valid_account(account):
                raise ValueError("bad account")
            self._apply_cohort(address, account, _valid_time(t, now))
        else:
            raise ValueError(f"unknown event {str(kind)[:20]!r}")

    # --- trouble --------------------------------------------------------------------------------

    def _trouble(self, err: Exception) -> None:
        if not self._warned:
            self._warned = True
            log.warning("behaviour stream: Redis unreachable (%s); this node learns alone until it is back",
                        str(err) or type(err).__name__)

    def _recovered(self) -> None:
        if self._warned and self.connected:
            self._warned = False
            log.warning("behaviour stream: Redis reachable again; %d observations could not be shared meanwhile",
                        self.dropped)

    def _malformed(self, err: Exception) -> None:
        self.malformed += 1
        if not self._bad_warned:
            self._bad_warned = True
            log.warning("skipping an unreadable observation in Redis stream %r: %s", self.stream, err)


def _valid_time(t, now: float) -> float:
    if type(t) not in (int, float) or not math.isfinite(t) or not now - PAST_S <= t <= now + FUTURE_S:
        raise ValueError("time out of range")
    return float(t)

