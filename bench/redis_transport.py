"""What TLS, an ACL user and Sentinel cost the shared counts: the same paced load over each.

    .venv/bin/python bench/redis_transport.py [--rate 5000] [--seconds 5] [--only plain,tls,acl,sentinel]

Starts its own redis-server (plain; TLS with a CA made here by openssl; an ACL user with a
password file; a sentinel in front of a plain one) on free loopback ports, then for each: a
publisher process plays one policy server counting ``--rate`` messages a second over 10,000
accounts and this process applies them as another node. Reported per transport: µs per
``publish_count`` on the hot path, lag publish → apply (p50/p99/max of the newest-batch lag,
sampled every 2 ms), CPU seconds per 10,000 counts on each side, and the time to start a
replicator (connect, handshake, authenticate, find the master).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def _settings(keys: dict):
    from fumidai.config import settings_from_dict

    return settings_from_dict({"counters": {"backend": "redis", **keys}}).counters


def _wait(ping, proc, what: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited")
        try:
            if ping():
                return
        except Exception:
            pass
        time.sleep(0.05)
    raise SystemExit(f"{what} did not answer")


def start_servers(folder: Path, only: set[str]) -> tuple[dict[str, dict], list[subprocess.Popen]]:
    """The [counters] keys of each transport, and the processes to kill at the end."""
    import redis

    server = shutil.which("redis-server") or sys.exit("redis-server is not installed")
    procs: list[subprocess.Popen] = []
    out: dict[str, dict] = {}
    common = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]

    def run(args, name):
        procs.append(subprocess.Popen([server, *args], cwd=folder, stdout=(folder / f"{name}.log").open("wb"),
                                      stderr=subprocess.STDOUT))
        return procs[-1]

    if "plain" in only:
        port = _free_port()
        p = run(["--port", str(port), *common], "plain")
        _wait(lambda: redis.Redis(port=port).ping(), p, "redis-server")
        out["plain"] = {"redis_url": f"redis://127.0.0.1:{port}/0"}
    if "tls" in only:
        def ossl(*a):
            subprocess.run(["openssl", *a], cwd=folder, check=True, capture_output=True)

        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        ossl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=bench-ca")
        (folder / "san.ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
        ossl("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost")
        ossl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "server.crt", "-days", "2", "-extfile", "san.ext")
        port = _free_port()
        p = run(["--port", "0", "--tls-port", str(port), "--tls-cert-file", "server.crt", "--tls-key-file",
                 "server.key", "--tls-ca-cert-file", "ca.crt", "--tls-auth-clients", "no", *common], "tls")
        keys = {"redis_url": f"rediss://127.0.0.1:{port}/0", "redis_ca_file": str(folder / "ca.crt")}
        from fumidai.counters.connection import sync_redis

        _wait(lambda: sync_redis(_settings(keys)).ping(), p, "redis-server --tls-port")
        out["tls"] = keys
    if "acl" in only:
        port = _free_port()
        conf = folder / "acl.conf"
        conf.write_text(f'port {port}\nbind 127.0.0.1\nsave ""\nappendonly no\nuser default off\n'
                        "user fumidai on >bench-secret ~* +@all -@dangerous\n")
        p = run([str(conf)], "acl")
        _wait(lambda: redis.Redis(port=port, username="fumidai", password="bench-secret").ping(), p, "ACL server")
        secret = folder / "redis.pass"
        secret.write_text("bench-secret\n")
        os.chmod(secret, 0o600)
        out["acl"] = {"redis_url": f"redis://127.0.0.1:{port}/0", "redis_username": "fumidai",
                      "redis_password_file": str(secret)}
    if "sentinel" in only:
        master = _free_port()
        p = run(["--port", str(master), *common], "master")
        _wait(lambda: redis.Redis(port=master).ping(), p, "redis-server")
        port = _free_port()
        conf = folder / "sentinel.conf"
        conf.write_text(f"port {port}\nbind 127.0.0.1\nsentinel monitor bench 127.0.0.1 {master} 1\n")
        p = run([str(conf), "--sentinel"], "sentinel")
        _wait(lambda: redis.Redis(port=port).execute_command("SENTINEL", "get-master-addr-by-name", "bench"),
              p, "sentinel")
        out["sentinel"] = {"redis_url": "redis:///0", "redis_sentinels": [f"127.0.0.1:{port}"],
                           "redis_sentinel_master": "bench"}
    return out, procs


def publisher(keys: dict, rate: int, seconds: float, out) -> None:
    from fumidai.counters.redis import RedisReplicator

    async def go():
        rep = RedisReplicator(_settings(keys), node="bench-publisher")
        await rep.start(lambda *a: None, lambda *a: None)
        cpu0, spent, n = time.process_time(), 0.0, 0
        start = time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds:
            due = int(elapsed * rate)
            t0 = time.perf_counter()
            minute = int(time.time() // 60)
            while n < due:
                rep.publish_count(f"user{n % 10_000}@isp.example", minute, "JP", 1, 2, True)
                n += 1
            spent += time.perf_counter() - t0
            await asyncio.sleep(0.001)
        await rep.stop()
        out.put((n, spent / max(n, 1) * 1e6, time.process_time() - cpu0, rep.published, rep.dropped))

    asyncio.run(go())


async def one_transport(name: str, keys: dict, rate: int, seconds: float) -> str:
    from fumidai.counters.memory import MemoryCounters
    from fumidai.counters.redis import RedisReplicator

    counters = MemoryCounters()

    def apply_count(account, minute, country, messages, recipients, accepted):
        counters.state(account).usage.record(minute, country, messages, recipients, accepted)
        counters.record(minute, account, country, messages, recipients, accepted)

    keys = {**keys, "redis_prefix": f"fumidai-bench-{uuid.uuid4().hex[:8]}"}
    starts = []
    for _ in range(5):  # connect + handshake + auth + master lookup, as at start-up
        probe = RedisReplicator(_settings(keys), node=f"bench-probe-{uuid.uuid4().hex[:4]}")
        t0 = time.perf_counter()
        await probe.start(lambda *a: None, lambda *a: None)
        starts.append((time.perf_counter() - t0) * 1000)
        await probe.stop()
    rep = RedisReplicator(_settings(keys), node="bench-receiver")
    await rep.start(apply_count, lambda *a: None)
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    proc = ctx.Process(target=publisher, args=(keys, rate, seconds, out))
    cpu0 = time.process_time()
    proc.start()
    lags, last = [], 0
    while proc.is_alive() and out.empty():
        await asyncio.sleep(0.002)
        if rep.applied != last:
            last = rep.applied
            lags.append(rep.lag * 1000)
    n, publish_us, pub_cpu, published, dropped = out.get(timeout=30)
    deadline = time.perf_counter() + 5
    while rep.applied < published and time.perf_counter() < deadline:
        await asyncio.sleep(0.01)
    recv_cpu = time.process_time() - cpu0
    applied = rep.applied
    await rep.stop()
    proc.join()
    return (f"{name:9s} start {_pct(starts, 0.5):5.1f} ms | publish {publish_us:5.2f} µs | lag p50 "
            f"{_pct(lags, 0.5):5.1f} ms p99 {_pct(lags, 0.99):5.1f} ms max {max(lags, default=float('nan')):6.1f} ms | "
            f"CPU/10k counts: publisher {pub_cpu / max(n, 1) * 1e4:.3f} s, receiver "
            f"{recv_cpu / max(applied, 1) * 1e4:.3f} s | {n} sent, {applied} applied, {dropped} dropped")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rate", type=int, default=5000, help="counts per second")
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--only", default="plain,tls,acl,sentinel")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="fumidai-bench-") as tmp:
        transports, procs = start_servers(Path(tmp), set(args.only.split(",")))
        try:
            print(f"{args.rate} counts/s for {args.seconds:g} s over 10,000 accounts, publisher in its own process")
            for name, keys in transports.items():
                print(asyncio.run(one_transport(name, keys, args.rate, args.seconds)), flush=True)
        finally:
            for p in procs:
                p.kill()
                p.wait()


if __name__ == "__main__":
    main()
