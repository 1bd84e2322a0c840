"""How long one write-behind flush of N buckets takes (repo.add_buckets + commit).

    python bench/store_flush.py                      # SQLite in a temporary folder
    python bench/store_flush.py --url postgresql+psycopg://postgres@127.0.0.1/bench
    python bench/store_flush.py --rows 20000 --repeat 3

Each flush writes N distinct (account, minute, country) buckets; the second round hits
the same keys again, so it measures the "add to existing" path of the upsert.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, datetime

from fumidai.store import Store, repo


def timed(store: Store, write) -> float:
    """Seconds for one transaction (the write and its commit)."""
    start = time.perf_counter()
    with store.session() as s:
        write(s)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="database URL (default: SQLite in a temporary folder)")
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(args.url or f"sqlite:///{tmp}/bench.db")
        store.ensure_schema()
        minute = int(time.time() // 60)
        now = datetime.now(UTC)
        rows = [(f"user{i:06d}@example.jp", minute, "JP" if i % 10 else "CN", 1, 2, 0, 0) for i in range(args.rows)]
        seen = {r[0]: now for r in rows}
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"{store.dialect}: {args.rows} rows per flush, {os.cpu_count()} CPUs, load average {load:.1f}")
        for round_ in range(args.repeat):
            kind = "new buckets" if round_ == 0 else "adding to them"
            b = timed(store, lambda s: repo.add_buckets(s, rows))
            t = timed(store, lambda s: repo.touch_accounts(s, seen))
            print(
                f"  round {round_ + 1} ({kind}): add_buckets {b * 1000:6.0f} ms ({args.rows / b:,.0f} rows/s), "
                f"touch_accounts {t * 1000:5.0f} ms"
            )
        with store.session() as s:
            total = sum(r.accepted_messages for r in repo.recent_buckets(s, minute))
        assert total == args.rows * args.repeat, total
        store.dispose()


if __name__ == "__main__":
    main()
