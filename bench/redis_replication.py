"""Counts shared through Redis: hot-path cost, replication lag and CPU under a paced load.

    .venv/bin/python bench/redis_replication.py [--redis redis://127.0.0.1:6379/15] [--rate 5000] [--seconds 5]

A publisher process plays one policy server counting ``--rate`` messages a second over
10,000 accounts; this process plays another node and applies them to real in-memory
counters (what ``Service.apply_remote_count`` does). Reported: µs per ``publish_count``
on the publisher, lag from publish to apply (p50/p99/max of the newest-batch lag sampled
every 2 ms), and CPU seconds per 10,000 counts on each side.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import time
import uuid


def _settings(url: str, prefix: str):
    from fumidai.config import settings_from_dict

    return settings_from_dict({"counters": {"backend": "redis", "redis_url": url, "redis_prefix": prefix}}).counters


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def publisher(url: str, prefix: str, rate: int, seconds: float, out) -> None:
    from fumidai.counters.redis import RedisReplicator

    async def go():
        rep = RedisReplicator(_settings(url, prefix), node="bench-publisher")
        await rep.start(lambda *a: None, lambda *a: None)
        cpu0, spent, n = time.process_time(), 0.0, 0
        start = time.perf_counter()
        tick = 0.001
        while (elapsed := time.perf_counter() - start) < seconds:
            due = int(elapsed * rate)
            t0 = time.perf_counter()
            minute = int(time.time() // 60)
            while n < due:
                rep.publish_count(f"user{n % 10_000}@isp.example", minute, "JP", 1, 2, True)
                n += 1
            spent += time.perf_counter() - t0
            await asyncio.sleep(tick)
        await rep.stop()
        out.put((n, spent / max(n, 1) * 1e6, time.process_time() - cpu0, rep.published, rep.dropped))

    asyncio.run(go())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    ap.add_argument("--rate", type=int, default=5000, help="counts per second")
    ap.add_argument("--seconds", type=float, default=5.0)
    args = ap.parse_args()

    from fumidai.counters.memory import MemoryCounters
    from fumidai.counters.redis import RedisReplicator

    prefix = f"fumidai-bench-{uuid.uuid4().hex[:8]}"
    counters = MemoryCounters()

    def apply_count(account, minute, country, messages, recipients, accepted):
        counters.state(account).usage.record(minute, country, messages, recipients, accepted)
        counters.record(minute, account, country, messages, recipients, accepted)

    async def go():
        rep = RedisReplicator(_settings(args.redis, prefix), node="bench-receiver")
        await rep.start(apply_count, lambda *a: None)
        out = mp.get_context("spawn").Queue()
        proc = mp.get_context("spawn").Process(target=publisher, args=(args.redis, prefix, args.rate, args.seconds, out))
        cpu0 = time.process_time()
        proc.start()
        lags, last_applied = [], 0
        while proc.is_alive() or out.empty():
            await asyncio.sleep(0.002)
            if rep.applied != last_applied:
                last_applied = rep.applied
                lags.append(rep.lag * 1000)
            if not proc.is_alive() and out.empty():
                break
        n, publish_us, pub_cpu, published, dropped = out.get(timeout=10)
        deadline = time.perf_counter() + 5
        while rep.applied < published and time.perf_counter() < deadline:
            await asyncio.sleep(0.01)
        recv_cpu = time.process_time() - cpu0
        applied = rep.applied
        await rep.stop()
        proc.join()
        import redis

        client = redis.Redis.from_url(args.redis)
        entries = client.xlen(f"{prefix}:counts")
        client.delete(f"{prefix}:counts")
        client.close()
        print(f"counts: {n} published over {args.seconds:.0f} s ({args.rate}/s), {applied} applied on the other node, "
              f"{dropped} dropped, {entries} stream entries")
        print(f"publish_count: {publish_us:.2f} µs per call on the hot path")
        print(f"lag publish → apply: p50 {_pct(lags, 0.5):.1f} ms, p99 {_pct(lags, 0.99):.1f} ms, "
              f"max {max(lags, default=float('nan')):.1f} ms")
        print(f"CPU per 10,000 counts: publisher {pub_cpu / max(n, 1) * 1e4:.3f} s (whole process), "
              f"receiver {recv_cpu / max(applied, 1) * 1e4:.3f} s")

    asyncio.run(go())


if __name__ == "__main__":
    main()
