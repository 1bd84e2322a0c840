"""The shared quota's Redis side alone: cost per decision, and Redis memory per account.

    .venv/bin/python bench/shared_quota.py [--calls 20000] [--accounts 200000]

Against a redis-server of its own (``--save ''``, a free port), through
counters.shared_quota.SharedQuota exactly as a node calls it:
  - one decision in flight, then 32 (one node's connections): latency p50/p99, client CPU per
    call (this process), Redis CPU, commands and bytes per call;
  - an account that sent every minute of the day (1,440 buckets, 3 countries): the script
    reads the whole day per decision, so its cost grows with the account's active minutes;
  - memory: ``--accounts`` accounts with a typical day (1–3 active minutes, one country) written
    with the ``seed`` operation; used_memory per account and MEMORY USAGE of one hash, and of
    the busy account's.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "app"))

from cluster import redis_stats, start_redis  # noqa: E402

NOW = time.time()
MINUTE = int(NOW // 60)


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


async def decisions(quota, limits, accounts, inflight: int, client, label: str) -> None:
    from fumidai.policy.limits import Quota

    cap = [("abroad", "reject", "!JP,QI", Quota(messages_per_day=10_000_000))]  # summed, never reached
    lat: list[float] = []
    queue = list(accounts)
    before = redis_stats(client)
    cpu0, t0 = time.process_time(), time.perf_counter()

    async def worker():
        while queue:
            account = queue.pop()
            t = time.perf_counter()
            answer = await quota.decide(account, MINUTE, NOW, "JP", 2, False, limits, "suspend", cap)
            lat.append(time.perf_counter() - t)
            assert answer is not None and answer.added, answer

    await asyncio.gather(*(worker() for _ in range(inflight)))
    n = len(lat)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - t0
    after = redis_stats(client)
    cmds = sum(after["calls"].values()) - sum(before["calls"].values())
    print(f"{label:44} {n / wall:7.0f} calls/s  p50 {pct(lat, .5):5.2f} ms  p99 {pct(lat, .99):5.2f} ms  client CPU "
          f"{cpu / n * 1e6:5.1f} µs  Redis CPU {(after['cpu'] - before['cpu']) / n * 1e6:5.1f} µs  "
          f"{(after['in'] - before['in'] + after['out'] - before['out']) / n:4.0f} bytes  {cmds / n:.2f} commands per call",
          flush=True)


async def main_async(args, port: int) -> None:
    import redis.asyncio as aioredis

    from fumidai.config import settings_from_dict
    from fumidai.counters.shared_quota import SharedQuota, account_keys
    from fumidai.policy.limits import Quota

    prefix = "bench"
    settings = settings_from_dict({"counters": {"backend": "redis", "redis_url": f"redis://127.0.0.1:{port}/0",
                                                "redis_prefix": prefix, "script_timeout": 5.0}}).counters
    quota = SharedQuota(settings, "bench:1:00000000", lambda a: True, time.time)
    await quota.start()
    client = __import__("redis").Redis(port=port)
    limits = Quota(messages_per_hour=100_000, messages_per_day=1_000_000, recipients_per_hour=300_000,
                   recipients_per_day=3_000_000)
    try:
        fresh = [f"user{i:07d}" for i in range(args.calls)]
        await decisions(quota, limits, fresh, 1, client, "new accounts, 1 in flight")
        await decisions(quota, limits, [f"x{a}" for a in fresh], 32, client, "new accounts, 32 in flight")
        await decisions(quota, limits, fresh[: args.calls // 2], 32, client, "accounts with 1 minute, 32 in flight")

        # One account busy all day: 1,440 minutes from 3 countries (4,320 fields, and their vouched part).
        busy = "busy"
        r = aioredis.Redis(port=port)
        cells = []
        for mi in range(MINUTE - 1439, MINUTE + 1):
            for cc in ("JP", "US", "KR"):
                cells += [f"a:{cc}:{mi}", 1, 1]
        for i in range(0, len(cells), 3000):
            await r.evalsha(quota.sha, 3, *account_keys(prefix, busy), "seed", MINUTE, 5, 10_000_000,
                            *cells[i:i + 3000])
        print(f"busy account: {await r.hlen(account_keys(prefix, busy)[0])} fields, MEMORY USAGE "
              f"{await r.memory_usage(account_keys(prefix, busy)[0])} bytes")
        await decisions(quota, limits, [busy] * max(args.calls // 20, 200), 1, client,
                        "the busy account (1,440 minutes x 3), 1 in flight")

        # Memory: many accounts with a typical day.
        client.flushall()  # this benchmark's own Redis
        base = client.info("memory")["used_memory"]
        rng = random.Random(1)
        pipe = r.pipeline(transaction=False)
        for i in range(args.accounts):
            cells = []
            for _ in range(rng.choice((1, 1, 2, 3))):
                cells += [f"a:JP:{MINUTE - rng.randrange(1440)}", rng.randrange(1, 4), rng.randrange(1, 8)]
            pipe.evalsha(quota.sha, 3, *account_keys(prefix, f"user{i:07d}"), "seed", MINUTE, 5, 10_000_000, *cells)
            if len(pipe) >= 2000:
                await pipe.execute()
        await pipe.execute()
        used = client.info("memory")["used_memory"] - base
        sample = [client.memory_usage(account_keys(prefix, f"user{i:07d}")[0]) for i in range(0, args.accounts, 997)]
        print(f"memory: {args.accounts} accounts with 1-3 active minutes: used_memory +{used / 1e6:.1f} MB = "
              f"{used / args.accounts:.0f} bytes per account; MEMORY USAGE of one hash, mean "
              f"{sum(sample) / len(sample):.0f} bytes; 1M such accounts ≈ {used / args.accounts * 1e6 / 1e9:.2f} GB")
        await r.aclose()
    finally:
        client.close()
        await quota.close()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=20_000)
    ap.add_argument("--accounts", type=int, default=200_000)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="fumidai-shared-bench-"))
    proc, port = start_redis(folder)
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} (other work on this machine counts)")
    try:
        __import__("uvloop").run(main_async(args, port))
    finally:
        proc.terminate()
        proc.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
