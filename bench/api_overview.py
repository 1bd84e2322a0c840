"""Overview cost with 100,000 active accounts, and what polling it does to policy latency.

    .venv/bin/python bench/api_overview.py [--accounts 100000] [--seconds 8] [--rate 2000]

1. feeds N accounts through ``Service.handle`` (one message each, from Japan);
2. times ``svc.overview(60, 50)`` in process and ``GET /api/v1/overview`` over HTTP
   (p50/p95; target p95 < 50 ms);
3. runs the real policy server under a paced load from another process, first alone and
   then while a client polls what a desk polls (overview, the 5,000 busiest accounts,
   countries, alerts) every second, and compares the policy p99 (target: less than twice as high).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def _request(account: str, stage: str, instance: str, client: str) -> bytes:
    attrs = {"request": "smtpd_access_policy", "protocol_state": stage, "protocol_name": "ESMTP",
             "client_address": client, "client_name": "unknown", "sasl_method": "PLAIN",
             "sasl_username": account, "instance": instance, "recipient_count": "1" if stage == "DATA" else "0",
             "recipient": "rcpt@example.net" if stage == "RCPT" else "", "size": "311"}
    return "".join(f"{k}={v}\n" for k, v in attrs.items()).encode() + b"\n"


def load(policy_port: int, api_url: str | None, token: str, seconds: float, rate: float, clients: list[str],
         conns: int, out: mp.Queue) -> None:
    """In its own process: ``conns`` connections sending at ``rate`` req/s in total; latencies back."""
    latencies: list[float] = []
    overview_ms: list[float] = []
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def worker(k: int) -> None:
        s = socket.create_connection(("127.0.0.1", policy_port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        interval = conns / rate
        due = time.monotonic()
        n = 0
        mine = []
        while time.monotonic() < stop:
            n += 1
            data = _request(f"load{k}-{n % 500}", "RCPT", f"{k}.{n}", clients[n % len(clients)])
            t0 = time.perf_counter()
            s.sendall(data)
            buf = b""
            while not buf.endswith(b"\n\n"):
                buf += s.recv(4096)
            mine.append(time.perf_counter() - t0)
            due += interval
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
        s.close()
        with lock:
            latencies.extend(mine)

    def poller() -> None:
        import httpx

        with httpx.Client(base_url=api_url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as c:
            while time.monotonic() < stop:
                # What one desk asks every poll (desk/poller.py), once a second.
                t0 = time.perf_counter()
                c.get("/api/v1/overview", params={"window": 60, "limit": 50}).raise_for_status()
                overview_ms.append((time.perf_counter() - t0) * 1000)
                c.get("/api/v1/accounts", params={"status": "active", "sort": "-rate", "limit": 5000}).raise_for_status()
                c.get("/api/v1/countries", params={"window": 3600}).raise_for_status()
                c.get("/api/v1/alerts", params={"after_id": 0, "limit": 200}).raise_for_status()
                time.sleep(max(0.0, 1.0 - (time.perf_counter() - t0)))

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(conns)]
    if api_url:
        threads.append(threading.Thread(target=poller))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put((latencies, overview_ms))


async def main(args) -> None:
    from fumidai.api.app import app_for_service
    from fumidai.api.server import serve_api
    from fumidai.config import settings_from_dict
    from fumidai.geo.build import build_demo, demo_address
    from fumidai.postfix.server import PolicyServer
    from fumidai.service import Service
    from fumidai.store import repo

    tmp = Path(tempfile.mkdtemp(prefix="fumidai-bench-"))
    build_demo(tmp / "demo.mmdb")
    settings = settings_from_dict({
        "policy": {"listen": f"127.0.0.1:{_free_port()}"},
        "api": {"listen": f"127.0.0.1:{_free_port()}"},
        "storage": {"url": f"sqlite:///{tmp / 'bench.db'}"},
        "geoip": {"database": str(tmp / "demo.mmdb")},
    })
    svc = Service(settings)
    await svc.start()
    jp = [demo_address("JP") for _ in range(50)]
    t0 = time.perf_counter()
    for i in range(args.accounts):
        client = jp[i % len(jp)]
        svc.handle({"request": "smtpd_access_policy", "protocol_state": "RCPT", "sasl_username": f"user{i:06d}",
                    "client_address": client, "instance": f"i{i}", "recipient_count": "0",
                    "recipient": "rcpt@example.net"})
        svc.handle({"request": "smtpd_access_policy", "protocol_state": "DATA", "sasl_username": f"user{i:06d}",
                    "client_address": client, "instance": f"i{i}", "recipient_count": "1"})
        if i % 5000 == 0:
            await asyncio.sleep(0)  # let the flusher run
    feed = time.perf_counter() - t0
    print(f"fed {args.accounts} accounts ({2 * args.accounts} requests) in {feed:.1f} s "
          f"= {2 * args.accounts / feed:,.0f} req/s through Service.handle")

    # The feed takes longer than a minute on a busy machine: the hour window holds them all.
    for window in (3600, 60):
        timings = []
        for _ in range(30):
            t = time.perf_counter()
            ov = svc.overview(window, 50)
            timings.append((time.perf_counter() - t) * 1000)
        print(f"svc.overview({window}, 50) in process: first {timings[0]:.1f} ms, p50 {statistics.median(timings):.1f} ms, "
              f"p95 {_pct(timings, 0.95):.1f} ms (active {ov['totals']['active_accounts']})")

    app = app_for_service(svc)
    api = await serve_api(app, settings)
    policy = PolicyServer(svc.handle, settings.policy.listen, settings.policy.read_timeout,
                          settings.policy.max_connections, attributes=svc.ATTRIBUTES)
    await policy.start()
    with svc.store.session() as s:
        token = repo.add_staff(s, "bench", "viewer")
    import httpx

    async with httpx.AsyncClient(base_url=api.address, headers={"Authorization": f"Bearer {token}"}, timeout=60) as c:
        http_ms = []
        for _ in range(20):
            t = time.perf_counter()
            (await c.get("/api/v1/overview", params={"window": 3600, "limit": 50})).raise_for_status()
            http_ms.append((time.perf_counter() - t) * 1000)
    print(f"GET /api/v1/overview?window=3600 over HTTP (idle server): p50 {statistics.median(http_ms):.1f} ms, "
          f"p95 {_pct(http_ms, 0.95):.1f} ms")

    port = int(settings.policy.listen.rpartition(":")[2])
    ctx = mp.get_context("spawn")
    results = {}
    for phase, url in (("alone", None), ("with overview polling", api.address)):
        q = ctx.Queue()
        p = ctx.Process(target=load, args=(port, url, token, args.seconds, args.rate, jp, 4, q))
        p.start()
        while p.is_alive() and q.empty():
            await asyncio.sleep(0.05)  # keep the loop serving while the load runs
        lat, ov_ms = q.get()
        p.join()
        lat_ms = [x * 1000 for x in lat]
        results[phase] = _pct(lat_ms, 0.99)
        extra = (f"; overview p50 {statistics.median(ov_ms):.1f} ms, max {max(ov_ms):.1f} ms ({len(ov_ms)} polls)"
                 if ov_ms else "")
        print(f"policy {phase}: {len(lat)} requests ({len(lat) / args.seconds:,.0f}/s), "
              f"p50 {statistics.median(lat_ms):.3f} ms, p99 {results[phase]:.3f} ms{extra}")
    ratio = results["with overview polling"] / results["alone"]
    print(f"policy p99 rise while polling: x{ratio:.2f} (target < 2)")
    await policy.stop()
    await api.stop()
    await svc.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rate", type=float, default=2000.0, help="policy requests per second offered")
    sys.exit(asyncio.run(main(parser.parse_args())))
