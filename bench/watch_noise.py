"""Behaviour alerts per honest account against the hijacks they exist for, with the containment report.

    python bench/watch_noise.py [--seeds 1,2,3] [--duration 1h] [--time-scale 60] [--set KEY=VALUE ...]

Runs docs/containment.md's procedure on a temporary store: the population's history learned
first (`fumidai simulate --history-only`), then `fumidai serve --time-scale N` and the live
run (`fumidai simulate ... --history-days 0`). Then it reads the alerts the server stored
and counts, per account kind (the simulator's population, rebuilt from the same seeds),
how many accounts raised a `behaviour:watch` / `behaviour:probation` alert and how many such
alerts there were (one per account and reason an hour at most: ALERT_REPEAT), next to the
containment summary. ``--set`` adds `[behaviour]` keys (e.g. ``--set watch_score=35``), to
compare a tuning against the defaults on the same traffic.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "app"))
sys.path.insert(0, str(HERE))

from policy_server import bench_config, wait_line  # noqa: E402


def kinds_by_account(seeds: list[int], duration: float) -> dict[str, str]:
    """account -> its kind ("honest", "traveller", ...; a hijacked account: "hijack:KIND")."""
    from fumidai.sim.population import Population, SimConfig, demo_ranges

    ranges = demo_ranges()
    out = {}
    for seed in seeds:
        domain = f"seed{seed}.isp.example" if len(seeds) > 1 else "isp.example"
        pop = Population(SimConfig(seed=seed, domain=domain, duration=duration), ranges)
        for acc in pop.accounts:
            out[acc.name] = f"hijack:{acc.hijack}" if acc.hijack else acc.kind
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--duration", default="1h")
    ap.add_argument("--time-scale", type=float, default=60.0)
    ap.add_argument("--history-days", type=float, default=7)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="a [behaviour] key (TOML value)")
    args = ap.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]

    tmp, cfg, policy_port, _api = bench_config("fumidai-noise-")
    # The simulator's runs use the default limits (bench_config's are generous): as docs/containment.md.
    text = cfg.read_text()
    text = text[:text.index("[limits]")]
    if args.set:
        text += "[behaviour]\n" + "".join(f"{kv}\n" for kv in args.set)
    cfg.write_text(text)
    env = dict(os.environ, PYTHONPATH=str(HERE.parent / "app"))
    fumidai = [sys.executable, "-m", "fumidai.cli"]

    t = time.time()
    subprocess.run(fumidai + ["simulate", "--history-only", "--config", str(cfg), "--seeds", args.seeds,
                              "--history-days", str(args.history_days)], check=True, env=env, stdout=subprocess.DEVNULL)
    print(f"history learned in {time.time() - t:.0f} s", flush=True)
    log = open(tmp / "serve.log", "w")
    srv = subprocess.Popen(fumidai + ["serve", "--config", str(cfg), "--time-scale", str(args.time_scale)],
                           stdout=subprocess.PIPE, stderr=log, text=True, env=env)
    report = tmp / "report.json"
    try:
        wait_line(srv, "policy server on", timeout=300)
        subprocess.run(fumidai + ["simulate", "--policy", f"127.0.0.1:{policy_port}", "--config", str(cfg),
                                  "--time-scale", str(args.time_scale), "--seeds", args.seeds, "--history-days", "0",
                                  "--duration", args.duration, "--report", "json", "--report-file", str(report)],
                       check=True, env=env, stdout=subprocess.DEVNULL)
    finally:
        srv.terminate()  # flushes the alerts to the store
        srv.wait(timeout=60)
        log.close()

    from fumidai.config import load_settings
    from fumidai.sim.report import render_summary
    from fumidai.sim.commands import parse_duration
    from fumidai.store import Store, repo

    kinds = kinds_by_account(seeds, parse_duration(args.duration))
    store = Store(load_settings(cfg, {}).storage.url)
    alerts = defaultdict(Counter)  # kind -> reason -> alerts
    raised = defaultdict(set)  # (kind, reason) -> accounts
    why = Counter()  # the signals of honest accounts' watch alerts
    after = 0
    with store.session() as s:
        while batch := repo.alerts_after(s, after, 5000):
            for a in batch:
                after = a.id
                if a.reason.startswith("behaviour:"):
                    kind = kinds.get(a.account, "?")
                    alerts[kind][a.reason] += 1
                    raised[(kind, a.reason)].add(a.account)
                    if a.reason == "behaviour:watch" and not kind.startswith("hijack"):
                        reasons = (a.detail or {}).get("reasons") or []
                        why[" + ".join(sorted(str(r.get("code")) for r in reasons if isinstance(r, dict)))] += 1
    store.dispose()
    population = Counter(kinds.values())
    hours = parse_duration(args.duration) / 3600
    print(f"\nbehaviour alerts over {args.duration} of live traffic, seeds {args.seeds}"
          + (f", [behaviour] {' '.join(args.set)}" if args.set else ", [behaviour] defaults"))
    print(f"{'kind':<18} {'accounts':>8} {'watch':>6} {'(accts)':>7} {'probation':>9} {'(accts)':>7} "
          f"{'hold':>5} {'watch/acct/h':>12}")
    for kind in sorted(population, key=lambda k: (k.startswith("hijack"), k)):
        c = alerts.get(kind, Counter())
        w, p = c["behaviour:watch"], c["behaviour:probation"]
        print(f"{kind:<18} {population[kind]:>8} {w:>6} {len(raised[(kind, 'behaviour:watch')]):>7} {p:>9} "
              f"{len(raised[(kind, 'behaviour:probation')]):>7} {c['behaviour:hold'] + c['behaviour:filter']:>5} "
              f"{w / population[kind] / hours:>12.3f}")
    print("honest watch alerts by their signals: " + ", ".join(f"{k or '-'} {n}" for k, n in why.most_common(8)))
    summary = json.loads(report.read_text())["summary"]
    print(render_summary(summary))
    print(f"(store and logs in {tmp})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
