"""What a poisoned row costs the write-behind (service/writebehind.StoreWriter, issue 15).

    python bench/store_writer.py                      # SQLite in a temporary folder
    python bench/store_writer.py --url postgresql+psycopg://postgres@127.0.0.1/bench   # a database of its own
    python bench/store_writer.py --rows 20000 --bad 0,1,10

One flush of N count buckets (distinct accounts, one minute) through the writer, with
0, 1, … rows no INTEGER column holds: the batch fails, is halved until each refused row
stands alone (about bad·log2(N) transactions), the rest is written and the refused rows
set aside. Prints the flush time and the transactions it took, against the clean flush.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "app"))

from fumidai.service.writebehind import WriteBatch, StoreWriter  # noqa: E402
from fumidai.store import Store  # noqa: E402
from fumidai.store.live_store import LiveStore  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", help="database URL (default: SQLite in a temporary folder)")
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--bad", default="0,1,10", help="poisoned rows per flush, comma-separated")
    args = ap.parse_args()
    logging.disable(logging.CRITICAL)  # the writer logs every refused row
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(args.url or f"sqlite:///{tmp}/bench.db")
        store.ensure_schema()
        live = LiveStore(store)
        transactions = 0

        def write(p: WriteBatch) -> None:
            nonlocal transactions
            transactions += 1
            live.write(p.seen, [(a, m, c, *cell) for (a, m, c), cell in p.buckets.items()], p.suspensions, p.alerts)

        writer = StoreWriter(write, live.is_unavailable, 10**9, 10**9, None)
        load = os.getloadavg()[0]
        print(f"{store.dialect}: {args.rows} buckets per flush, {os.cpu_count()} CPUs, load average {load:.1f}")
        base = None
        for round_, bad in enumerate(int(b) for b in args.bad.split(",")):
            minute = 29_000_000 + round_
            batch = WriteBatch()
            for i in range(args.rows):
                batch.buckets[(f"user{i:06d}@example.jp", minute, "JP")] = [1, 1, 0, 0]
            step = max(1, args.rows // max(bad, 1))
            for k in range(bad):
                batch.buckets[(f"user{k * step:06d}@example.jp", minute, "JP")][0] = 2**70
            transactions = 0
            start = time.perf_counter()
            outcome = writer.write(batch)
            took = time.perf_counter() - start
            assert outcome.unwritten is None and len(outcome.set_aside) == bad, outcome
            base = base or took
            print(f"  {bad:3d} poisoned: {took * 1000:7.0f} ms, {transactions:4d} transactions "
                  f"({took / base:.1f}x the clean flush)")
        store.dispose()


if __name__ == "__main__":
    main()
