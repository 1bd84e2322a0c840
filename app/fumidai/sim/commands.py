"""`fumidai simulate`: play a seeded population against a policy server and report containment;
`fumidai demo`: the whole product on this machine (sim/demo.py)."""

from __future__ import annotations

import argparse
import re
import sys

from ..errors import FumidaiError

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> float:
    """``90s``, ``30m``, ``1h``, ``2d``, ``1h30m`` or plain seconds → seconds."""
    text = text.strip().lower()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    parts = re.findall(r"(\d+(?:\.\d+)?)([smhd])", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration like 90s, 30m, 1h or 2d")
    return sum(float(n) * _UNITS[u] for n, u in parts)


def _kinds(text: str) -> tuple[str, ...]:
    from .population import HIJACK_KINDS

    kinds = tuple(k.strip() for k in text.split(",") if k.strip())
    bad = [k for k in kinds if k not in HIJACK_KINDS]
    if bad or not kinds:
        raise argparse.ArgumentTypeError(f"unknown hijack kind {bad[0] if bad else '(none)'!r}; use {','.join(HIJACK_KINDS)}")
    return kinds


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "simulate",
        help="send simulated submission traffic (honest users and hijacked accounts) to a policy server",
        description="Play a seeded population of honest users, heavy senders, travellers and hijacked "
        "accounts against a policy server over the Postfix policy protocol, then report how fast each "
        "hijack was stopped and how many honest messages were refused.",
    )
    p.add_argument("--policy", required=True, metavar="HOST:PORT", help="the policy server (or unix:/path)")
    p.add_argument("--accounts", type=int, default=1000, help="number of accounts (default 1000)")
    p.add_argument("--rate", type=float, default=20.0,
                   help="honest messages per simulated minute at the office-hours peak (default 20)")
    p.add_argument("--duration", type=parse_duration, default=3600.0, help="simulated time: 30m, 1h, 2d (default 1h)")
    p.add_argument("--hijacks", type=int, default=4, help="number of hijacked accounts (default 4)")
    p.add_argument("--hijack-kinds", type=_kinds, default=("burst", "slow", "multi", "proxy"),
                   metavar="KINDS", help="comma-separated, assigned in turn: burst,slow,multi,proxy")
    p.add_argument("--seed", type=int, default=1, help="same seed, same traffic (default 1)")
    p.add_argument("--home", default="JP", help="home country of the accounts (default JP)")
    p.add_argument("--time-scale", type=float, default=1.0, metavar="N",
                   help="play N times faster than real time; run the server with the same "
                   "`fumidai serve --time-scale N`; 0 sends as fast as possible (default 1)")
    p.add_argument("--start-offset", type=parse_duration, default=9 * 3600.0, metavar="TIME",
                   help="home time of day at the start, e.g. 9h or 21h30m (default 9h)")
    p.add_argument("--concurrency", type=int, default=16, help="policy connections in use at once (default 16)")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for each answer (default 10)")
    p.add_argument("--report", choices=("text", "json"), default="text", help="report format (default text)")
    p.add_argument("--report-file", metavar="FILE", help="write the report there instead of standard output")
    p.set_defaults(func=run)
    register_demo(subparsers)


def run(args: argparse.Namespace) -> int:
    import asyncio
    import time

    from .client import PolicyClient, parse_address
    from .population import Population, SimConfig, demo_ranges
    from .report import build_report, render
    from .runner import run_plan

    parse_address(args.policy)  # a malformed address is reported before any work
    if args.time_scale < 0:
        raise FumidaiError("--time-scale must be >= 0")
    if args.concurrency < 1:
        raise FumidaiError("--concurrency must be at least 1")
    config = SimConfig(accounts=args.accounts, rate=args.rate, duration=args.duration, hijacks=args.hijacks,
                       hijack_kinds=args.hijack_kinds, seed=args.seed, home=args.home.upper(),
                       start_offset=args.start_offset % 86400)

    async def go():
        # Reach the server first: an unreachable server is the likeliest mistake.
        async with PolicyClient(args.policy, connections=args.concurrency, timeout=args.timeout) as client:
            population = Population(config, demo_ranges())
            plan = population.plan()
            real = f", {config.duration / args.time_scale:.0f} s of real time" if args.time_scale else ""
            print(f"simulating {len(plan)} messages from {config.accounts} accounts "
                  f"({len(population.hijacked)} hijacked) over {config.duration / 60:g} simulated minutes{real}",
                  file=sys.stderr)
            start = time.perf_counter()
            results = await run_plan(plan, client, args.time_scale)
            return results, time.perf_counter() - start, client.failures

    results, wall, failures = asyncio.run(go())
    if failures:
        print(f"fumidai: warning: {failures} messages got no answer from the policy server", file=sys.stderr)
    text = render(build_report(results, wall_seconds=wall, duration=config.duration), args.report)
    if args.report_file:
        try:
            with open(args.report_file, "w", encoding="utf-8") as f:
                f.write(text)
        except OSError as err:
            raise FumidaiError(f"cannot write the report to {args.report_file}: {err.strerror or err}") from None
    else:
        sys.stdout.write(text)
    return 0


def register_demo(subparsers) -> None:
    p = subparsers.add_parser(
        "demo",
        help="everything on this machine: server, simulated traffic with hijacks, the desk signed in; "
        "needs the demo extra",
        description="Run the whole product in a temporary folder (removed at the end): the demo GeoIP "
        "database, SQLite, `fumidai serve` with a fast clock, a local SMTP sink for notices, simulated "
        "traffic with a few hijacked accounts, and the desk signed in as an admin. Stops on Ctrl+C, "
        "when the desk window closes, or after --seconds. Without a display (or without the desk's "
        "packages) it runs headless and says so. Needs the demo extra, and the desk extra for the desk: "
        "pip install 'fumidai[desk,demo]'.",
    )
    p.add_argument("--headless", action="store_true",
                   help="no desk: print a summary line every few seconds and the containment report at the end")
    p.add_argument("--seconds", type=float, metavar="N", help="stop after N seconds of traffic (default: run until stopped)")
    p.add_argument("--time-scale", type=float, default=60.0, metavar="N",
                   help="the clock runs N times faster (default 60: a simulated hour per real minute)")
    p.add_argument("--accounts", type=int, default=1000, help="number of simulated accounts (default 1000)")
    p.add_argument("--hijacks", type=int, default=4, help="number of hijacked accounts (default 4)")
    p.add_argument("--seed", type=int, default=1, help="same seed, same traffic (default 1)")
    p.set_defaults(func=_demo)


def _demo(args: argparse.Namespace) -> int:
    from .demo import run as run_demo

    return run_demo(args)
