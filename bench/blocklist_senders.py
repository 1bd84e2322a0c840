"""The cost of "who sent most before this listing" (GET /api/v1/blocklists/{egress}/senders).

    .venv/bin/python bench/blocklist_senders.py [--accounts 20000] [--hours 24] [--senders-per-minute 400]
        [--url postgresql+psycopg://127.0.0.1/DATABASE]   # a database of its own: it is filled

Fills a store's buckets as the flusher would (each minute of ``--hours``, ``--senders-per-minute``
accounts of ``--accounts`` send), marks one egress address listed, then times
``BlocklistStore.senders_before_listing`` for 1, 6 and 24 hours before the listing: a sum per
account over the buckets of those hours, grouped and sorted in the database.

Measured 2026-12-08 on the shared 2-core machine (load average 5–7), 576,000 buckets (24 h × 400
senders a minute of 20,000 accounts), median of 5: SQLite 37 / 200 / 688 ms and PostgreSQL 15
40 / 155 / 395 ms for 1 / 6 / 24 hours. A staff read off the policy path (in a thread), asked
once a minute by each desk showing a listing.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "app"))

from fumidai.actions.complaints import BlocklistStore  # noqa: E402
from fumidai.store.db import Store  # noqa: E402
from fumidai.store.models import BlocklistState  # noqa: E402
from fumidai.store.repo import add_buckets  # noqa: E402

EGRESS = "192.0.2.25"


def fill(store: Store, accounts: int, hours: int, per_minute: int, listed_minute: int) -> int:
    rng = random.Random(1)
    rows = 0
    first = listed_minute - hours * 60
    for start in range(first, listed_minute, 60):
        batch = []
        for minute in range(start, min(start + 60, listed_minute)):
            for n in rng.sample(range(accounts), per_minute):
                batch.append((f"user{n:06d}@isp.example", minute, "JP", rng.randint(1, 3), rng.randint(1, 9), 0, 0))
        with store.session() as s:
            rows += add_buckets(s, batch)
    with store.session() as s:
        at = datetime.fromtimestamp(listed_minute * 60, tz=UTC)
        s.add(BlocklistState(egress=EGRESS, zone="zen.example", status="listed", since=at, checked_at=at,
                             answers=["127.0.0.2"]))
    return rows


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--accounts", type=int, default=20000)
    p.add_argument("--hours", type=int, default=24)
    p.add_argument("--senders-per-minute", type=int, default=400)
    p.add_argument("--url", help="an empty database of its own instead of a temporary SQLite file")
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{tmp}/bench.db"
        store = Store(url)
        store.upgrade()
        listed_minute = int(time.time() // 60)
        started = time.perf_counter()
        rows = fill(store, args.accounts, args.hours, args.senders_per_minute, listed_minute)
        print(f"{store.engine.dialect.name}: {rows:,} buckets ({args.hours} h × {args.senders_per_minute} "
              f"senders a minute of {args.accounts:,} accounts) written in {time.perf_counter() - started:.1f} s")
        reads = BlocklistStore(store)
        for hours in (1, 6, 24):
            times = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                answer = asyncio.run(reads.senders_before_listing(EGRESS, hours, 20))
                times.append(time.perf_counter() - t0)
            top = answer["items"][0]
            print(f"  {hours:>2} h before the listing: median {statistics.median(times) * 1000:.0f} ms, "
                  f"max {max(times) * 1000:.0f} ms; top {top['account']} {top['messages']} messages")
        store.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
