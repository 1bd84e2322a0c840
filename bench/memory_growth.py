"""What the live state holds after simulated days of steady traffic, in process (tracemalloc).

    .venv/bin/python bench/memory_growth.py [--accounts 600] [--days 6] [--tidy-minutes 0]

A real Service (temporary SQLite store, demo GeoIP) answers Postfix requests from a loop
on a moved clock — no sockets, no waiting — so days of traffic take seconds. Each
account sends one message an hour (RCPT per recipient, DATA, END-OF-MESSAGE) to a few
varying recipients, mostly from home. The write-behind flush runs every simulated hour
(what `fumidai serve --time-scale 3600` does with `flush_interval = 1`); the periodic
tidy-up every ``--tidy-minutes`` simulated minutes (0: never, as `serve --time-scale`
did before `[storage] tidy_interval`). Prints the traced heap per simulated day and the
top growers between day 1 and the last day.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import sys
import tempfile
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "app"))

START = 1_800_000_000.0


class Clock:
    def __init__(self) -> None:
        self.t = START

    def __call__(self) -> float:
        return self.t


def message(account: str, ip: str, instance: str, rcpts: list[str]) -> list[dict[str, str]]:
    common = {"sasl_username": account, "client_address": ip, "instance": instance}
    out = [dict(common, protocol_state="RCPT", recipient=r, recipient_count="0") for r in rcpts]
    for stage in ("DATA", "END-OF-MESSAGE"):
        out.append(dict(common, protocol_state=stage, recipient="", recipient_count=str(len(rcpts))))
    return out


async def run(args) -> None:
    from fumidai.config import settings_from_dict
    from fumidai.geo.build import build_demo
    from fumidai.service import Service

    tmp = Path(tempfile.mkdtemp(prefix="fumidai-memgrowth-"))
    build_demo(tmp / "demo.mmdb")
    limits = {"unique_recipients_per_day": 1000} if args.unique_limit else {}
    settings = settings_from_dict({
        "storage": {"url": f"sqlite:///{tmp}/fumidai.db"},
        "geoip": {"database": str(tmp / "demo.mmdb")},
        "limits": limits,
    })
    clock = Clock()
    svc = Service(settings, clock=clock)
    svc.open_resources()
    svc._load()
    jp = [f"133.{i % 200}.{(i * 7) % 250}.{(i * 13) % 250}" for i in range(args.accounts)]
    abroad = ["203.0.113.5", "198.51.100.7", "8.8.8.8", "1.1.1.1"]
    seq = 0
    snapshots = {}
    minutes = int(args.days * 1440)
    tracemalloc.start(args.frames)
    for minute in range(minutes):
        clock.t = START + minute * 60
        # Each account sends once an hour, in its own minute of the hour.
        for a in range(minute % 60, args.accounts, 60):
            seq += 1
            ip = abroad[seq % 4] if seq % 20 == 0 else jp[a]
            rcpts = [f"r{(seq + k) % 97}@example.net" for k in range(1 + seq % 3)]
            for attrs in message(f"user{a:05d}", ip, f"{seq:x}.mem.0", rcpts):
                svc.handle(attrs)
        if minute % 60 == 59:
            await svc.flush()
        if args.tidy_minutes and minute % args.tidy_minutes == args.tidy_minutes - 1:
            await svc.tidy()
        if minute % 1440 == 1439:
            gc.collect()
            day = (minute + 1) // 1440
            snapshots[day] = tracemalloc.take_snapshot()
            current, _ = tracemalloc.get_traced_memory()
            print(f"day {day}: traced {current / 1e6:6.2f} MB", flush=True)
    first, last = snapshots[1], snapshots[max(snapshots)]
    print(f"\ntop growers, day 1 → day {max(snapshots)}:")
    for stat in last.compare_to(first, "traceback")[: args.top]:
        frame = stat.traceback[-1] if args.frames == 1 else stat.traceback.format()
        where = frame if args.frames == 1 else " ← ".join(x.strip() for x in frame[::-2][:args.frames])
        print(f"  {stat.size_diff / 1e6:+7.2f} MB {stat.count_diff:+8d} blocks  {where}")
    st = svc.counters
    print(f"\naccounts in memory {len(st.states)}; _touched {len(svc._touched)}; _last_alert {len(svc._last_alert)}; "
          f"limited {len(svc.limited)}")
    svc.store.dispose()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", type=int, default=600)
    ap.add_argument("--days", type=float, default=6)
    ap.add_argument("--tidy-minutes", type=int, default=0, help="simulated minutes between tidy-ups (0: never)")
    ap.add_argument("--unique-limit", action="store_true", help="configure unique_recipients_per_day")
    ap.add_argument("--frames", type=int, default=1)
    ap.add_argument("--top", type=int, default=15)
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
