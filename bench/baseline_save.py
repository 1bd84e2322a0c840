"""What one save of learned baselines costs per baseline: encoding, then the store's upsert.

    python bench/baseline_save.py                     # SQLite in a temporary folder
    python bench/baseline_save.py --url postgresql+psycopg://postgres@127.0.0.1/test
    python bench/baseline_save.py --stored 100000 --saved 8800 --repeat 4

A running server saves every [behaviour] save_interval the baselines its accounts taught it
since the last save (bench/policy_server.py: ~8,800 of 100,000 after a 15 s window at 4,000
requests/s). The table first holds --stored baselines (an import: updated_at stamped); each
round then saves --saved of them picked at random, as the server does (restamp=False: the
rows' updated_at stays, so its index is not rewritten) and, for comparison, as an import does
(restamp=True). Process CPU per baseline (this process: SQLite's work is in it; PostgreSQL's
is in the server's and not counted, so with --url the write's wall time is printed too).
The rows it writes are its own (a random name prefix) and removed at the end.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "app"))

from fumidai.behaviour import Baseline, RecipientHasher, network_of  # noqa: E402
from sqlalchemy import delete  # noqa: E402

from fumidai.store import Store  # noqa: E402
from fumidai.store.models import Baseline as BaselineRow  # noqa: E402
from fumidai.store.baselines import upsert_baselines  # noqa: E402


def sample_baseline(rng: random.Random, hasher: RecipientHasher, now: float) -> Baseline:
    """Five days of a home user's mail: two networks, two countries, a few correspondents."""
    b = Baseline()
    contacts = [hasher(f"friend{rng.randrange(10_000)}@example.jp") for _ in range(rng.randint(3, 40))]
    for day in range(5):
        for i in range(rng.randint(2, 20)):
            b.learn(now - (5 - day) * 86400 + i * 60, network_of(f"133.{day % 2}.2.3"), "JP", None,
                    rng.sample(contacts, min(len(contacts), rng.randint(1, 3))))
    b.learn(now - 86400, network_of("203.0.113.9"), "US", None, contacts[:1])
    return b


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", help="a store URL (default: SQLite in a temporary folder)")
    ap.add_argument("--stored", type=int, default=100_000)
    ap.add_argument("--saved", type=int, default=8_800)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    rng = random.Random(1)
    hasher = RecipientHasher(b"bench-installation-key-012345678")
    now = time.time()
    kinds = [sample_baseline(rng, hasher, now) for _ in range(200)]  # shapes enough to vary sizes
    # Names of this run's own (a store given with --url keeps its baselines; these are removed after).
    prefix = f"bench-save-{random.randrange(1 << 32):08x}-"
    names = [f"{prefix}{i:07d}@isp.example" for i in range(args.stored)]
    with tempfile.TemporaryDirectory(prefix="fumidai-save-") as tmp:
        store = Store(args.url or f"sqlite:///{tmp}/bench.db")
        store.ensure_schema()
        with store.session() as s:
            upsert_baselines(s, {n: kinds[i % len(kinds)].to_bytes() for i, n in enumerate(names)})
        print(f"{store.engine.dialect.name}: {args.stored} baselines stored, {args.saved} saved a round, "
              f"{sum(len(k.to_bytes()) for k in kinds) / len(kinds):.0f} bytes on average")
        for restamp in (False, True):
            for _ in range(args.repeat):
                picked = rng.sample(names, args.saved)
                live = {n: kinds[rng.randrange(len(kinds))] for n in picked}
                t = time.process_time()
                blobs = {n: b.to_bytes() for n, b in live.items()}
                encoded, wall = time.process_time(), time.perf_counter()
                with store.session() as s:
                    upsert_baselines(s, blobs, restamp=restamp)
                done, wall = time.process_time(), time.perf_counter() - wall
                print(f"  {'an import (restamped)' if restamp else 'a server save       '}: encode "
                      f"{(encoded - t) / args.saved * 1e6:5.2f} µs, write {(done - encoded) / args.saved * 1e6:5.2f} µs "
                      f"a baseline (process CPU; wall {wall / args.saved * 1e6:5.2f} µs)")
        with store.session() as s:
            s.execute(delete(BaselineRow).where(BaselineRow.account.startswith(prefix)))
        store.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
