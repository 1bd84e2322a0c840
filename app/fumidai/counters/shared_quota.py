"""One quota across policy servers: count-and-decide in Redis, suspensions as shared state.

Each counted message a node would accept costs one round trip: EVALSHA of
counters/quota_script.py (loaded at start; a NOSCRIPT answer means Redis restarted, and the
recovery below loads it again),
which adds the message to the account's shared minute buckets only if it keeps every limit,
and otherwise answers which limit it passes (and sets the suspension, if that limit
suspends). Suspensions live in Redis as one key per account and every change is published
on ``{prefix}:suspensions``; each node applies those messages to its local copy (what it
answers MAIL and RCPT with) within milliseconds.

Trouble is never raised into the policy path: a call that fails or takes longer than
``[counters] script_timeout`` answers None (the node decides on its own counts) and the
node stops asking for ``RETRY_AFTER`` seconds. What it accepted meanwhile is kept
(``MAX_BACKLOG`` cells) and added when Redis answers again; if Redis lost its data (the
``{prefix}:alive`` marker is gone) the node raises the shared buckets to what it counted
itself (``seed``: a max, so every node seeding is no more than the largest view) and puts
its known suspensions back.

Everything read back is range-checked (``parse_answer``, ``parse_message``): a hostile
writer or a bad clock may make an account stricter, never lift a limit.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import time
from dataclasses import dataclass
from typing import Callable, Iterable

from ..errors import FumidaiError
from .quota_script import LUA

log = logging.getLogger("fumidai.counters.shared")

MAX_COUNT = 10_000_000  # messages or recipients in one account's minute bucket
MAX_SKEW = 5  # minutes a bucket may be ahead of the caller's clock
MAX_REASON = 200
MAX_BACKLOG = 100_000
RETRY_AFTER = 1.0  # seconds without asking after a failure
ACTIONS = ("suspend", "defer", "hold", "filter", "reject")
_REASON = re.compile(r"(quota|abroad|country:[A-Z]{2}):[a-z_]{1,40}")
_BY = re.compile(r"[^\x00-\x1f\x7f]{1,64}")
_NODE = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_COUNTRY = re.compile(r"[A-Z]{2}")
NO_LIMIT = -1


@dataclass(frozen=True, slots=True)
class Over:
    """The worst limit the message passes: its action ("" = none), reason, and whether a cap."""

    added: bool
    action: str
    reason: str
    cap: bool


@dataclass(frozen=True, slots=True)
class SharedSuspension:
    by: str
    reason: str
    since: float
    until: float | None


def _clean(text: str) -> str:
    return re.sub(r"[\x00-\x1f\x7f]", " ", text)[:MAX_REASON]


def encode_suspension(by: str, reason: str, since: float, until: float | None) -> str:
    return f"{_clean(by)[:64]}\t{_clean(reason)}\t{since!r}\t{'' if until is None else repr(until)}"


def parse_suspension(value, now: float) -> SharedSuspension | None:
    """A suspension value from Redis, or None if it is not credible."""
    try:
        text = value.decode() if isinstance(value, bytes) else value
        by, reason, since, until = text.split("\t")
        since_f = float(since)
        until_f = float(until) if until else None
    except (AttributeError, UnicodeDecodeError, ValueError):
        return None
    if not _BY.fullmatch(by) or len(reason) > MAX_REASON or not abs(since_f - now) < 366 * 86400:
        return None
    if until_f is not None and not (until_f > since_f and until_f - now < 3660 * 86400):
        return None
    return SharedSuspension(by, reason, since_f, until_f)


def parse_answer(reply, now: float) -> Over | SharedSuspension | None:
    """The script's answer to ``decide``, checked; None if it cannot be read."""
    if not isinstance(reply, list) or not reply:
        return None
    status = reply[0]
    if status == 2 and len(reply) == 2:
        return parse_suspension(reply[1], now)
    if status not in (0, 1) or len(reply) != 4:
        return None
    action, reason, cap = (x.decode() if isinstance(x, bytes) else x for x in reply[1:])
    if status == 1 and action not in ACTIONS:
        return None
    if action and (action not in ACTIONS or not _REASON.fullmatch(reason)):
        return None
    return Over(status == 0, action, reason, cap == 1)


def bucket_key(prefix: str, account: str) -> str:
    return f"{prefix}:{{{account}}}:b"


def suspension_key(prefix: str, account: str) -> str:
    return f"{prefix}:{{{account}}}:s"


def account_keys(prefix: str, account: str) -> list[str]:
    return [bucket_key(prefix, account), suspension_key(prefix, account), f"{prefix}:{{{account}}}:r"]


def quota_csv(quota) -> str:
    return ",".join(str(NO_LIMIT if v is None else v) for v in (
        quota.messages_per_hour, quota.messages_per_day, quota.recipients_per_hour, quota.recipients_per_day))


class SharedQuota:
    """The Redis side; ``on_suspension(account, SharedSuspension, node)`` and
    ``on_release(account, release_id, node)`` get what other nodes published."""

    def __init__(self, settings, node: str, is_account: Callable[[str], bool], clock: Callable[[], float]) -> None:
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff

        self.prefix = settings.redis_prefix
        self.channel = f"{self.prefix}:suspensions"
        self.marker = f"{self.prefix}:alive"
        self.timeout = settings.script_timeout
        self.node = node
        self.is_account = is_account
        self.clock = clock
        from .connection import async_redis  # TLS, ACL, Sentinel: [counters]

        self.redis = async_redis(settings, socket_connect_timeout=2.0, socket_timeout=5.0,
                                 retry=Retry(NoBackoff(), 0), health_check_interval=0)
        self.sha = hashlib.sha1(LUA.encode()).hexdigest()
        self.on_suspension: Callable[[str, SharedSuspension, str], None] | None = None
        self.on_release: Callable[[str, int, str], None] | None = None
        self.down_until = 0.0  # monotonic: no calls before this after a failure
        self.backlog: dict[tuple[str, str], list[int]] = {}  # (account, field) -> [messages, recipients]
        self.lost = 0  # backlog cells not kept (full)
        self.redo: dict[str, list] = {}  # account -> the suspension change Redis missed
        self.calls = self.failures = self.refused = 0
        self._tasks: list[asyncio.Task] = []
        self._pubsub = None
        self._recovering = False
        self.seed_source: Callable[[], Iterable[tuple[str, list[tuple[str, int, int]]]]] | None = None
        self.suspension_source: Callable[[], Iterable[tuple[str, SharedSuspension]]] | None = None

    @property
    def available(self) -> bool:
        return time.monotonic() >= self.down_until

    async def start(self) -> None:
        try:
            await asyncio.wait_for(self.redis.script_load(LUA), 5.0)
            await self.redis.set(self.marker, "1", nx=True)
        except Exception as err:
            await self.close()
            raise FumidaiError(f"cannot load the quota script into Redis ([counters] redis_url): {err}") from None
        self._tasks = [asyncio.create_task(self._listen(), name="fumidai-shared-suspensions")]

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except BaseException:
                pass
        self._tasks = []
        try:
            await self.redis.aclose()
        except Exception:
            pass

    # --- the policy path: one call per counted message --------------------------------------

    async def decide(self, account: str, minute: int, now: float, country: str, rcpts: int, vouched: bool,
                     limits, on_limit: str, caps: list[tuple[str, str, str, object]]):
        """Over / SharedSuspension from Redis, or None (Redis away: the node decides alone)."""
        if not self.available:
            self.keep(account, minute, country, rcpts, vouched)
            return None
        args = ["decide", minute, repr(now), country, rcpts, 1 if vouched else 0, quota_csv(limits), on_limit,
                self.channel, account, MAX_SKEW, MAX_COUNT, len(caps)]
        for name, action, codes, quota in caps:
            args += [name, action, codes, quota_csv(quota)]
        self.calls += 1
        try:
            # No reload on NOSCRIPT here: a Redis without the script has restarted (or was flushed),
            # so it may have lost the buckets too — the recovery finds out and converges.
            reply = await asyncio.wait_for(self.redis.evalsha(self.sha, 3, *account_keys(self.prefix, account), *args),
                                           self.timeout)
        except asyncio.CancelledError:
            raise
        except Exception as err:
            self._failed(err)
            self.keep(account, minute, country, rcpts, vouched)
            return None
        answer = parse_answer(reply, now)
        if answer is None:
            self.failures += 1
            log.warning("unreadable answer from the quota script for %r: %.200r", account, reply)
        elif not isinstance(answer, Over) or not answer.added:
            self.refused += 1
        return answer

    def keep(self, account: str, minute: int, country: str, rcpts: int, vouched: bool) -> None:
        for kind in ("a", "v") if vouched else ("a",):
            key = (account, f"{kind}:{country}:{minute}")
            cell = self.backlog.get(key)
            if cell is None:
                if len(self.backlog) >= MAX_BACKLOG:
                    self.lost += 1
                    continue
                cell = self.backlog[key] = [0, 0]
            cell[0] += 1
            cell[1] += rcpts

    def _failed(self, err: BaseException) -> None:
        self.failures += 1
        if self.available:
            log.warning("Redis did not answer the quota script (%s); deciding on this node's counts",
                        str(err) or type(err).__name__)
        self.down_until = time.monotonic() + RETRY_AFTER
        if not self._recovering:
            self._recovering = True
            self._tasks.append(asyncio.create_task(self._recover(), name="fumidai-shared-recover"))

    async def _recover(self) -> None:
        """Wait for Redis, then give it what this node counted alone (or all it knows, if Redis lost it)."""
        try:
            while True:
                await asyncio.sleep(RETRY_AFTER)
                try:
                    await self._converge()
                except asyncio.CancelledError:
                    raise
                except Exception as err:
                    log.debug("Redis still away: %s", err)
                    self.down_until = time.monotonic() + RETRY_AFTER
                    continue
                log.warning("Redis answers again: shared quota resumed")
                self.down_until = 0.0
                return
        finally:
            self._recovering = False

    async def _converge(self) -> None:
        minute = int(self.clock() // 60)
        lost_data = not await self.redis.exists(self.marker)
        backlog, self.backlog = self.backlog, {}
        redo, self.redo = self.redo, {}
        try:
            pipe = self.redis.pipeline(transaction=False)
            if lost_data:
                # Redis came back empty: raise the buckets to this node's view (it has the others'
                # counts through the stream) and put the suspensions back.
                for account, cells in (self.seed_source() if self.seed_source else ()):
                    args = ["seed", minute, MAX_SKEW, MAX_COUNT]
                    for field, m, r in cells:
                        args += [field, m, r]
                    pipe.evalsha(self.sha, 3, *account_keys(self.prefix, account), *args)
                for account, s in (self.suspension_source() if self.suspension_source else ()):
                    pipe.evalsha(self.sha, 3, *account_keys(self.prefix, account), "suspend",
                                 encode_suspension(s.by, s.reason, s.since, s.until), self.channel, account, 1)
            else:
                by_account: dict[str, list] = {}
                for (account, field), (m, r) in backlog.items():
                    by_account.setdefault(account, []).extend((field, m, r))
                for account, cells in by_account.items():
                    pipe.evalsha(self.sha, 3, *account_keys(self.prefix, account), "add", minute, MAX_SKEW, MAX_COUNT, *cells)
            for account, args in redo.items():
                pipe.evalsha(self.sha, 3, *account_keys(self.prefix, account), *args)
            await self.redis.script_load(LUA)  # a restarted Redis has no scripts
            await pipe.execute()
            await self.redis.set(self.marker, "1")
        except BaseException:
            for account, args in redo.items():
                self.redo.setdefault(account, args)
            for key, cell in backlog.items():
                mine = self.backlog.setdefault(key, [0, 0])
                mine[0] += cell[0]
                mine[1] += cell[1]
            raise

    # --- staff actions ----------------------------------------------------------------------

    async def suspend(self, account: str, by: str, reason: str, since: float, until: float | None,
                      only_if_absent: bool = False) -> None:
        await self._staff(account, ["suspend", encode_suspension(by, reason, since, until), self.channel, account,
                                    1 if only_if_absent else 0])

    async def release(self, account: str, release_id: int) -> None:
        """Delete the suspension and the account's shared buckets: its windows start afresh."""
        await self._staff(account, ["release", self.channel, account, int(release_id), self.node])

    async def _staff(self, account: str, args: list) -> None:
        """A suspension change; kept for the return of Redis if it cannot be made now (never raises)."""
        try:
            await asyncio.wait_for(self.redis.evalsha(self.sha, 3, *account_keys(self.prefix, account), *args), 2.0)
        except asyncio.CancelledError:
            raise
        except Exception as err:
            log.warning("could not write %s of %r to Redis (again when it answers): %s", args[0], account, err)
            self.redo[account] = args
            self._failed(err)

    # --- what other nodes published -----------------------------------------------------------

    async def _listen(self) -> None:
        backoff = 0.1
        while True:
            pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                backoff = 0.1
                while True:
                    msg = await pubsub.get_message(timeout=1.0)
                    if msg is not None and msg.get("type") == "message":
                        self.handle_message(msg.get("data"))
            except asyncio.CancelledError:
                raise
            except Exception as err:
                log.debug("suspension channel: %s", err)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
            finally:
                try:
                    await pubsub.aclose()
                except Exception:
                    pass

    def handle_message(self, data) -> None:
        parsed = parse_message(data, self.clock(), self.is_account)
        if parsed is None:
            log.warning("ignoring an unreadable message on %s: %.120r", self.channel, data)
            return
        kind, account, value, node = parsed
        try:
            if kind == "S" and self.on_suspension is not None:
                self.on_suspension(account, value, node)
            elif kind == "R" and self.on_release is not None:
                self.on_release(account, value, node)
        except Exception:
            log.exception("could not apply a shared suspension change of %r", account)


def parse_message(data, now: float, is_account: Callable[[str], bool]):
    """("S", account, SharedSuspension, "") or ("R", account, release id, node), or None."""
    try:
        text = data.decode() if isinstance(data, bytes) else data
        kind, account, rest = text.split("\t", 2)
    except (AttributeError, UnicodeDecodeError, ValueError):
        return None
    if not is_account(account):
        return None
    if kind == "S":
        s = parse_suspension(rest, now)
        return None if s is None else ("S", account, s, "")
    if kind == "R":
        try:
            release_id, node = rest.split("\t")
            rid = int(release_id)
        except ValueError:
            return None
        if not (0 <= rid < 2**63 and _NODE.fullmatch(node)):
            return None
        return "R", account, rid, node
    return None


def check_country(code: str) -> bool:
    return bool(_COUNTRY.fullmatch(code))
