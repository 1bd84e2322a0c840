"""Several policy servers, one quota: the cost of deciding counted messages in Redis.

    .venv/bin/python bench/cluster.py [--nodes 3] [--connections 32] [--rate 1000] [--seconds 10]
                                      [--accounts 10000]

Runs, in one go on this machine (so the figures compare like with like):
  1. one `fumidai serve` with in-memory counters (the single-node baseline);
  2. ``--nodes`` `fumidai serve` processes sharing a Redis of this benchmark's own
     (``redis-server --port <free> --save ''``) with ``[counters] backend = "redis"`` and the
     shared quota on, one SQLite store.
Each node gets ``--connections`` connections paced at ``--rate`` requests/s (RCPT per recipient
plus DATA per message, Zipf-like accounts, as bench/policy_server.py). Reported per run: p50/p99
of the policy answer, server CPU per request (from /proc), and for the cluster Redis round trips
per message (EVALSHA, XADD, XREAD from INFO commandstats), Redis CPU and network bytes per
message, and Redis memory per active account (MEMORY USAGE of the buckets and used_memory).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "app"))

from policy_server import Workload, cpu_seconds, drive, free_port, rss_mb, wait_line  # noqa: E402

LIMITS = ("[limits]\nmessages_per_hour = 100000\nmessages_per_day = 1000000\nrecipients_per_hour = 300000\n"
          "recipients_per_day = 3000000\n[limits.abroad]\nmessages_per_day = 1000000\n")


def start_redis(folder: Path) -> tuple[subprocess.Popen, int]:
    exe = shutil.which("redis-server")
    if exe is None:
        sys.exit("redis-server is not installed")
    port = free_port()
    proc = subprocess.Popen([exe, "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(folder)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis

    deadline = time.time() + 10
    while True:
        try:
            redis.Redis(port=port).ping()
            return proc, port
        except Exception:
            if time.time() > deadline:
                raise
            time.sleep(0.05)


def redis_stats(client) -> dict:
    info = client.info("all")
    calls = {k[len("cmdstat_"):]: v["calls"] for k, v in info.items() if k.startswith("cmdstat_")}
    return {"cpu": info["used_cpu_user"] + info["used_cpu_sys"], "in": info["total_net_input_bytes"],
            "out": info["total_net_output_bytes"], "calls": calls, "memory": info["used_memory"]}


def configs(folder: Path, mmdb: Path, n: int, redis_port: int | None, shared: bool = True,
            behaviour: bool = True) -> list[tuple[Path, int]]:
    out = []
    prefix = f"bench-{uuid.uuid4().hex[:6]}"
    for i in range(n):
        policy, api = free_port(), free_port()
        cfg = folder / f"node{i}.toml"
        text = (f'[policy]\nlisten = "127.0.0.1:{policy}"\n[api]\nlisten = "127.0.0.1:{api}"\n'
                f'[storage]\nurl = "sqlite:///{folder}/{prefix}.db"\n[geoip]\ndatabase = "{mmdb}"\n'
                f'[complaints]\ntrace_header = ""\n' + LIMITS)
        if not behaviour:  # also no behaviour stream: the quota's own cost alone
            text += "[behaviour]\nenabled = false\n"
        if redis_port is not None:
            text += (f'[counters]\nbackend = "redis"\nredis_url = "redis://127.0.0.1:{redis_port}/0"\n'
                     f'redis_prefix = "{prefix}"\nshared_quota = {"true" if shared else "false"}\n')
        cfg.write_text(text)
        out.append((cfg, policy))
    return out


async def load(ports: list[int], args, warm: bool) -> tuple[list[list[float]], int]:
    """Every node driven at once; latencies per node and requests sent."""
    lats: list[list[float]] = [[] for _ in ports]
    works = [Workload(args.accounts, seed=i + (10 if warm else 1)) for i in range(len(ports))]
    counts = await asyncio.gather(*(
        drive(port, works[i], args.connections, 2.0 if warm else args.seconds, None if warm else lats[i],
              rate=args.rate) for i, port in enumerate(ports)))
    return lats, sum(counts)


def run(label: str, cfgs, args, env, redis_client=None) -> dict:
    logs, procs = [], []
    try:
        for cfg, _ in cfgs:
            log = open(cfg.with_suffix(".log"), "w")
            logs.append(log)
            procs.append(subprocess.Popen([sys.executable, "-m", "fumidai.cli", "serve", "--config", str(cfg)],
                                          stdout=subprocess.PIPE, stderr=log, text=True, env=env))
            wait_line(procs[-1], "policy server on", timeout=120)  # one at a time: the first makes the store
        ports = [port for _, port in cfgs]
        uv = __import__("uvloop")
        uv.run(load(ports, args, warm=True))
        before = redis_stats(redis_client) if redis_client else None
        cpu0 = [cpu_seconds(p.pid) for p in procs]
        t0 = time.perf_counter()
        lats, n = uv.run(load(ports, args, warm=False))
        elapsed = time.perf_counter() - t0
        cpu = sum(cpu_seconds(p.pid) - c for p, c in zip(procs, cpu0))
        after = redis_stats(redis_client) if redis_client else None
        allv = sorted(x for per in lats for x in per)
        p99s = [sorted(per)[int(len(per) * 0.99)] * 1000 for per in lats if per]
        res = {"label": label, "req_per_s": n / elapsed, "p50_ms": allv[len(allv) // 2] * 1000,
               "p99_ms": allv[int(len(allv) * 0.99)] * 1000, "p99_worst_node_ms": max(p99s),
               "cpu_us_per_req": cpu / n * 1e6, "rss_mb": max(rss_mb(p.pid) for p in procs)}
        print(f"{label:26} {res['req_per_s']:6.0f} req/s  p50 {res['p50_ms']:5.2f} ms  p99 {res['p99_ms']:5.2f} ms "
              f"(worst node {res['p99_worst_node_ms']:5.2f})  server CPU {res['cpu_us_per_req']:6.1f} µs/req  "
              f"RSS {res['rss_mb']:.0f} MB", flush=True)
        if before is not None:
            calls = {k: after["calls"].get(k, 0) - before["calls"].get(k, 0) for k in after["calls"]}
            messages = calls.get("evalsha", 0) or 1
            trips = {k: v / messages for k, v in calls.items() if v and k in ("evalsha", "xadd", "xread", "publish")}
            res.update(messages=messages, redis_cpu_us_per_msg=(after["cpu"] - before["cpu"]) / messages * 1e6,
                       bytes_per_msg=(after["in"] - before["in"] + after["out"] - before["out"]) / messages,
                       calls_per_msg=trips)
            print(f"  Redis: {messages} counted messages; per message {res['redis_cpu_us_per_msg']:.1f} µs Redis CPU, "
                  f"{res['bytes_per_msg']:.0f} bytes in+out; commands per message "
                  + ", ".join(f"{k} {v:.3f}" for k, v in sorted(trips.items())), flush=True)
        return res
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
        for log in logs:
            log.close()
        # Times a node gave up on Redis (script_timeout) and decided alone for a second.
        gave_up = sum(cfg.with_suffix(".log").read_text(errors="replace").count("did not answer the quota script")
                      for cfg, _ in cfgs)
        if gave_up:
            print(f"  the nodes fell back to their own counts {gave_up} times (a script call over [counters] "
                  "script_timeout, then a second alone)", flush=True)


def memory_per_account(client, args) -> None:
    keys = [k for k in client.scan_iter(match="*:b", count=1000)]
    if not keys:
        return
    sample = keys[:2000]
    usage = [client.memory_usage(k) or 0 for k in sample]
    fields = [client.hlen(k) for k in sample]
    info = client.info("memory")
    print(f"  Redis memory: {len(keys)} active accounts; MEMORY USAGE of a bucket hash: mean "
          f"{sum(usage) / len(usage):.0f} bytes ({sum(fields) / len(fields):.1f} fields); used_memory "
          f"{info['used_memory'] / 1e6:.1f} MB = {info['used_memory'] / len(keys):.0f} bytes per active account "
          "(a run of minutes, not a full day: see docs/scale.md)")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=3)
    ap.add_argument("--connections", type=int, default=32, help="per node")
    ap.add_argument("--rate", type=float, default=1000, help="requests/s per node (paced)")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--accounts", type=int, default=10_000)
    ap.add_argument("--stream-only-too", action="store_true",
                    help="also run the nodes with shared_quota = false (counts through the stream only, as before)")
    ap.add_argument("--no-behaviour", action="store_true",
                    help="[behaviour] enabled = false in every run (no behaviour stream between the nodes)")
    args = ap.parse_args()

    import redis

    from fumidai.geo.build import build_demo

    folder = Path(tempfile.mkdtemp(prefix="fumidai-cluster-bench-"))
    mmdb = folder / "demo.mmdb"
    build_demo(mmdb)
    env = dict(os.environ, PYTHONPATH=str(HERE.parent / "app"))
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} before (other work on this machine counts)"
          + ("; behaviour analysis off" if args.no_behaviour else ""))
    beh = not args.no_behaviour
    single = run("1 node, memory counters", configs(folder / "", mmdb, 1, None, behaviour=beh), args, env)
    rproc, rport = start_redis(folder)
    try:
        client = redis.Redis(port=rport)
        if args.stream_only_too:
            run(f"{args.nodes} nodes, stream only",
                configs(folder, mmdb, args.nodes, rport, shared=False, behaviour=beh), args, env, client)
        multi = run(f"{args.nodes} nodes, shared quota", configs(folder, mmdb, args.nodes, rport, behaviour=beh), args,
                    env, client)
        memory_per_account(client, args)
    finally:
        rproc.terminate()
        rproc.wait(10)
    print(f"\nsame run, per node at {args.rate:.0f} req/s over {args.connections} connections: p99 "
          f"{multi['p99_ms']:.2f} vs {single['p99_ms']:.2f} ms ({multi['p99_ms'] / single['p99_ms']:.2f}x), server CPU "
          f"per request {multi['cpu_us_per_req']:.1f} vs {single['cpu_us_per_req']:.1f} µs "
          f"({multi['cpu_us_per_req'] / single['cpu_us_per_req']:.2f}x); load average after {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
