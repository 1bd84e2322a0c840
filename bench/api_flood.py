"""Policy latency while the API is under a hostile flood: the API shares the policy loop.

    .venv/bin/python bench/api_flood.py [--seconds 10] [--rate 1000] [--connections 8]

Runs `fumidai serve`, then measures policy answers (paced RCPT/DATA load as in
bench/policy_server.py) twice: idle, and while one unauthenticated client keeps posting
100 MB bodies to a staff action and another sends 50 requests a second with random bad
tokens. Target (issue 15): policy p99 under the flood < 2x idle. Also prints how much of
each 100 MB body the server accepted before it answered, and the flood's answers.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import secrets
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "app"))

from policy_server import Workload, bench_config, cpu_seconds, drive, free_port, wait_line  # noqa: E402

# The control: the same flood aimed at a stand-in HTTP server in another process, which
# answers every request 401 and closes. What the policy p99 loses then is the machine's
# (two shared cores), not the shared event loop's.
STAND_IN = r'''
import asyncio, sys
async def handle(reader, writer):
    try:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
        await writer.drain()
    except Exception:
        pass
    writer.close()
async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]))
    print("ready", flush=True)
    await server.serve_forever()
asyncio.run(main())
'''

HUNDRED_MB = 100 * 2**20


def big_bodies(port: int, seconds: float, mbit: float, out) -> None:
    """Post 100 MB bodies without a token, back to back, at ``mbit`` Mbit/s (0: as fast as loopback
    takes them); report bytes accepted per attempt."""
    accepted, answers = [], Counter()
    started, total = time.monotonic(), 0
    stop = time.monotonic() + seconds
    piece = b"x" * 65536
    head = (f"POST /api/v1/accounts/alice/suspend HTTP/1.1\r\nHost: fumidai\r\nContent-Type: application/json\r\n"
            f"Content-Length: {HUNDRED_MB}\r\n\r\n").encode()
    while time.monotonic() < stop:
        sent = 0
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(head)
            try:
                while sent < HUNDRED_MB and time.monotonic() < stop:
                    n = s.send(piece)
                    sent += n
                    total += n
                    if mbit:  # a real attacker's link, not the loopback's copy speed
                        time.sleep(max(0.0, started + total * 8 / (mbit * 1e6) - time.monotonic()))
            except (BrokenPipeError, ConnectionResetError, socket.timeout):
                pass
            try:
                answers[s.recv(12).decode(errors="replace")[9:12] or "closed"] += 1
            except OSError:
                answers["reset"] += 1
        accepted.append(sent)
    out.put(("bodies", accepted, dict(answers)))


def bad_tokens(port: int, seconds: float, per_second: float, out) -> None:
    """GET a live view with a fresh random token, ``per_second`` times a second."""
    import http.client

    answers = Counter()
    stop = time.monotonic() + seconds
    due = time.monotonic()
    while time.monotonic() < stop:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request("GET", "/api/v1/overview", headers={"Authorization": f"Bearer {secrets.token_urlsafe(32)}"})
            answers[conn.getresponse().status] += 1
        except OSError as err:
            answers[type(err).__name__] += 1
        finally:
            conn.close()
        due += 1 / per_second
        time.sleep(max(0.0, due - time.monotonic()))
    out.put(("tokens", dict(answers)))


def flooded(policy_port: int, http_port: int, args) -> tuple[dict, list]:
    """Policy latency while both flood clients run against ``http_port``; their reports."""
    results = multiprocessing.Queue()
    flood = [multiprocessing.Process(target=big_bodies, args=(http_port, args.seconds + 1, args.body_mbit, results)),
             multiprocessing.Process(target=bad_tokens, args=(http_port, args.seconds + 1, args.bad_tokens, results))]
    for p in flood:
        p.start()
    time.sleep(0.5)
    busy = policy_latency(policy_port, args)
    reports = [results.get(timeout=60) for _ in flood]
    for p in flood:
        p.join()
    return busy, reports


def policy_latency(port: int, args) -> dict:
    run = __import__("uvloop").run
    lat: list[float] = []
    n = run(drive(port, Workload(args.accounts), args.connections, args.seconds, lat, rate=args.rate))
    lat.sort()
    return {"requests": n, "p50_ms": lat[len(lat) // 2] * 1000, "p99_ms": lat[int(len(lat) * 0.99)] * 1000,
            "max_ms": lat[-1] * 1000}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--rate", type=float, default=1000, help="policy requests per second")
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--accounts", type=int, default=2000)
    ap.add_argument("--bad-tokens", type=float, default=50, help="bad-token requests per second")
    ap.add_argument("--body-mbit", type=float, default=0,
                    help="pace the 100 MB posts to this many Mbit/s (0: as fast as loopback takes them)")
    args = ap.parse_args()

    _, cfg, policy_port, api_port = bench_config("fumidai-flood-")
    env = dict(os.environ, PYTHONPATH=str(HERE.parent / "app"))
    srv = subprocess.Popen([sys.executable, "-m", "fumidai.cli", "serve", "--config", str(cfg)],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        wait_line(srv, "policy server on")
        policy_latency(policy_port, argparse.Namespace(**{**vars(args), "seconds": 2.0}))  # warm up
        c0 = cpu_seconds(srv.pid)
        idle = policy_latency(policy_port, args)
        idle_cpu = (cpu_seconds(srv.pid) - c0) / args.seconds
        print(f"server CPU idle {idle_cpu * 100:.0f}% of a core")
        print(f"idle:  p50 {idle['p50_ms']:.2f} ms  p99 {idle['p99_ms']:.2f} ms  max {idle['max_ms']:.1f} ms "
              f"({idle['requests']} requests)", flush=True)
        c0 = cpu_seconds(srv.pid)
        busy, reports = flooded(policy_port, api_port, args)
        cpu = (cpu_seconds(srv.pid) - c0) / args.seconds
        print(f"flood: p50 {busy['p50_ms']:.2f} ms  p99 {busy['p99_ms']:.2f} ms  max {busy['max_ms']:.1f} ms "
              f"({busy['requests']} requests); server CPU {cpu * 100:.0f}% of a core", flush=True)
        stand_in_port = free_port()
        stand_in = subprocess.Popen([sys.executable, "-c", STAND_IN, str(stand_in_port)], stdout=subprocess.PIPE,
                                    text=True)
        try:
            wait_line(stand_in, "ready")
            control, _ = flooded(policy_port, stand_in_port, args)
        finally:
            stand_in.terminate()
            stand_in.wait()
        print(f"the same flood at a stand-in server in another process: p50 {control['p50_ms']:.2f} ms  "
              f"p99 {control['p99_ms']:.2f} ms  max {control['max_ms']:.1f} ms", flush=True)
        for report in reports:
            if report[0] == "bodies":
                accepted = report[1]
                print(f"100 MB posts: {len(accepted)} attempts, answers {report[2]}, body bytes the server accepted per "
                      f"attempt: median {sorted(accepted)[len(accepted) // 2] / 1024:.0f} KiB, max "
                      f"{max(accepted) / 1024:.0f} KiB (kernel buffers included)")
            else:
                print(f"bad tokens: answers {report[1]}")
        print(f"\npolicy p99 under the API flood: {busy['p99_ms'] / idle['p99_ms']:.2f}x idle (target < 2x); "
              f"the same flood at another process: {control['p99_ms'] / idle['p99_ms']:.2f}x idle")
    finally:
        srv.terminate()
        srv.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
