"""Building baselines with a realistic past, and playing messages through the engine."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from fumidai.behaviour import Baseline, BehaviourConfig, BehaviourEngine, Permissions, Recent, RecipientHasher, Tier, Verdict, network_of

KEY = b"test-installation-key-0123456789"
HASH = RecipientHasher(KEY)
T0 = 1_796_000_000.0  # 2026-11-29, a Sunday-ish: "now" in the scenarios is T0 + 15 days
DAY = 86400.0
NOW = T0 + 15 * DAY
ACCEPTED = (Tier.NONE, Tier.WATCH, Tier.PROBATION)


def addresses(prefix: str, n: int, domains: tuple[str, ...] = ("example.jp", "mail.example.com")) -> list[str]:
    return [f"{prefix}{i}@{domains[i % len(domains)]}" for i in range(n)]


def hashes(addrs) -> tuple[int, ...]:
    return tuple(HASH(a) for a in addrs)


def learn_history(b: Baseline, contacts: list[str], days: int = 14, per_day: int = 3, clients=("203.0.113.5",),
                  countries=("JP",), asn: int | None = None, per_message: int = 2, seed: int = 1,
                  start: float = T0) -> Baseline:
    """``days`` days of ordinary mail: office hours, a few messages a day to usual contacts."""
    rng = random.Random(seed)
    for d in range(days):
        for m in range(per_day):
            t = start + d * DAY + 9 * 3600 + m * 2400 + rng.randrange(600)
            client = rng.choice(clients)
            b.learn(t, network_of(client), rng.choice(countries), asn, hashes(rng.sample(contacts, per_message)))
    return b


@dataclass
class Account:
    """An account as the policy path sees it: a baseline, its last hour, its permissions."""

    name: str
    baseline: Baseline = field(default_factory=Baseline)
    recent: Recent = field(default_factory=Recent)
    permissions: Permissions = field(default_factory=Permissions)
    verdicts: list[Verdict] = field(default_factory=list)

    def send(self, engine: BehaviourEngine, now: float, client: str, country: str, recipients, asn=None,
             complaints: int = 0) -> Verdict:
        v = engine.message(now, self.name, self.baseline, self.recent, client, country, asn, hashes(recipients),
                           self.permissions, complaints)
        self.verdicts.append(v)
        return v

    def accepted_before_stopped(self) -> int:
        """Messages that went out before the first one held, filtered or suspended."""
        for i, v in enumerate(self.verdicts):
            if v.tier not in ACCEPTED:
                return i
        return len(self.verdicts)

    def stopped(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.tier not in ACCEPTED]


def fast_and_full(cfg: BehaviourConfig | None = None) -> tuple[tuple[Account, BehaviourEngine], tuple[Account, BehaviourEngine]]:
    """Two accounts to play side by side: ``a`` through the engine's fast and steady paths, ``b``
    through the full path only (the tests hold the two to the same answers)."""
    fast, full = (BehaviourEngine(), BehaviourEngine()) if cfg is None else (BehaviourEngine(cfg), BehaviourEngine(cfg))
    full.fast_path = False
    return (Account("a"), fast), (Account("b"), full)
