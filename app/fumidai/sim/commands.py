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
    from .kinds import HIJACK_KINDS

    kinds = tuple(k.strip() for k in text.split(",") if k.strip())
    bad = [k for k in kinds if k not in HIJACK_KINDS]
    if bad or not kinds:
        raise argparse.ArgumentTypeError(f"unknown hijack kind {bad[0] if bad else '(none)'!r}; use {','.join(HIJACK_KINDS)}")
    return kinds


def _seeds(text: str) -> tuple[int, ...]:
    try:
        seeds = tuple(int(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list of seeds like 1,2,3") from None
    if not seeds or len(set(seeds)) != len(seeds):
        raise argparse.ArgumentTypeError(f"{text!r}: give distinct seeds, like 1,2,3")
    return seeds


def register(subparsers) -> None:
    from .kinds import HIJACK_KINDS

    p = subparsers.add_parser(
        "simulate",
        help="send simulated submission traffic (honest users and hijacked accounts) to a policy server",
        description="Play a seeded population of honest users, bulk senders, relays, travellers, newsletters, "
        "new customers, VPN users and hijacked accounts against a policy server over the Postfix policy "
        "protocol, then report how fast each hijack was stopped and how many honest messages were refused. "
        "With --config (the server's configuration) the population's past weeks are first written as a "
        "Postfix maillog and learned with `fumidai baseline import`.",
    )
    p.add_argument("--policy", metavar="HOST:PORT", help="the policy server (or unix:/path); required but "
                   "with --history-only")
    p.add_argument("--accounts", type=int, default=1000, help="number of accounts (default 1000)")
    p.add_argument("--rate", type=float, default=20.0,
                   help="honest messages per simulated minute at the office-hours peak (default 20)")
    p.add_argument("--duration", type=parse_duration, default=3600.0, help="simulated time: 30m, 1h, 2d (default 1h)")
    p.add_argument("--hijacks", type=int, default=len(HIJACK_KINDS),
                   help=f"number of hijacks; a cohort of 5-10 accounts is one (default {len(HIJACK_KINDS)})")
    p.add_argument("--hijack-kinds", type=_kinds, default=HIJACK_KINDS,
                   metavar="KINDS", help=f"comma-separated, assigned in turn: {','.join(HIJACK_KINDS)}")
    p.add_argument("--seed", type=int, default=1, help="same seed, same traffic (default 1)")
    p.add_argument("--seeds", type=_seeds, metavar="S,S,...",
                   help="run each seed in turn (accounts under seedS.isp.example, so that the runs do not "
                   "meet) and add the median / worst per kind and the goal's PASS/FAIL lines")
    p.add_argument("--home", default="JP", help="home country of the accounts (default JP)")
    p.add_argument("--time-scale", type=float, default=1.0, metavar="N",
                   help="play N times faster than real time; run the server with the same "
                   "`fumidai serve --time-scale N`; 0 sends as fast as possible (default 1)")
    p.add_argument("--start-offset", type=parse_duration, default=9 * 3600.0, metavar="TIME",
                   help="home time of day at the start, e.g. 9h or 21h30m (default 9h)")
    p.add_argument("--concurrency", type=int, default=16, help="policy connections in use at once (default 16)")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for each answer (default 10)")
    p.add_argument("--config", metavar="FILE",
                   help="the server's configuration: learn the history with `fumidai baseline import` first, "
                   "and give the bulk senders that asked their own limits (reported as own-limits)")
    p.add_argument("--history-days", type=float, default=7, metavar="N",
                   help="days of history before the live run (default 7; 0: none)")
    p.add_argument("--history-out", metavar="FILE",
                   help="write the history there as a Postfix maillog (.gz: compressed) and keep it")
    p.add_argument("--history-only", action="store_true",
                   help="write (and with --config learn) the history, then stop: start `fumidai serve --time-scale N` "
                   "after it, so that its clock starts where the history ends, and simulate with --history-days 0")
    p.add_argument("--report", choices=("text", "json"), default="text", help="report format (default text)")
    p.add_argument("--report-file", metavar="FILE", help="write the report there instead of standard output")
    p.set_defaults(func=run)
    register_demo(subparsers)


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def import_history(config: str, path: str) -> bool:
    """``fumidai baseline import --config CONFIG PATH`` as a child process; False when this fumidai has none."""
    import subprocess

    proc = subprocess.run([sys.executable, "-m", "fumidai.cli", "baseline", "import", "--config", config, path],
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          check=False)
    if proc.returncode == 2 and "invalid choice" in proc.stderr:
        _say("fumidai: warning: this fumidai has no `baseline import`; simulating without history")
        return False
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise FumidaiError(f"`fumidai baseline import` failed (exit {proc.returncode}): {last}")
    if proc.stdout.strip():
        _say(proc.stdout.strip().splitlines()[-1])  # its summary line
    return True


def give_own_limits(config: str, overrides: dict[str, dict[str, int]]) -> None:
    """What staff would do for the bulk senders that asked: ``fumidai account limits``, one each."""
    import subprocess

    for account, limits in overrides.items():
        sets = [arg for key, value in limits.items() for arg in ("--set", f"{key}={value}")]
        proc = subprocess.run([sys.executable, "-m", "fumidai.cli", "account", "limits", account, *sets,
                               "--reason", "simulate: bulk sender with agreed higher limits", "--config", config],
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["(no message)"])[-1]
            raise FumidaiError(f"`fumidai account limits {account}` failed: {last}")


def _history_path(out: str | None, seed: int, several: bool) -> str | None:
    if out is None or not several:
        return out
    from pathlib import Path

    path = Path(out)
    suffixes = "".join(path.suffixes)
    return str(path.with_name(path.name[: len(path.name) - len(suffixes)] + f".seed{seed}" + suffixes))


def run(args: argparse.Namespace) -> int:
    import asyncio
    import os
    import tempfile
    import time
    from dataclasses import replace

    from .client import PolicyClient, parse_address
    from .demo import OWN_LIMITS_KIND
    from .maillog import write_history
    from .population import Population, SimConfig, demo_ranges
    from .report import aggregate, build_report, render, render_summary
    from .runner import run_plan

    if args.history_only:
        if not (args.config or args.history_out) or not args.history_days:
            raise FumidaiError("--history-only needs --config or --history-out, and --history-days above 0")
    elif not args.policy:
        raise FumidaiError("--policy HOST:PORT is required (but with --history-only)")
    else:
        parse_address(args.policy)  # a malformed address is reported before any work
    if args.time_scale < 0:
        raise FumidaiError("--time-scale must be >= 0")
    if args.concurrency < 1:
        raise FumidaiError("--concurrency must be at least 1")
    if args.history_days < 0:
        raise FumidaiError("--history-days must be >= 0")
    if args.config and not os.path.exists(args.config):
        raise FumidaiError(f"--config {args.config}: no such file")
    seeds = args.seeds or (args.seed,)
    several = len(seeds) > 1
    configs = [SimConfig(accounts=args.accounts, rate=args.rate, duration=args.duration, hijacks=args.hijacks,
                         hijack_kinds=args.hijack_kinds, seed=seed, home=args.home.upper(),
                         start_offset=args.start_offset % 86400,
                         domain=f"seed{seed}.isp.example" if several else "isp.example") for seed in seeds]
    ranges = demo_ranges()
    populations = [Population(config, ranges) for config in configs]  # bad options fail before any work

    async def reachable():  # an unreachable server is the likeliest mistake: say so before any work
        async with PolicyClient(args.policy, connections=1, timeout=args.timeout):
            pass

    async def play(plan):
        async with PolicyClient(args.policy, connections=args.concurrency, timeout=args.timeout) as client:
            start = time.perf_counter()
            results = await run_plan(plan, client, args.time_scale)
            return results, time.perf_counter() - start, client.failures

    if not args.history_only:
        asyncio.run(reachable())
    reports = {}
    can_import = bool(args.config)
    for config, population in zip(configs, populations):
        plan = population.plan()
        history = _history_path(args.history_out, config.seed, several)
        if args.history_days and (history or can_import):
            temporary = history is None
            if temporary:
                fd, history = tempfile.mkstemp(prefix="fumidai-history-", suffix=".log")
                os.close(fd)
            try:
                started = time.perf_counter()
                stats = write_history(population, history, days=args.history_days)
                _say(f"history: {stats.submissions} submissions of {stats.accounts} accounts over "
                     f"{args.history_days:g} days, {stats.lines} maillog lines in {time.perf_counter() - started:.0f} s"
                     + ("" if temporary else f" → {history}"))
                if can_import:
                    can_import = import_history(args.config, history)
            finally:
                if temporary:
                    os.unlink(history)
        if args.history_only:
            continue
        if args.config:
            overrides = population.override_accounts
            give_own_limits(args.config, overrides)
            plan = [replace(s, kind=OWN_LIMITS_KIND) if s.account in overrides else s for s in plan]
        real = f", {config.duration / args.time_scale:.0f} s of real time" if args.time_scale else ""
        _say(f"simulating {len(plan)} messages from {config.accounts} accounts ({len(population.hijacked)} "
             f"hijacked) over {config.duration / 60:g} simulated minutes{real}, seed {config.seed}")
        results, wall, failures = asyncio.run(play(plan))
        if failures:
            _say(f"fumidai: warning: {failures} messages got no answer from the policy server")
        reports[config.seed] = build_report(results, wall_seconds=wall, duration=config.duration)

    if args.history_only:
        return 0
    summary = aggregate(reports)
    if args.report == "json":
        if several:
            text = render({"seeds": {str(s): r for s, r in reports.items()}, "summary": summary}, "json")
        else:
            text = render({**reports[seeds[0]], "summary": summary}, "json")
    else:
        text = "".join(f"Seed {s}\n{render(r)}\n" if several else render(r) + "\n" for s, r in reports.items())
        text += render_summary(summary)
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
        "traffic with a few hijacked accounts, a loopback DNS blocklist that lists one of two egress addresses "
        "after a few complaints about a hijacked account's spam, and the desk signed in as an admin. Stops on Ctrl+C, "
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
    p.add_argument("--history-days", type=float, default=7, metavar="N",
                   help="days of history written as a Postfix maillog and learned before the traffic "
                   "(default 7; 0: none)")
    p.set_defaults(func=_demo)


def _demo(args: argparse.Namespace) -> int:
    from .demo import run as run_demo

    return run_demo(args)
