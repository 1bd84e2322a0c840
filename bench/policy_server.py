"""Policy server benchmark: `fumidai serve` against a trivial asyncio server, same load.

    .venv/bin/python bench/policy_server.py [--accounts 100000] [--connections 32] [--seconds 15]
                                            [--behaviour-off-too] [--history DAYS]

The load is what a submission service sends: per message one RCPT request per recipient
plus one DATA request, from accounts drawn with Zipf-like activity. Each connection has
one request in flight at a time, as Postfix's smtpd does. Both servers run as separate
processes; their CPU time per request is read from /proc, so the load generator's own
CPU does not count. Prints requests/s, p50/p99 latency and server CPU per request; a
fumidai server's CPU runs on to its next save of baselines ([behaviour] save_interval),
its idle CPU over that wait left out: what it writes later is counted with the requests
that caused it.

--behaviour-off-too: the same with [behaviour] enabled = false, and the on/off ratio.
--history DAYS: the accounts' baselines learned first (DAYS days of the same traffic, as
after `fumidai baseline import`); without it every account has one message of history,
so behaviour analysis sees new accounts (its slowest case: the path for accounts without
history, and the busy ones on watch for volume after one message).

With --memory it also imports --known accounts (default 1,000,000) into the store first
and reports the server's resident memory once --accounts accounts have sent today.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "app"))

TRIVIAL_SERVER = r'''
import asyncio, sys
async def handle(reader, writer):
    try:
        while True:
            block = await reader.readuntil(b"\n\n")
            attrs = dict(line.split("=", 1) for line in block.decode().strip().split("\n"))
            writer.write(b"action=DUNNO\n\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()
async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]))
    print("ready", flush=True)
    await server.serve_forever()
asyncio.run(main())
'''

# The same protocol server as fumidai's, with the engine replaced by a constant answer:
# what the framework (uvloop, asyncio.Protocol, parser) costs without any decision.
PROTOCOL_ONLY_SERVER = r'''
import asyncio, sys, uvloop
from fumidai.postfix.server import PolicyServer
async def main():
    srv = PolicyServer(lambda attrs: "DUNNO", "127.0.0.1:" + sys.argv[1])
    await srv.start()
    print("ready", flush=True)
    await asyncio.Event().wait()
uvloop.run(main())
'''

TEMPLATE = (
    "request=smtpd_access_policy\nprotocol_state={stage}\nprotocol_name=ESMTP\nclient_address={ip}\n"
    "client_name=unknown\nclient_port=51145\nreverse_client_name=unknown\nserver_address=127.0.0.1\n"
    "server_port=587\nhelo_name=client.example\nsender={account}@example.jp\nrecipient={rcpt}\n"
    "recipient_count={count}\nqueue_id=\ninstance={instance}\nsize=311\netrn_domain=\nstress=\n"
    "sasl_method=PLAIN\nsasl_username={account}\nsasl_sender=\nccert_subject=\nccert_issuer=\n"
    "ccert_fingerprint=\nccert_pubkey_fingerprint=\nencryption_protocol=\nencryption_cipher=\n"
    "encryption_keysize=0\npolicy_context=submission\n\n"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Workload:
    """Messages from accounts with Zipf-like activity, 1–3 recipients, mostly from JP."""

    def __init__(self, accounts: int, seed: int = 1) -> None:
        self.rng = random.Random(seed)
        self.accounts = accounts
        self.seq = 0
        self.jp = [f"133.{a}.{b}.{c}" for a, b, c in ((i % 200, (i * 7) % 250, (i * 13) % 250) for i in range(1000))]
        self.abroad = ["203.0.113.5", "198.51.100.7", "8.8.8.8", "1.1.1.1"]

    def account(self) -> str:
        # Zipf-like: a few accounts send a lot, most send little.
        k = int(self.accounts ** self.rng.random()) - 1
        return f"user{k:07d}"

    def message(self, account: str | None = None) -> list[bytes]:
        self.seq += 1
        account = account or self.account()
        # Each account submits from its own usual address (as customers do); one message in a
        # hundred comes from abroad (a traveller or a webmail relay).
        k = int(account[4:]) if account[4:].isdigit() else hash(account)
        ip = self.jp[k % len(self.jp)] if self.rng.random() < 0.99 else self.rng.choice(self.abroad)
        n = self.rng.choice((1, 1, 1, 2, 3))
        inst = f"{self.seq:x}.bench.0"
        out = [
            TEMPLATE.format(stage="RCPT", ip=ip, account=account, rcpt=f"r{i}@example.net", count=0, instance=inst).encode()
            for i in range(n)
        ]
        out.append(TEMPLATE.format(stage="DATA", ip=ip, account=account, rcpt="", count=n, instance=inst).encode())
        return out


async def drive(port: int, work: Workload, connections: int, seconds: float, latencies: list[float] | None,
                accounts: list[str] | None = None, rate: float = 0.0) -> int:
    """Send messages for ``seconds`` (or every account in ``accounts`` once); return requests sent.

    ``rate``: requests per second over all connections (paced, open loop); 0 = as fast as
    the server answers (closed loop, one request in flight per connection).
    """
    done = 0
    stop_at = time.perf_counter() + seconds
    queue = list(accounts) if accounts else None
    gap = connections / rate if rate else 0.0

    async def one(k: int):
        nonlocal done
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        due = time.perf_counter() + gap * k / connections
        try:
            while True:
                if queue is not None:
                    if not queue:
                        return
                    msg = work.message(queue.pop())
                elif time.perf_counter() >= stop_at:
                    return
                else:
                    msg = work.message()
                for req in msg:
                    if gap:
                        due += gap
                        delay = due - time.perf_counter()
                        if delay > 0:
                            await asyncio.sleep(delay)
                    t = time.perf_counter()
                    writer.write(req)
                    reply = await reader.readuntil(b"\n\n")
                    if latencies is not None:
                        latencies.append(time.perf_counter() - t)
                    done += 1
                    if not reply.startswith(b"action=DUNNO") and req.find(b"protocol_state=RCPT") >= 0:
                        break  # refused at RCPT: Postfix would not go on to DATA
        finally:
            writer.close()

    await asyncio.gather(*(one(k) for k in range(connections)))
    return done


def measure(name: str, pid: int, port: int, args, work: Workload, settle=None, finish=None) -> dict:
    """Max throughput (closed loop), then latency and CPU at the same paced rate for every server.

    ``settle()``: wait until the work the max-throughput phase left behind is done (a server
    that writes later, as fumidai's baselines, would charge it to the paced window).
    ``finish()``: the server's CPU seconds for the window, the writes it left for later
    included (fumidai saves what it learned once a minute); default: CPU at the window's
    end, read from /proc.
    """
    run = __import__("uvloop").run
    run(drive(port, work, args.connections, 2.0, None))  # warm caches and connections
    t0 = time.perf_counter()
    n = run(drive(port, work, args.connections, args.seconds / 2, None))
    peak = n / (time.perf_counter() - t0)
    if settle is not None:
        settle()
    lat: list[float] = []
    c0, t0 = cpu_seconds(pid), time.perf_counter()
    n = run(drive(port, work, args.connections, args.seconds, lat, rate=args.rate))
    t1 = time.perf_counter()
    rss = rss_mb(pid)
    c1 = finish() if finish is not None else cpu_seconds(pid)
    lat.sort()
    res = {
        "server": name,
        "max_req_per_s": peak,
        "paced_req_per_s": n / (t1 - t0),
        "p50_ms": lat[len(lat) // 2] * 1000,
        "p99_ms": lat[int(len(lat) * 0.99)] * 1000,
        "cpu_us_per_req": (c1 - c0) / n * 1e6,
        "rss_mb": rss,
    }
    print(f"{name:9} max {peak:7.0f} req/s | at {res['paced_req_per_s']:5.0f} req/s: p50 {res['p50_ms']:5.2f} ms  "
          f"p99 {res['p99_ms']:5.2f} ms  server CPU {res['cpu_us_per_req']:5.1f} µs/req | RSS {res['rss_mb']:.0f} MB",
          flush=True)
    return res


def wait_line(proc: subprocess.Popen, word: str, timeout: float = 60) -> str:
    deadline = time.time() + timeout
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"server exited: {proc.stderr.read() if proc.stderr else ''}")
        if word in line:
            return line
    raise RuntimeError("server did not start")


def bench_config(prefix: str) -> tuple[Path, Path, int, int]:
    """A temporary folder with a demo GeoIP database and a config for `fumidai serve` on free
    loopback ports: (folder, config file, policy port, API port)."""
    from fumidai.geo.build import build_demo

    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    mmdb = tmp / "demo.mmdb"
    build_demo(mmdb)
    policy_port, api_port = free_port(), free_port()
    cfg = tmp / "fumidai.toml"
    cfg.write_text(
        f'[policy]\nlisten = "127.0.0.1:{policy_port}"\n[api]\nlisten = "127.0.0.1:{api_port}"\n'
        f'[storage]\nurl = "sqlite:///{tmp}/bench.db"\n[geoip]\ndatabase = "{mmdb}"\n'
        # Generous limits: the benchmark measures the decision path, not refusals.
        "[limits]\nmessages_per_hour = 100000\nmessages_per_day = 1000000\nrecipients_per_hour = 300000\n"
        "recipients_per_day = 3000000\n[limits.abroad]\nmessages_per_day = 1000000\n"
    )
    return tmp, cfg, policy_port, api_port


def measure_fumidai(label: str, cfg: Path, policy_port: int, args, work, env) -> dict:
    """`fumidai serve` with ``cfg``: every account made active, then measured as the others.

    Before the paced window a pause of [behaviour] save_interval + 5 s, the same for both
    variants (with behaviour on, the baselines the earlier phases taught are saved in it;
    what runs once a minute, as the accounts' last-seen writes, falls in both windows alike).
    After it, with behaviour on, the CPU runs on to the next save (the window's baselines),
    less the server's idle CPU over that wait (measured for 5 s after): the window's requests
    pay for their saving, not the earlier phases' nor the process's exit."""
    from fumidai.behaviour.config import BehaviourConfig

    save_interval = BehaviourConfig().save_interval
    behaviour = "enabled = false" not in cfg.read_text()
    # The server's log goes to a file: a pipe nobody reads would fill and stop the server.
    log_path = cfg.with_suffix(f".{label.split(',')[0].replace(' ', '-')}-{'on' if behaviour else 'off'}.log")
    log = open(log_path, "w")
    srv = subprocess.Popen([sys.executable, "-m", "fumidai.cli", "serve", "--config", str(cfg)],
                           stdout=subprocess.PIPE, stderr=log, text=True, env=env)

    def settle() -> None:
        with log_path.open() as f:
            f.seek(0, 2)
            time.sleep(save_interval + 5)
            if behaviour and "baselines saved" not in f.read():
                raise RuntimeError(f"no baselines saved within the pause: see {log_path}")

    def window_cpu() -> float:
        """CPU seconds at the window's end plus the deferred work it caused, idle CPU left out."""
        ended = time.perf_counter()
        with log_path.open() as f:
            f.seek(0, 2)
            if behaviour:
                deadline = time.time() + save_interval + 30
                while "baselines saved" not in f.readline():
                    if time.time() > deadline:
                        raise RuntimeError(f"no baselines saved after the window: see {log_path}")
                    time.sleep(0.05)
            else:
                time.sleep(2.0)  # the counts: written every second
        done, waited = cpu_seconds(srv.pid), time.perf_counter() - ended
        time.sleep(5.0)
        idle_per_s = (cpu_seconds(srv.pid) - done) / 5.0
        return done - idle_per_s * waited

    try:
        wait_line(srv, "policy server on")
        # Make every account active today before measuring, so the state is full size.
        t = time.time()
        names = [f"user{i:07d}" for i in range(args.accounts)]
        (__import__("uvloop").run)(drive(policy_port, Workload(args.accounts, seed=2), args.connections, 1e9, None, names))
        print(f"warm-up: {args.accounts} accounts active in {time.time() - t:.1f} s; server RSS {rss_mb(srv.pid):.0f} MB")
        result = measure(label, srv.pid, policy_port, args, work, settle, window_cpu)
        print(f"{label} RSS with {args.accounts} active accounts"
              + (f" and {args.known} known" if args.memory else "") + f": {result['rss_mb']:.0f} MB")
        return result
    finally:
        srv.terminate()
        srv.wait(timeout=60)
        log.close()


def learn_history(cfg: Path, args) -> None:
    """``args.history`` past days into the store, learned through the policy path in process
    (bench/policy_path.py's way): each day every account sends once from its usual address,
    then the day's Zipf traffic, in the same clock hour as the measurement, so the busy
    accounts' baselines know a busy hour like the one measured. The servers load them."""
    import asyncio

    from policy_path import Clock, build, requests, run

    clock = Clock()
    svc = build(cfg, True, clock)
    names = [f"user{i:07d}" for i in range(args.accounts)]
    for d in range(args.history, 0, -1):
        clock.offset = -d * 86400.0
        run(svc, requests(Workload(args.accounts, seed=100 + d), names, 0))
        run(svc, requests(Workload(args.accounts, seed=200 + d), None, args.history_messages))
    clock.offset = 0.0
    asyncio.run(svc.flush())  # the baselines and counts, as a server's clean stop writes them
    svc.store.dispose()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", type=int, default=100_000)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--memory", action="store_true", help="also import --known accounts and report RSS")
    ap.add_argument("--known", type=int, default=1_000_000)
    ap.add_argument("--rate", type=float, default=4000, help="paced requests/s for the latency and CPU figures")
    ap.add_argument("--behaviour-off-too", action="store_true",
                    help="also run fumidai with [behaviour] enabled = false in the same run (CPU ratio on/off)")
    ap.add_argument("--history", type=int, default=0,
                    help="days of earlier traffic learned first (baselines in the store, as after an import)")
    ap.add_argument("--history-messages", type=int, default=150_000, help="Zipf messages on each of those days")
    args = ap.parse_args()

    tmp, cfg, policy_port, api_port = bench_config("fumidai-bench-")
    env = dict(os.environ, PYTHONPATH=str(HERE.parent / "app"))
    if args.history:
        t = time.time()
        learn_history(cfg, args)
        print(f"history: {args.history} days of {args.accounts} accounts + {args.history_messages} messages a day "
              f"learned in {time.time() - t:.1f} s")
    if args.memory:
        csv_path = tmp / "accounts.csv"
        with csv_path.open("w") as f:
            f.write("account,contact,name,language,home_countries\n")
            for i in range(args.known):
                f.write(f"user{i:07d},user{i}@example.jp,User {i},ja,{'JP' if i % 10 else 'JP KR'}\n")
        t = time.time()
        subprocess.run([sys.executable, "-m", "fumidai.cli", "account", "import", "--config", str(cfg), str(csv_path)],
                       check=True, env=env)
        print(f"imported {args.known} accounts in {time.time() - t:.1f} s")

    results = []
    work = Workload(args.accounts)
    for name, code in (("trivial", TRIVIAL_SERVER), ("protocol", PROTOCOL_ONLY_SERVER)):
        port = free_port()
        proc = subprocess.Popen([sys.executable, "-c", code, str(port)], stdout=subprocess.PIPE, text=True, env=env)
        try:
            wait_line(proc, "ready")
            results.append(measure(name, proc.pid, port, args, work))
        finally:
            proc.terminate()
            proc.wait()

    variants = [("fumidai", cfg)]
    if args.behaviour_off_too:
        off = cfg.with_name("behaviour-off.toml")
        off.write_text(cfg.read_text() + "[behaviour]\nenabled = false\n")
        variants.append(("fumidai, behaviour off", off))
    for label, config in variants:
        results.append(measure_fumidai(label, config, policy_port, args, work, env))
    t, _, f = results[:3]
    if args.behaviour_off_too:
        o = results[3]
        print(f"\nbehaviour analysis on/off, same run: CPU per request {f['cpu_us_per_req']:.1f} / "
              f"{o['cpu_us_per_req']:.1f} µs = {f['cpu_us_per_req'] / o['cpu_us_per_req']:.2f}x; "
              f"p99 {f['p99_ms']:.2f} / {o['p99_ms']:.2f} ms")
    print(f"\nAt {args.rate:.0f} req/s over {args.connections} connections: server CPU per request fumidai "
          f"{f['cpu_us_per_req']:.1f} µs vs trivial {t['cpu_us_per_req']:.1f} µs; fumidai p99 {f['p99_ms']:.2f} ms. "
          f"Max throughput fumidai {f['max_req_per_s']:.0f} vs trivial {t['max_req_per_s']:.0f} req/s "
          "(the load generator shares the two cores).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
