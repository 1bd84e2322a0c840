"""Resident memory of the real `fumidai serve` with a million baselines, a hundred thousand sending.

    python bench/serve_memory.py [--known 1000000] [--active 100000] [--pool 3000]

Builds a store (SQLite, temporary folder) with --known accounts imported and a baseline for
each (bench/behaviour.py's population: a pool of distinct 28-day profiles, each account its
own copy), starts `fumidai serve` on it, and reports the server's RSS: after start-up (every
baseline held as bytes), after --active accounts have each sent a message (their baselines
decoded, their counters and last hour live), and after a second pass over them. Goal
(issue 11): under 1.5 GB.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "app"))
sys.path.insert(0, str(HERE))

from policy_server import Workload, bench_config, drive, rss_mb, wait_line  # noqa: E402


def build_store(cfg: Path, tmp: Path, known: int, pool_size: int, env: dict) -> None:
    from behaviour import profile  # bench/behaviour.py

    from fumidai.behaviour import BehaviourConfig, RecipientHasher
    from fumidai.config import load_settings
    from fumidai.store import Store
    from fumidai.store.baselines import recipient_hash_key, upsert_baselines

    csv_path = tmp / "accounts.csv"
    with csv_path.open("w") as f:
        f.write("account,contact,name,language,home_countries\n")
        for i in range(known):
            f.write(f"user{i:07d},user{i}@example.jp,User {i},ja,JP\n")
    t = time.time()
    subprocess.run([sys.executable, "-m", "fumidai.cli", "account", "import", "--config", str(cfg), str(csv_path)],
                   check=True, env=env, stdout=subprocess.DEVNULL)
    print(f"imported {known:,} accounts in {time.time() - t:.0f} s", flush=True)

    store = Store(load_settings(cfg, {}).storage.url)
    with store.session() as s:
        hasher = RecipientHasher(recipient_hash_key(s))
    import behaviour as population

    from fumidai.behaviour import network_of

    # Profiles end yesterday, and each also knows the address and recipients the account
    # sends with below (Workload: account k from jp[k % 1000], to r0-r2@example.net) on
    # six days: the accounts send as they usually do, not as hijacks (an earlier version
    # had every account suspended as a cohort, which measured something else).
    day = 86400.0
    population.T0 = (time.time() // day - 29) * day
    usual = Workload(1).jp
    contacts = [hasher(f"r{i}@example.net") for i in range(3)]
    rng = random.Random(11)
    t = time.time()
    pool = []
    for j in range(pool_size):
        b = profile(rng, hasher, BehaviourConfig())
        for d in range(22, 28):
            b.learn(population.T0 + d * day + 10 * 3600, network_of(usual[j % len(usual)]), "JP", None, contacts)
        pool.append(b.to_bytes())
    size = 0
    for start in range(0, known, 20_000):
        blobs = {f"user{i:07d}": pool[i % pool_size] for i in range(start, min(known, start + 20_000))}
        size += sum(map(len, blobs.values()))
        with store.session() as s:
            upsert_baselines(s, blobs)
    store.dispose()
    print(f"stored {known:,} baselines ({size / known:.0f} bytes each on average) in {time.time() - t:.0f} s", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--known", type=int, default=1_000_000)
    ap.add_argument("--active", type=int, default=100_000)
    ap.add_argument("--pool", type=int, default=3000, help="distinct baseline profiles (a multiple of 1000)")
    ap.add_argument("--connections", type=int, default=32)
    args = ap.parse_args()

    tmp, cfg, policy_port, _api = bench_config("fumidai-mem-")
    env = dict(os.environ, PYTHONPATH=str(HERE.parent / "app"))
    build_store(cfg, tmp, args.known, args.pool, env)

    log = open(tmp / "serve.log", "w")
    t = time.time()
    srv = subprocess.Popen([sys.executable, "-m", "fumidai.cli", "serve", "--config", str(cfg)],
                           stdout=subprocess.PIPE, stderr=log, text=True, env=env)
    try:
        wait_line(srv, "policy server on", timeout=600)
        print(f"serve started in {time.time() - t:.0f} s: RSS {rss_mb(srv.pid):.0f} MB "
              f"({args.known:,} accounts and baselines, none sending)", flush=True)
        names = [f"user{i:07d}" for i in range(args.active)]
        for n in (1, 2):
            t = time.time()
            asyncio.run(drive(policy_port, Workload(args.known, seed=n), args.connections, 1e9, None, list(names)))
            refused = sum(1 for line in open(tmp / "serve.log") if "suspended automatically" in line)
            time.sleep(2)  # let the write-behind flush
            print(f"pass {n}: {args.active:,} accounts sent one message each in {time.time() - t:.0f} s: "
                  f"RSS {rss_mb(srv.pid):.0f} MB ({refused} suspended automatically)", flush=True)
    finally:
        srv.terminate()
        srv.wait(timeout=60)
        log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
