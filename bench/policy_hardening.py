"""What the policy port's hardening costs per request: the same server with it and without, same run.

    .venv/bin/python bench/policy_hardening.py [--seconds 6] [--rounds 2] [--rate 3000]

"plain": PolicyServer parsing the six attributes `fumidai serve` reads, no number limits,
no account names. "hardened": PolicyServer.from_settings with the defaults (numbers
range-checked in the parser, canonical account names, the peer allow-list). Both answer
DUNNO without an engine, so the difference is the hardening alone. The two run in turn,
``--rounds`` times each, under the load of bench/policy_server.py; server CPU per request
comes from /proc. Prints each round and the ratio of the medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "app"))

from policy_server import Workload, free_port, measure, wait_line  # noqa: E402

SERVER = r'''
import asyncio, sys, uvloop
from fumidai.config import settings_from_dict
from fumidai.postfix.server import PolicyServer
from fumidai.service import Service
async def main():
    listen = "127.0.0.1:" + sys.argv[2]
    if sys.argv[1] == "hardened":
        policy = settings_from_dict({"policy": {"listen": listen}}).policy
        srv = PolicyServer.from_settings(lambda attrs: "DUNNO", policy, attributes=Service.ATTRIBUTES)
    else:
        srv = PolicyServer(lambda attrs: "DUNNO", listen, attributes=Service.ATTRIBUTES, limits={})
    await srv.start()
    print("ready", flush=True)
    await asyncio.Event().wait()
uvloop.run(main())
'''


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", type=int, default=10_000)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=6)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--rate", type=float, default=3000)
    args = ap.parse_args()
    env = dict(os.environ, PYTHONPATH=str(HERE.parent / "app"))
    cpu: dict[str, list[float]] = {"plain": [], "hardened": []}
    p99: dict[str, list[float]] = {"plain": [], "hardened": []}
    for _ in range(args.rounds):
        for name in ("plain", "hardened"):
            port = free_port()
            proc = subprocess.Popen([sys.executable, "-c", SERVER, name, str(port)], stdout=subprocess.PIPE, text=True,
                                    env=env)
            try:
                wait_line(proc, "ready")
                res = measure(name, proc.pid, port, args, Workload(args.accounts))
            finally:
                proc.terminate()
                proc.wait()
            cpu[name].append(res["cpu_us_per_req"])
            p99[name].append(res["p99_ms"])
    plain, hardened = statistics.median(cpu["plain"]), statistics.median(cpu["hardened"])
    print(f"\nserver CPU per request, median of {args.rounds}: plain {plain:.1f} µs, hardened {hardened:.1f} µs "
          f"(ratio {hardened / plain:.3f}); p99 plain {statistics.median(p99['plain']):.2f} ms, hardened "
          f"{statistics.median(p99['hardened']):.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
