"""Counts and automatic suspensions shared between policy servers through a Redis Stream.

Every node keeps all engine state in memory and answers policy requests without I/O.
With ``[counters] backend = "redis"`` each node also appends what it counted to one
stream, ``{redis_prefix}:counts``, and applies what the *other* nodes appended, so an
account's quota holds across all MTA nodes and an automatic suspension on one node is
refused on the others within milliseconds.

- Publishing is a list append on the hot path. A writer task sends the buffer every
  ``flush_interval`` seconds as one pipeline of ``XADD`` entries (up to ``batch_size``
  events each, JSON-packed, counts and suspensions in the order they happened).
- A reader task tails the stream with ``XREAD BLOCK`` from the last id present at start:
  counts older than that came from the shared SQL store the service loaded just before.
  That leaves a gap of at most the other nodes' store flush interval (``[storage]
  flush_interval``, one second by default): counts another node published after this
  node read the store but before it captured the stream id are in neither. They reach
  the store all the same and a later restart counts them.
- The stream is trimmed with ``MAXLEN ~ maxlen`` entries: it only carries live traffic
  (the store has the history) and a node that lost its connection for a while catches
  up from where it stopped, as long as its place is still in the stream.
- Redis down: each node keeps enforcing on its own counts. The writer keeps the first
  ``max_buffer`` counts (and every suspension) to send when Redis is back and drops (and
  counts) the later ones; both tasks retry with backoff. A node that (re)starts while
  others still hold such a backlog may count those twice: stricter, never looser.
  Nothing here ever raises into the policy path.

With ``[counters] shared_quota`` (the default) the quota itself is decided in Redis
(counters/shared_quota.py): the stream then feeds each node's view of the others' counts (live
reads, the behaviour analysis, and the decisions while Redis is away).

Every event read is range-checked (``_apply``): the node id's shape, account names as this
node spells them (``is_account``), country codes, counts within 0..MAX_EVENT_COUNT and, given
the service's clock, minutes within the last day and at most MAX_FUTURE_MINUTES ahead, and
suspension times within a day: a hostile writer or a node with a bad clock cannot plant huge
or far-future counts.

``connected``, ``lag`` (seconds from publish on the other node to apply here, for the
oldest event of the newest entry applied), ``published``, ``applied`` and ``dropped``
are for metrics.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from typing import Callable
from urllib.parse import urlsplit, urlunsplit

from ..errors import FumidaiError
from ..tasks import cancel_and_wait
from .stream_loops import StreamLoops, node_id

log = logging.getLogger("fumidai.counters.redis")

ApplyCount = Callable[[str, int, str, int, int, bool], None]
ApplySuspension = Callable[[str, str, float], None]

# Event kinds inside one stream entry's JSON list.
_COUNT, _SUSPEND = 0, 1
# What an event from another node may say (anything else is skipped as malformed): a hostile
# writer or a node with a bad clock may not plant huge or far-future counts.
MAX_EVENT_COUNT = 100_000  # messages or recipients in one event
MAX_FUTURE_MINUTES = 5
MAX_REASON = 200
_NODE_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")
_COUNTRY = re.compile(r"[A-Z]{2}")


def _safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        parts = urlsplit(url)
        if parts.password:
            host = parts.hostname or ""
            netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
            return urlunsplit(parts._replace(netloc=netloc))
    except ValueError:
        pass
    return url


class RedisReplicator(StreamLoops):
    def __init__(self, settings, *, node: str | None = None, flush_interval: float = 0.01,
                 batch_size: int = 500, max_buffer: int = 100_000, maxlen: int = 100_000,
                 block_ms: int = 1000, is_account: Callable[[str], bool] | None = None,
                 clock: Callable[[], float] | None = None) -> None:
        import redis.asyncio as aioredis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff

        self.url = settings.redis_url
        # Whether a name is an account as this node spells them (policy.names); any str by default.
        self.is_account = is_account or (lambda name: 0 < len(name) <= 256 and name.isprintable())
        self.clock = clock  # minutes and times are checked against it (the service's clock); None: not
        self.stream = f"{settings.redis_prefix}:counts"
        self.node = node or node_id()
        self._node_b = self.node.encode()
        self.flush_interval = flush_interval
        self.batch_size = batch_size
        self.max_buffer = max_buffer
        self.maxlen = maxlen
        self.block_ms = block_ms
        from .connection import async_redis, describe  # TLS, ACL, Sentinel: [counters]

        # No retries inside redis-py: the tasks here retry with their own backoff, and
        # stop() must not hang on a dead server.
        self.redis = async_redis(settings, socket_connect_timeout=2.0, socket_timeout=block_ms / 1000 + 5.0,
                                 retry=Retry(NoBackoff(), 0), health_check_interval=0)
        self.url = describe(settings)  # for messages: the sentinels, the user, no password
        self._buffer: list[tuple] = []
        self._first_at = 0.0  # wall time of the oldest buffered event
        self._seq = 0  # this node's number for the first buffered event
        self._seen: dict[bytes, int] = {}  # node -> the next event number expected from it
        self._limit = 0  # events accepted into the buffer: 0 until start() and after stop()
        self._wake: asyncio.Event | None = None
        self._tasks: list[asyncio.Task] = []
        self._last_id = b"0-0"
        self._apply_count: ApplyCount | None = None
        self._apply_suspension: ApplySuspension | None = None
        self._writer_ok = self._reader_ok = False
        self._warned = False
        self._bad_warned = False
        self.published = 0  # events sent to Redis
        self.applied = 0  # events from other nodes applied here
        self.dropped = 0  # events not sent (buffer full while Redis was down, or after stop)
        self.malformed = 0  # entries from the stream that could not be read
        self.lag = 0.0

    # --- life cycle ------------------------------------------------------------------------

    async def start(self, apply_count: ApplyCount, apply_suspension: ApplySuspension) -> None:
        """Connect, remember where the stream ends now, and start the writer and reader."""
        self._apply_count, self._apply_suspension = apply_count, apply_suspension
        try:
            await asyncio.wait_for(self.redis.ping(), 5.0)
            newest = await self.redis.xrevrange(self.stream, count=1)
        except Exception as err:
            await self._close()
            reason = str(err) or type(err).__name__
            raise FumidaiError(f"cannot use Redis at {_safe_url(self.url)} ([counters] redis_url): {reason}") from None
        if newest:
            self._last_id = newest[0][0]
        self._writer_ok = self._reader_ok = True
        self._wake = asyncio.Event()
        self._limit = self.max_buffer
        self._tasks = [
            asyncio.create_task(self._write_loop(), name="fumidai-redis-writer"),
            asyncio.create_task(self._read_loop(), name="fumidai-redis-reader"),
        ]
        log.info("sharing counts through Redis stream %r as node %s", self.stream, self.node)

    async def stop(self, timeout: float = 2.0) -> None:
        """Send what is buffered (if Redis answers within ``timeout``), stop, close."""
        self._limit = 0
        await cancel_and_wait(self._tasks, log)
        self._tasks = []
        if self._buffer:
            n = len(self._buffer)
            try:
                await asyncio.wait_for(self._send(), timeout)
            except Exception as err:
                self.dropped += n
                log.warning("could not send the last %d counts to Redis: %s", n, err)
        await self._close()

    async def _close(self) -> None:
        try:
            await self.redis.aclose()
        except Exception:
            pass

    # --- the hot path: no I/O ---------------------------------------------------------------

    def publish_count(self, account: str, minute: int, country: str, messages: int, recipients: int,
                      accepted: bool) -> None:
        buf = self._buffer
        if len(buf) >= self._limit:
            self.dropped += 1
            return
        if not buf:
            self._first_at = time.time()
            self._wake.set()
        buf.append((_COUNT, account, minute, country, messages, recipients, 1 if accepted else 0))

    def publish_suspension(self, account: str, reason: str, since: float) -> None:
        # Rare and what matters most: never dropped for a full buffer, only when stopped.
        buf = self._buffer
        if not self._limit:
            self.dropped += 1
            return
        if not buf:
            self._first_at = time.time()
            self._wake.set()
        buf.append((_SUSPEND, account, reason, since))

    # --- writer -------------------------------------------------------------------------------

    async def _send(self) -> None:
        """Send the whole buffer as one pipeline; on failure put it back in front.

        Entries carry the sequence number of their first event: a batch sent again after
        a failure that Redis had in fact executed is skipped by the readers, not counted twice.
        """
        batch, first_at, seq = self._buffer, self._first_at, self._seq
        self._buffer = []
        try:
            pipe = self.redis.pipeline(transaction=False)
            t = repr(first_at)
            for i in range(0, len(batch), self.batch_size):
                events = json.dumps(batch[i:i + self.batch_size], ensure_ascii=False, separators=(",", ":"))
                pipe.xadd(self.stream, {"n": self.node, "s": seq + i, "t": t, "e": events},
                          maxlen=self.maxlen, approximate=True)
            await pipe.execute()
        except BaseException:
            # The failed batch goes back in front, unchanged (its numbers are taken). Over the
            # bound, the newest counts go (as in publish_count); suspensions always stay.
            newer = self._buffer
            room = self.max_buffer - len(batch)
            if len(newer) > room:
                kept = newer[:max(room, 0)]
                kept += [ev for ev in newer[max(room, 0):] if ev[0] == _SUSPEND]
                self.dropped += len(newer) - len(kept)
                newer = kept
            self._buffer = batch + newer
            self._first_at = first_at
            raise
        self._seq = seq + len(batch)
        self.published += len(batch)

    # --- reader -------------------------------------------------------------------------------

    def _apply(self, node: bytes, fields: dict) -> None:
        if not (isinstance(node, bytes) and _NODE_ID.fullmatch(node)):
            self._malformed(ValueError(f"bad node id {node!r:.80}"))
            return
        try:
            first = int(fields[b"s"])
            sent_at = float(fields[b"t"])
            events = json.loads(fields[b"e"])
            if not isinstance(events, list):
                raise ValueError("events are not a list")
        except Exception as err:
            self._malformed(err)
            return
        expected, end = self._seen.get(node, 0), first + len(events)
        if first < expected:  # sent again after a failure Redis had not reported: seen
            events = events[expected - first:]
        self._seen[node] = max(expected, end)
        apply_count, apply_suspension = self._apply_count, self._apply_suspension
        clocked = self.clock is not None
        now = self.clock() if clocked else 0.0
        now_minute = int(now // 60)
        is_account = self.is_account
        for ev in events:
            try:
                kind = ev[0]
                if kind == _COUNT:
                    _, account, minute, country, messages, recipients, accepted = ev
                    if not (isinstance(account, str) and isinstance(country, str) and type(minute) is int
                            and type(messages) is int and type(recipients) is int
                            and (not clocked or now_minute - 1440 < minute <= now_minute + MAX_FUTURE_MINUTES)
                            and 0 <= messages <= MAX_EVENT_COUNT and 0 <= recipients <= MAX_EVENT_COUNT
                            and _COUNTRY.fullmatch(country) and is_account(account)):
                        raise ValueError(f"bad count {ev!r:.200}")
                    apply_count(account, minute, country, messages, recipients, bool(accepted))
                elif kind == _SUSPEND:
                    _, account, reason, since = ev
                    if not (isinstance(account, str) and isinstance(reason, str)
                            and isinstance(since, (int, float)) and not isinstance(since, bool)
                            and (not clocked or abs(since - now) < 86400) and len(reason) <= MAX_REASON and is_account(account)):
                        raise ValueError(f"bad suspension {ev!r:.200}")
                    apply_suspension(account, reason, float(since))
                else:
                    raise ValueError(f"unknown event kind {kind!r:.20}")
            except Exception as err:
                self._malformed(err)
                continue
            self.applied += 1
        self.lag = max(0.0, time.time() - sent_at)

    # --- trouble --------------------------------------------------------------------------------

    def _trouble(self, err: Exception) -> None:
        if not self._warned:
            self._warned = True
            log.warning("Redis at %s unreachable (%s); enforcing on this node's counts until it is back",
                        _safe_url(self.url), str(err) or type(err).__name__)

    def _recovered(self) -> None:
        if self._warned and self.connected:
            self._warned = False
            log.warning("Redis at %s reachable again; %d counts could not be shared meanwhile",
                        _safe_url(self.url), self.dropped)

    def _malformed(self, err: Exception) -> None:
        self.malformed += 1
        if not self._bad_warned:
            self._bad_warned = True
            log.warning("skipping an unreadable entry in Redis stream %r: %s", self.stream, err)

