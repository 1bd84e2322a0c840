"""Soak: `fumidai serve --time-scale N` under a week of steady traffic; its RSS per simulated day.

    .venv/bin/python bench/soak.py [--accounts 600] [--days 7] [--time-scale 1440]

A real server process (temporary SQLite store, demo GeoIP, default limits) and a real
policy-protocol client (sim/client.PolicyClient, Postfix's requests). The population:

- steady senders: a message every one to three hours, to one to three recipients, mostly
  the same few people, sometimes a new address;
- bursty ones: a quiet hour or two, then ten to thirty messages within minutes;
- on-and-off ones: a day of sending, then one or two days idle (their state is forgotten
  and built again when they come back);
- travellers: a fifth of their mail from abroad (some of it over the abroad cap).

The server tidies every ``--tidy-interval`` real seconds ([storage] tidy_interval; 0 leaves
the key out, for a server older than it). Memory should rise while the first day fills the
rolling windows, then stay flat: the script prints VmRSS (from /proc) at each simulated
day, and the growth from day 1 to the end.
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "app"))

HOUR, DAY = 3600.0, 86400.0

from policy_server import free_port, rss_mb  # noqa: E402  (bench/ is the script's folder)


class Population:
    """Who sends what, when: ``next_message(account, at)`` gives the next (time, recipients, address)."""

    def __init__(self, accounts: int, ranges, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        kinds = ["steady"] * 70 + ["bursty"] * 10 + ["on_off"] * 15 + ["traveller"] * 5
        self.kind = {f"soak{i:05d}": kinds[i % len(kinds)] for i in range(accounts)}
        self.home = {a: self._address(ranges["JP"]) for a in self.kind}
        self.abroad = [self._address(ranges[c]) for c in ("US", "KR", "FR", "CN") if c in ranges]
        self.burst_left = dict.fromkeys(self.kind, 0)
        self.active_until = dict.fromkeys(self.kind, DAY)

    def _address(self, nets) -> str:
        net = self.rng.choice(nets)
        return str(net[self.rng.randrange(1, max(2, net.num_addresses - 1))])

    def recipients(self, account: str) -> tuple[str, ...]:
        rng = self.rng
        n = rng.choice((1, 1, 1, 2, 3))
        # Mostly the usual twenty correspondents; one in ten a new address.
        return tuple(f"new{rng.randrange(10**9)}@example.org" if rng.random() < 0.1
                     else f"{account}-friend{rng.randrange(20)}@example.net" for _ in range(n))

    def next_at(self, account: str, at: float) -> float:
        rng, kind = self.rng, self.kind[account]
        if kind == "bursty":
            if self.burst_left[account] > 0:
                self.burst_left[account] -= 1
                return at + rng.uniform(5, 60)
            self.burst_left[account] = rng.randint(10, 30)
            return at + rng.uniform(1, 2) * HOUR
        if kind == "on_off" and at >= self.active_until[account]:
            resume = at + rng.choice((1, 2)) * DAY
            self.active_until[account] = resume + DAY
            return resume
        return at + rng.expovariate(1 / (2 * HOUR))

    def address(self, account: str) -> str:
        if self.kind[account] == "traveller" and self.rng.random() < 0.2:
            return self.rng.choice(self.abroad)
        return self.home[account]


def start_server(tmp: Path, args) -> tuple[subprocess.Popen, str]:
    from fumidai.geo.build import build_demo

    mmdb = tmp / "demo.mmdb"
    build_demo(mmdb)
    policy = f"127.0.0.1:{free_port()}"
    tidy = f"tidy_interval = {args.tidy_interval}\n" if args.tidy_interval else ""
    cfg = tmp / "fumidai.toml"
    cfg.write_text(
        f'[policy]\nlisten = "{policy}"\n[api]\nlisten = "127.0.0.1:{free_port()}"\n'
        f'[storage]\nurl = "sqlite:///{tmp}/soak.db"\nflush_interval = 1.0\nhistory_days = 2\n{tidy}'
        f'[geoip]\ndatabase = "{mmdb}"\n'
    )
    env = dict(os.environ, PYTHONPATH=str(HERE.parent / "app"))
    log = open(tmp / "serve.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "fumidai.cli", "serve", "--config", str(cfg),
                             "--time-scale", str(args.time_scale)], stdout=log, stderr=subprocess.STDOUT, env=env)
    deadline = time.time() + 120
    while "policy server on" not in (tmp / "serve.log").read_text():
        if proc.poll() is not None or time.time() > deadline:
            raise RuntimeError("server did not start:\n" + (tmp / "serve.log").read_text())
        time.sleep(0.2)
    return proc, policy


async def drive(pid: int, policy: str, args) -> list[tuple[float, float]]:
    from fumidai.sim.client import PolicyClient, Submission
    from fumidai.sim.population import demo_ranges

    pop = Population(args.accounts, demo_ranges())
    due = [(pop.rng.uniform(0, 2 * HOUR), a) for a in pop.kind]
    heapq.heapify(due)
    real_start = time.time()
    end = args.days * DAY
    samples: list[tuple[float, float]] = []
    next_sample = 0.25 * DAY
    sent = refused = seq = 0
    in_flight: set[asyncio.Task] = set()

    async def one(sub: Submission) -> None:
        nonlocal sent, refused
        result = await client.send(sub)
        sent += 1
        refused += result.outcome != "accepted"

    async with PolicyClient(policy, connections=args.connections) as client:
        while True:
            now = (time.time() - real_start) * args.time_scale
            if now >= next_sample:
                samples.append((next_sample / DAY, rss_mb(pid)))
                lag = (now - due[0][0]) / 60 if due and due[0][0] < now else 0.0
                print(f"day {next_sample / DAY:5.2f}: RSS {samples[-1][1]:6.1f} MB | {sent} messages "
                      f"({refused} refused), sender {lag:.0f} simulated minutes behind", flush=True)
                if next_sample >= end:
                    break
                next_sample = 0.25 * DAY if next_sample < 0.25 * DAY else (int(next_sample / DAY) + 1) * DAY
                next_sample = min(next_sample, end)
            while due and due[0][0] <= now and len(in_flight) < args.connections * 4:
                at, account = heapq.heappop(due)
                seq += 1
                sub = Submission(account, pop.recipients(account), pop.address(account), at=at, seq=seq,
                                 sender=f"{account}@example.jp")
                task = asyncio.create_task(one(sub))
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)
                heapq.heappush(due, (pop.next_at(account, at), account))
            await asyncio.sleep(0.01)
        await asyncio.gather(*in_flight)
    return samples


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", type=int, default=600)
    ap.add_argument("--days", type=float, default=7)
    ap.add_argument("--time-scale", type=float, default=1440, help="simulated seconds per real second")
    ap.add_argument("--tidy-interval", type=float, default=10.0,
                    help="[storage] tidy_interval, real seconds (0: leave the key out)")
    ap.add_argument("--connections", type=int, default=16)
    args = ap.parse_args()
    print(f"{args.accounts} accounts, {args.days:g} simulated days at {args.time_scale:g}x "
          f"(~{args.days * DAY / args.time_scale / 60:.1f} min), tidy every {args.tidy_interval:g} s", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="fumidai-soak-"))
    proc, policy = start_server(tmp, args)
    try:
        samples = asyncio.run(drive(proc.pid, policy, args))
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    day1 = next((rss for day, rss in samples if day >= 1), samples[0][1])
    last_day, last = samples[-1]
    print(f"\nRSS per simulated day (MB): " + " ".join(f"{d:g}:{r:.0f}" for d, r in samples))
    print(f"growth from day 1 to day {last_day:g}: {last - day1:+.1f} MB "
          f"({(last - day1) / max(last_day - 1, 1e-9):+.1f} MB per day)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
