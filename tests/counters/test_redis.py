"""Counts and suspensions shared between policy servers through the real Redis (database 15)."""

from __future__ import annotations

import asyncio
import socket
import statistics
import threading
import time
import uuid

import pytest

from fumidai.config import settings_from_dict
from fumidai.counters.redis import RedisReplicator
from fumidai.errors import FumidaiError
from fumidai.geo.build import build_from_ranges
from tests.conftest import REDIS_URL
from tests.service.conftest import JP, Clock, Running

pytestmark = pytest.mark.redis


@pytest.fixture
def redis_url():
    """REDIS_URL, with this test's keys removed afterwards; skipped if Redis is not there."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except Exception as err:
        client.close()
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {err}")
    yield REDIS_URL
    client.close()


@pytest.fixture
def prefix():
    """A key prefix of this test's own, deleted afterwards."""
    import redis

    name = f"fumidai-test-{uuid.uuid4().hex[:10]}"
    yield name
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        keys = list(client.scan_iter(f"{name}:*"))
        if keys:
            client.delete(*keys)
    except Exception:
        pass
    finally:
        client.close()


def counters(url: str, prefix: str):
    return settings_from_dict({"counters": {"backend": "redis", "redis_url": url, "redis_prefix": prefix}}).counters


class Node:
    """A replicator with what it applied from the others, as the service would see it."""

    def __init__(self, url: str, prefix: str, name: str, **kw):
        self.rep = RedisReplicator(counters(url, prefix), node=name, **kw)
        self.counts: list[tuple] = []
        self.suspensions: list[tuple] = []
        self.arrived: list[float] = []  # time.time() of each count applied
        self.events: list[str] = []  # "c" and "s" in the order applied
        self.loop_thread_ok = True

    async def start(self):
        loop_thread = threading.get_ident()

        def on_count(*args):
            self.loop_thread_ok &= threading.get_ident() == loop_thread
            self.counts.append(args)
            self.events.append("c")
            self.arrived.append(time.time())

        def on_suspension(*args):
            self.loop_thread_ok &= threading.get_ident() == loop_thread
            self.suspensions.append(args)
            self.events.append("s")

        await self.rep.start(on_count, on_suspension)
        return self


async def until(predicate, timeout: float = 3.0) -> float:
    """Wait (on the loop) until predicate() holds; returns the seconds it took."""
    started = time.perf_counter()
    while not predicate():
        if time.perf_counter() - started > timeout:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.002)
    return time.perf_counter() - started


class Proxy:
    """A TCP forwarder to Redis that a test can cut and restore, to play Redis going down."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = 0
        self.socks: list[socket.socket] = []
        self.listener: socket.socket | None = None

    def start(self):
        lst = socket.socket()
        lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        lst.bind(("127.0.0.1", self.port))
        lst.listen(16)
        self.port = lst.getsockname()[1]
        self.listener = lst
        threading.Thread(target=self._accept, args=(lst,), daemon=True).start()
        return self

    def _accept(self, lst):
        while True:
            try:
                client, _ = lst.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.socks += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src, dst):
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self):
        """Close the listener and every forwarded connection: Redis is 'down'."""
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # close() alone leaves accept() waiting
        except OSError:
            pass
        self.listener.close()
        for s in self.socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
        self.socks = []

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/15"


@pytest.fixture
def proxy(redis_url):
    from urllib.parse import urlsplit

    parts = urlsplit(redis_url)
    p = Proxy((parts.hostname, parts.port or 6379)).start()
    yield p
    p.cut()


# --- the replicator on its own -----------------------------------------------------------------


def test_counts_and_suspensions_reach_the_other_node_only(redis_url, prefix):
    async def go():
        a = await Node(redis_url, prefix, "A").start()
        b = await Node(redis_url, prefix, "B").start()
        try:
            a.rep.publish_count("alice", 29_000_000, "JP", 1, 3, True)
            a.rep.publish_count("alice", 29_000_000, "CN", 1, 50, False)
            a.rep.publish_suspension("alice", "quota:messages_per_hour", 1_740_000_000.5)
            b.rep.publish_count("bob", 29_000_001, "US", 2, 2, True)
            await until(lambda: len(b.counts) == 2 and b.suspensions and a.counts)
            await asyncio.sleep(0.05)  # nothing more is coming, in particular no echo
            assert b.counts == [("alice", 29_000_000, "JP", 1, 3, True), ("alice", 29_000_000, "CN", 1, 50, False)]
            assert b.suspensions == [("alice", "quota:messages_per_hour", 1_740_000_000.5)]
            assert a.counts == [("bob", 29_000_001, "US", 2, 2, True)] and a.suspensions == []
            assert a.loop_thread_ok and b.loop_thread_ok
            assert a.rep.connected and b.rep.connected
            assert (a.rep.published, b.rep.applied, a.rep.dropped) == (3, 3, 0)
        finally:
            await a.rep.stop()
            await b.rep.stop()

    asyncio.run(go())


def test_a_node_starts_after_what_is_already_in_the_stream(redis_url, prefix):
    """Counts published before a node starts are in the store it loaded: not applied twice."""
    async def go():
        a = await Node(redis_url, prefix, "A").start()
        a.rep.publish_count("old", 1, "JP", 1, 1, True)
        await a.rep.stop()
        a = await Node(redis_url, prefix, "A2").start()
        b = await Node(redis_url, prefix, "B").start()
        try:
            a.rep.publish_count("new", 2, "JP", 1, 1, True)
            await until(lambda: b.counts)
            assert [c[0] for c in b.counts] == ["new"]
        finally:
            await a.rep.stop()
            await b.rep.stop()

    asyncio.run(go())


def test_batching_keeps_order_in_few_entries(redis_url, prefix):
    import redis

    async def go():
        a = await Node(redis_url, prefix, "A", batch_size=500).start()
        b = await Node(redis_url, prefix, "B").start()
        try:
            for i in range(1200):
                a.rep.publish_count(f"u{i % 7}", 29_000_000 + i, "JP", 1, i, i % 3 != 0)
                if i == 700:
                    a.rep.publish_suspension("u0", "quota:messages_per_day", 1.0)
            await until(lambda: len(b.counts) == 1200)
            await until(lambda: b.suspensions)
            assert [c[4] for c in b.counts] == list(range(1200))
            assert [c[5] for c in b.counts] == [i % 3 != 0 for i in range(1200)]
            assert b.suspensions == [("u0", "quota:messages_per_day", 1.0)]
            assert b.events.index("s") == 701
        finally:
            await a.rep.stop()
            await b.rep.stop()

    asyncio.run(go())
    # 1,201 events published in one go travel as three stream entries of at most 500.
    client = redis.Redis.from_url(redis_url)
    try:
        assert client.xlen(f"{prefix}:counts") == 3
    finally:
        client.close()


def test_a_batch_sent_again_is_not_counted_twice(redis_url, prefix):
    """A batch whose XADD reply was lost is sent again (with what came since): applied once."""
    import json

    import redis

    client = redis.Redis.from_url(redis_url)

    def entry(first, events):
        client.xadd(f"{prefix}:counts", {"n": "X", "s": first, "t": time.time(), "e": json.dumps(events)})

    async def go():
        b = await Node(redis_url, prefix, "B").start()
        try:
            entry(0, [[0, "kate", 5, "JP", 1, 1, 1], [0, "kate", 5, "JP", 1, 2, 1]])
            entry(0, [[0, "kate", 5, "JP", 1, 1, 1], [0, "kate", 5, "JP", 1, 2, 1], [1, "kate", "quota", 9.0]])
            entry(3, [[0, "kate", 5, "JP", 1, 4, 1]])
            await until(lambda: len(b.counts) == 3)
            await asyncio.sleep(0.05)
            assert [c[4] for c in b.counts] == [1, 2, 4] and b.events == ["c", "c", "s", "c"]
        finally:
            await b.rep.stop()
            client.close()

    asyncio.run(go())


def test_stop_sends_what_is_buffered(redis_url, prefix):
    async def go():
        b = await Node(redis_url, prefix, "B").start()
        a = await Node(redis_url, prefix, "A", flush_interval=30.0).start()
        try:
            for i in range(10):
                a.rep.publish_count("carol", 29_000_000, "JP", 1, 1, True)
            a.rep.publish_suspension("carol", "quota:messages_per_hour", 5.0)
            await asyncio.sleep(0.1)
            assert b.counts == []  # still buffered on A
            await a.rep.stop()
            await until(lambda: len(b.counts) == 10 and b.suspensions)
            a.rep.publish_count("carol", 29_000_000, "JP", 1, 1, True)  # after stop: dropped, no error
            assert a.rep.dropped == 1
        finally:
            await b.rep.stop()

    asyncio.run(go())


def test_a_broken_redis_url_stops_start_up_with_one_line(prefix):
    async def go(url):
        rep = RedisReplicator(counters(url, prefix))
        await rep.start(lambda *a: None, lambda *a: None)

    with pytest.raises(FumidaiError) as err:
        asyncio.run(go(f"redis://:secret@127.0.0.1:{_closed_port()}/0"))
    text = str(err.value)
    assert text.startswith("cannot use Redis at redis://:***@127.0.0.1:") and "redis_url" in text
    assert "\n" not in text and "secret" not in text
    with pytest.raises(FumidaiError, match="is not a Redis URL"):
        RedisReplicator(counters("http://127.0.0.1:6379/0", prefix))


def test_redis_down_then_back(redis_url, prefix, proxy, caplog):
    """A keeps publishing without error or delay while Redis is gone, and catches up after."""
    async def go():
        a = await Node(proxy.url, prefix, "A", max_buffer=5).start()
        b = await Node(redis_url, prefix, "B").start()
        try:
            a.rep.publish_count("dave", 1, "JP", 1, 1, True)
            await until(lambda: len(b.counts) == 1 and a.rep.published == 1)  # A has Redis's reply
            proxy.cut()
            await until(lambda: not a.rep.connected, timeout=5)
            started = time.perf_counter()
            for i in range(20):
                a.rep.publish_count("dave", 2, "JP", 1, i, True)
                await asyncio.sleep(0.01)
            a.rep.publish_suspension("dave", "quota:messages_per_hour", 7.0)
            assert time.perf_counter() - started < 1.0
            assert a.rep.dropped >= 15  # only max_buffer events wait for Redis
            proxy.start()  # the same port again
            await until(lambda: a.rep.connected, timeout=8)
            # The first max_buffer counts waited for Redis, in order, and the suspension too.
            await until(lambda: len(b.counts) == 6 and b.suspensions, timeout=5)
            assert [c[4] for c in b.counts[1:]] == [0, 1, 2, 3, 4]
            assert b.events[-1] == "s"
            # B's counts reach A again as well.
            b.rep.publish_count("erin", 3, "JP", 1, 1, True)
            await until(lambda: a.counts, timeout=5)
        finally:
            await a.rep.stop()
            await b.rep.stop()

    with caplog.at_level("WARNING", logger="fumidai.counters.redis"):
        asyncio.run(go())
    unreachable = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(unreachable) == 1  # warned once, not per retry
    assert any("reachable again" in r.getMessage() for r in caplog.records)


def test_publish_cost_and_replication_lag(redis_url, prefix, capsys):
    async def go():
        a = await Node(redis_url, prefix, "A").start()
        b = await Node(redis_url, prefix, "B").start()
        try:
            # Hot path: publishing is an append (the writer runs between bursts).
            n, costs = 2000, []
            for burst in range(20):
                started = time.perf_counter()
                for i in range(n):
                    a.rep.publish_count("frank", 29_000_000, "JP", 1, 1, True)
                costs.append((time.perf_counter() - started) / n * 1e6)
                await asyncio.sleep(0.02)
            await until(lambda: len(b.counts) == 20 * n, timeout=10)
            # Lag: one count at a time, publish on A to apply on B.
            lags = []
            for i in range(40):
                sent = time.time()
                a.rep.publish_count("grace", 29_000_000, "JP", 1, i, True)
                await until(lambda: b.counts[-1][0] == "grace" and b.counts[-1][4] == i)
                lags.append((b.arrived[-1] - sent) * 1000)
                await asyncio.sleep(0.005)
            return statistics.median(costs), statistics.median(lags), max(lags)
        finally:
            await a.rep.stop()
            await b.rep.stop()

    cost_us, lag_ms, worst_ms = asyncio.run(go())
    with capsys.disabled():
        print(f"\npublish_count: {cost_us:.2f} µs per call; lag A→B: median {lag_ms:.1f} ms, max {worst_ms:.1f} ms")
    assert cost_us < 10
    assert lag_ms < 100


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- two policy servers sharing counts -----------------------------------------------------------


@pytest.fixture(scope="module")
def geo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("geo") / "test.mmdb"
    build_from_ranges([("192.0.2.0/24", "JP"), ("198.51.100.0/24", "US")], path)
    return path


@pytest.fixture
def two_nodes(tmp_path, geo_db, prefix):
    """two_nodes(redis_url, store_url=None) -> (A, B): two Services on one store (SQLite by
    default) and one Redis stream."""
    started = []

    def make(url: str, store_url: str | None = None, script_timeout: float = 2.0):
        # The shared quota's wait for Redis: long, so a loaded machine does not make a node decide alone.
        data = {
            # The store is flushed rarely so that only Redis can carry counts between the nodes.
            "storage": {"url": store_url or f"sqlite:///{tmp_path}/fumidai.db", "flush_interval": 60},
            "geoip": {"database": str(geo_db), "home_countries": ["JP"]},
            "limits": {"messages_per_hour": 5, "messages_per_day": 100},
            "counters": {"backend": "redis", "redis_url": url, "redis_prefix": prefix,
                         "script_timeout": script_timeout},
        }
        clock = Clock()
        for _ in range(2):
            started.append(Running(settings_from_dict(data), clock, geo_db))
        return started[-2], started[-1]

    yield make
    for r in started:
        try:
            r.close()
        except Exception:
            pass


def hour_count(node: Running, account: str) -> int:
    async def read():
        st = node.service.counters.get(account)
        return st.usage.hour(int(node.clock() // 60))[0] if st is not None else 0

    return node.call(read())


def wait(predicate, timeout: float = 3.0) -> float:
    started = time.perf_counter()
    while not predicate():
        if time.perf_counter() - started > timeout:
            raise AssertionError("condition not met in time")
        time.sleep(0.005)
    return time.perf_counter() - started


SUSPENDED = "REJECT 5.7.1 Sending from this account is suspended; please contact support"


@pytest.mark.parametrize("crossing", ["A", "B"])
def test_two_nodes_share_one_quota_and_its_suspension(redis_url, two_nodes, crossing, capsys):
    share_one_quota(two_nodes(redis_url), crossing, capsys)


@pytest.mark.postgres
def test_two_nodes_on_postgresql_share_one_quota(redis_url, pg_url, two_nodes, capsys):  # pg_url outlives the nodes
    share_one_quota(two_nodes(redis_url, pg_url), "B", capsys)


def share_one_quota(nodes, crossing, capsys):
    a, b = nodes
    assert [a.message("henry") for _ in range(3)] == ["DUNNO"] * 3
    assert [b.message("henry") for _ in range(2)] == ["DUNNO"] * 2
    wait(lambda: hour_count(a, "henry") == 5 and hour_count(b, "henry") == 5)
    first, other = (a, b) if crossing == "A" else (b, a)
    assert first.message("henry") == SUSPENDED  # the 6th in the hour, on either node
    started = time.perf_counter()
    while (reply := other.ask("RCPT", sasl_username="henry", client_address=JP, instance="x.0")) == "DUNNO":
        assert time.perf_counter() - started < 0.5, "the other node still lets the account send"
        time.sleep(0.005)
    took = time.perf_counter() - started
    assert reply == SUSPENDED
    with capsys.disabled():
        print(f"\nsuspension on {crossing} refused at RCPT on the other node after {took * 1000:.1f} ms")
    # Other accounts are untouched.
    assert a.message("ivy") == "DUNNO"
    assert a.service.replicator.dropped == 0 and b.service.replicator.dropped == 0


def test_nodes_keep_answering_when_redis_goes_down(redis_url, proxy, two_nodes):
    a, b = two_nodes(proxy.url, script_timeout=0.05)  # the default: a cut costs one message 50 ms
    assert a.message("jack") == "DUNNO" and b.message("jack") == "DUNNO"
    wait(lambda: hour_count(a, "jack") == 2 and hour_count(b, "jack") == 2)
    proxy.cut()
    wait(lambda: not a.service.replicator.connected and not b.service.replicator.connected, timeout=5)
    started = time.perf_counter()
    # Each node enforces on what it knows: A had 2, 3 more reach the quota, the 6th is refused.
    assert [a.message("jack") for _ in range(3)] == ["DUNNO"] * 3
    assert a.message("jack") == SUSPENDED
    # B never heard of the last four and still lets jack send; it answers all the same.
    assert b.message("jack") == "DUNNO"
    assert time.perf_counter() - started < 1.0
    assert hour_count(b, "jack") == 3


def test_serve_start_up_stops_on_an_unreachable_redis(tmp_path, geo_db, prefix):
    from fumidai.service import Service

    settings = settings_from_dict({
        "storage": {"url": f"sqlite:///{tmp_path}/fumidai.db"},
        "geoip": {"database": str(geo_db)},
        "counters": {"backend": "redis", "redis_url": f"redis://127.0.0.1:{_closed_port()}/0", "redis_prefix": prefix},
    })
    svc = Service(settings)

    async def go():
        try:
            await svc.start()
        finally:
            svc.store.dispose()

    with pytest.raises(FumidaiError, match=r"^cannot use Redis at redis://127\.0\.0\.1:\d+/0 \(\[counters\] redis_url\): "):
        asyncio.run(go())
