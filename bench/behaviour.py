"""Behaviour analysis: memory of a million baselines, and the cost per message.

    python bench/behaviour.py                    # 1,000,000 accounts, 100,000 active
    python bench/behaviour.py --accounts 200000 --active 20000 --messages 20000

Times are CPU time of this process (time.process_time), so other load on the machine
waiting for a core does not count. Prints the RSS of this process (the baselines alone: add the server's own ~460 MB with a
million accounts imported), bytes per account as stored, and µs per keyed recipient hash
(RCPT), per assessment with learning (DATA, through BehaviourEngine.message), per learn
alone (the import's bulk path) and per decode/encode.

The population: 80 % home users (a few contacts, one network), 15 % busier ones (several
networks and countries, ~100 contacts), 5 % heavy senders (the correspondent bound full).
Baselines are built for a pool of distinct profiles and copied (every account its own
bytes object), so memory is what a million imported accounts cost.
"""

from __future__ import annotations

import argparse
import gc
import random
import time

from fumidai.behaviour import Baseline, BaselineTable, BehaviourConfig, BehaviourEngine, Recent, RecipientHasher, network_of

DAY = 86400.0
T0 = 1_796_000_000.0


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def profile(rng: random.Random, hasher: RecipientHasher, cfg: BehaviourConfig) -> Baseline:
    kind = rng.random()
    if kind < 0.80:
        contacts, per_day, nets, countries = rng.randint(3, 40), rng.randint(1, 3), 1 + (rng.random() < 0.3), ["JP"]
    elif kind < 0.95:
        contacts, per_day, nets, countries = rng.randint(40, 200), rng.randint(3, 15), rng.randint(2, 8), ["JP", "US", "KR"]
    else:
        contacts, per_day, nets, countries = 2000, rng.randint(30, 100), rng.randint(4, 20), ["JP", "US"]
    people = [hasher(f"p{rng.randrange(10**9)}@d{rng.randrange(contacts // 3 + 2)}.example") for _ in range(contacts)]
    clients = [f"{rng.randrange(1, 223)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}" for _ in range(nets)]
    b = Baseline()
    for d in range(28):
        for _ in range(rng.randint(0, per_day)):
            t = T0 + d * DAY + rng.randrange(8 * 3600, 23 * 3600)
            rcpts = rng.sample(people, min(len(people), rng.choice((1, 1, 2, 3))))
            b.learn(t, network_of(rng.choice(clients)), rng.choice(countries), None, rcpts, cfg)
    return b


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--active", type=int, default=100_000)
    parser.add_argument("--pool", type=int, default=3000, help="distinct profiles built")
    parser.add_argument("--messages", type=int, default=50_000, help="messages timed")
    args = parser.parse_args()
    cfg = BehaviourConfig()
    rng = random.Random(11)
    hasher = RecipientHasher(b"bench-installation-key-000000000")

    base_rss = rss_mb()
    started = time.process_time()
    pool = [profile(rng, hasher, cfg).to_bytes() for _ in range(args.pool)]
    print(f"built {args.pool} profiles in {time.process_time() - started:.1f} s")
    table = BaselineTable(cfg, max_live=args.active)
    names = [f"user{i:07d}@isp.example" for i in range(args.accounts)]
    stored = 0
    for i, name in enumerate(names):
        blob = bytes(bytearray(pool[i % args.pool]))  # its own object, as if read from the store
        stored += len(blob)
        table.load(name, blob)
    gc.collect()
    blobs_rss = rss_mb()
    for name in rng.sample(names, args.active):
        table.get(name)
    gc.collect()
    live_rss = rss_mb()
    print(f"{args.accounts:,} baselines: {stored / args.accounts:.0f} bytes per account stored "
          f"(min {min(map(len, pool))}, max {max(map(len, pool))})")
    print(f"RSS: {base_rss:.0f} MB at start, {blobs_rss:.0f} MB with all as bytes, "
          f"{live_rss:.0f} MB with {args.active:,} decoded "
          f"(+{(blobs_rss - base_rss) * 2**20 / args.accounts:.0f} B/account as bytes, "
          f"+{(live_rss - blobs_rss) * 2**20 / args.active:.0f} B/active account decoded)")

    # -- per message -----------------------------------------------------------------------
    n = args.messages
    addresses = [f"friend{i}@example{i % 7}.jp" for i in range(500)]
    start = time.process_time()
    for i in range(n):
        hasher(addresses[i % 500])
    hash_us = (time.process_time() - start) / n * 1e6

    engine = BehaviourEngine(cfg)
    active = [table.get_or_create(name) for name in names[:2000]]
    recents = [Recent() for _ in active]

    def usual_address(b: Baseline) -> str:
        key = max(b.networks, key=lambda k: b.networks[k][1], default=(203 << 16) | 113)
        if key >> 24:  # an IPv6 /48 never comes out of profile(); keep the bench simple
            return "203.0.113.1"
        return f"{key >> 16}.{(key >> 8) & 255}.{key & 255}.9"

    def timed(batch: list) -> float:
        now = T0 + 29 * DAY
        start = time.process_time()
        for i, (k, client, country, rcpts) in enumerate(batch):
            engine.message(now + i * 0.5, names[k], active[k], recents[k], client, country, None, rcpts)
        return (time.process_time() - start) / len(batch) * 1e6

    # Ordinary mail: the account's usual network and country, usual contacts.
    ordinary, unusual = [], []
    for i in range(n):
        k = i % len(active)
        b = active[k]
        known = list(b.correspondents[:3]) or [hasher("someone@example.jp")]
        rcpts = tuple(known[: rng.choice((1, 1, 2, 3))])
        country = max(b.countries, key=lambda c: b.countries[c][3], default="JP")
        ordinary.append((k, usual_address(b), country, rcpts))
        # Unusual: another network or country, some new recipients (the slow path, cohorts included).
        strangers = tuple(hasher(f"new{i}-{j}@else{j}.example") for j in range(rng.choice((1, 2, 5))))
        unusual.append((k, f"198.51.{i % 250}.{i % 200 + 1}", rng.choice(("JP", "JP", "US", "FR")), rcpts[:1] + strangers))
    assess_us = timed(ordinary)
    unusual_us = timed(unusual)
    messages = ordinary

    fresh = BaselineTable(cfg, max_live=10**9)
    now = T0 + 29 * DAY
    imported = [(names[i % 2000], now + i * 0.05, network_of(m[1]), m[2], m[3]) for i, m in enumerate(messages)]
    start = time.process_time()
    for name, t, net, country, rcpts in imported:
        fresh.learn(name, t, net, country, None, rcpts)
    learn_us = (time.process_time() - start) / n * 1e6

    blobs = pool[:2000]
    start = time.process_time()
    decoded = [Baseline.from_bytes(b) for b in blobs]
    decode_us = (time.process_time() - start) / len(blobs) * 1e6
    start = time.process_time()
    for b in decoded:
        b.to_bytes()
    encode_us = (time.process_time() - start) / len(blobs) * 1e6

    # The policy engine's own DATA decision, timed in the same run: the yardstick on a shared machine.
    from fumidai.config import Settings
    from fumidai.policy import AccountState, Engine, Request

    limits = Settings().default_limits()
    policy = Engine()
    states = [AccountState() for _ in range(2000)]
    requests = [Request(names[i % 2000], "DATA", f"i{i}", "", 2, "203.0.113.9", "JP") for i in range(n)]
    start = time.process_time()
    for i, req in enumerate(requests):
        policy.decide(req, states[i % 2000], limits, T0 + 29 * DAY + i * 0.5)
    policy_us = (time.process_time() - start) / n * 1e6

    print(f"policy.Engine.decide at DATA, same run (yardstick): {policy_us:.1f} µs")
    print(f"RCPT keyed recipient hash: {hash_us:.2f} µs")
    print(f"DATA assessment + learning (BehaviourEngine.message): {assess_us:.1f} µs per ordinary message, "
          f"{unusual_us:.1f} µs per unusual one (new network/country/recipients)")
    print(f"import learn (BaselineTable.learn): {learn_us:.1f} µs per message ({1e6 / learn_us:,.0f} messages/s)")
    print(f"decode {decode_us:.1f} µs, encode {encode_us:.1f} µs per baseline")


if __name__ == "__main__":
    main()
