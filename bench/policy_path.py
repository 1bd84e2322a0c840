"""The policy path in process: CPU per request with behaviour analysis on and off, same run.

    python bench/policy_path.py [--accounts 20000] [--messages 100000] [--profile on|off]
    valgrind --tool=callgrind --instr-atstart=no python bench/policy_path.py --only on --callgrind

bench/policy_server.py's workload (its Workload class: 1-3 RCPT requests and one DATA per
message, each account from its own usual address) straight into ``Service.handle``, with
no socket and no parser: what the decision itself costs. Every account sends once first
(as policy_server.py's warm-up does), then --messages messages are timed with
time.process_time. ``--history D`` first gives each account D days of the same traffic
(the clock moved back) and each day the same Zipf traffic as the timed part, so its
baseline knows its country, network, recipients and busy hours: the fast path of ordinary
mail. ``--profile on`` prints cProfile's top functions; ``--callgrind``
(under valgrind with --instr-atstart=no) instruments only the timed requests, so
callgrind's total / requests is instructions per request.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "app"))
sys.path.insert(0, str(HERE))

from policy_server import Workload, bench_config  # noqa: E402

FIELDS = ("sasl_username", "protocol_state", "client_address", "recipient_count", "instance", "recipient")


class Clock:
    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


def requests(work: Workload, accounts: list[str] | None, n: int) -> list[dict[str, str]]:
    """The requests of ``n`` messages (or one per account in ``accounts``), as the parser gives them."""
    out = []
    for i in range(len(accounts) if accounts else n):
        for raw in work.message(accounts[i] if accounts else None):
            attrs = dict(line.split("=", 1) for line in raw.decode().strip().split("\n"))
            out.append({k: attrs[k] for k in FIELDS})
    return out


def build(cfg_path: Path, behaviour: bool, clock: Clock):
    from fumidai.config import load_settings
    from fumidai.service import Service

    text = cfg_path.read_text() + ("" if behaviour else "[behaviour]\nenabled = false\n")
    path = cfg_path.with_name(f"path-{'on' if behaviour else 'off'}.toml")
    path.write_text(text)
    svc = Service(load_settings(path, {}), clock=clock)
    svc.open_resources()
    svc._load()
    return svc


def run(svc, reqs: list[dict[str, str]]) -> float:
    handle = svc.handle
    t = time.process_time()
    for attrs in reqs:
        handle(attrs)
    return time.process_time() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accounts", type=int, default=20_000)
    ap.add_argument("--messages", type=int, default=100_000)
    ap.add_argument("--history", type=int, default=0, help="days of earlier traffic per account first")
    ap.add_argument("--only", choices=("on", "off"), help="run one variant (for callgrind)")
    ap.add_argument("--profile", choices=("on", "off"), help="cProfile this variant's timed part")
    ap.add_argument("--callgrind", action="store_true", help="switch callgrind's instrumentation on for the timed part")
    args = ap.parse_args()

    _tmp, cfg, _p, _a = bench_config("fumidai-path-")
    names = [f"user{i:07d}" for i in range(args.accounts)]
    variants = [args.only] if args.only else ["off", "on"]
    # The same requests for both variants (instances differ per message, so each is new).
    timed = requests(Workload(args.accounts), None, args.messages)
    results = {}
    for v in variants:
        clock = Clock()
        svc = build(cfg, v == "on", clock)
        for d in range(args.history, 0, -1):
            # Each past day: every account once, then the day's Zipf traffic (as many messages
            # as the timed part, so busy accounts have their busy hours in their baselines).
            clock.offset = -d * 86400.0
            run(svc, requests(Workload(args.accounts, seed=100 + d), names, 0))
            run(svc, requests(Workload(args.accounts, seed=200 + d), None, args.messages))
        clock.offset = 0.0
        run(svc, requests(Workload(args.accounts, seed=2), names, 0))  # every account active today
        if args.profile == v:
            prof = cProfile.Profile()
            prof.enable()
            spent = run(svc, timed)
            prof.disable()
            pstats.Stats(prof).sort_stats("tottime").print_stats(25)
        elif args.callgrind:
            subprocess.run(["callgrind_control", "--instr=on", str(os.getpid())], check=True, capture_output=True)
            spent = run(svc, timed)
            subprocess.run(["callgrind_control", "--instr=off", str(os.getpid())], check=True, capture_output=True)
        else:
            spent = run(svc, timed)
        results[v] = spent / len(timed) * 1e6
        print(f"behaviour {v:3}: {results[v]:6.2f} µs CPU per request ({len(timed)} requests, "
              f"{args.messages} messages, {args.accounts} accounts, {args.history} days of history)", flush=True)
        svc.store.dispose()
    if len(results) == 2:
        print(f"on/off: {results['on'] / results['off']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
