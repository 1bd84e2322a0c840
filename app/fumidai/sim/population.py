"""A seeded population of mail accounts and the traffic they submit.

Everything comes from one ``random.Random(seed)``: the same options give the same plan,
whatever the speed at which it is later played. Who is in it:

- honest users, home country JP by default, Zipf-distributed activity, office hours;
- heavy honest senders (newsletters, shops) above the default hourly quota; some of
  them are the ones staff would give an override (``Population.override_accounts``);
- travellers, sending a little from abroad for a few days;
- hijacked accounts (their owners keep sending as usual): ``burst`` from abroad (hundreds
  of messages, many recipients), ``slow`` from abroad under the hourly quota, ``multi``
  (logins from many countries at once), ``proxy`` (a burst through home-country addresses).
"""

from __future__ import annotations

import bisect
import ipaddress
import math
import random
from dataclasses import dataclass
from typing import Mapping, Sequence

from ..errors import FumidaiError
from .client import Submission

HONEST_KINDS = ("honest", "heavy", "traveller")
HIJACK_KINDS = ("burst", "slow", "multi", "proxy")
# Where hijackers and travellers log in from (only those present in the ranges are used).
SPAM_COUNTRIES = ("CN", "RU", "NG", "BR", "VN", "IN", "UA", "ID")
TRAVEL_COUNTRIES = ("US", "KR", "TW", "TH", "FR", "GB", "DE", "SG", "AU")
HONEST_MAX_PER_HOUR = 30  # an ordinary user's busiest hour; heavy senders are separate
HEAVY_OVERRIDE = {"messages_per_hour": 1000, "messages_per_day": 5000,
                  "recipients_per_hour": 10000, "recipients_per_day": 50000}  # fmt: skip
_GIVEN = ("taro", "hanako", "yuki", "kenji", "sakura", "hiroshi", "aiko", "daisuke", "emi", "kaito",
          "mai", "ryo", "naoko", "sho", "yumi", "takeshi", "rina", "kazuki", "ayaka", "jun")  # fmt: skip
_SPAM_DOMAINS = ("mailbox.example", "post.example", "inbox.test", "webmail.example", "corp.test")

Ranges = Mapping[str, Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network]]


def demo_ranges() -> dict[str, list[ipaddress.IPv4Network | ipaddress.IPv6Network]]:
    """The networks of each country in the demo GeoIP database (resources/geoip/demo-ranges.csv)."""
    from ..geo.build import parse_range, ranges_by_country

    out: dict[str, list] = {}
    for country, texts in ranges_by_country().items():
        for text in texts:
            version, first, last = parse_range(text)
            kind = ipaddress.IPv4Address if version == 4 else ipaddress.IPv6Address
            out.setdefault(country, []).extend(ipaddress.summarize_address_range(kind(first), kind(last)))
    return out


@dataclass(frozen=True, slots=True)
class SimConfig:
    accounts: int = 1000
    rate: float = 20.0  # honest messages per simulated minute at the office-hours peak
    duration: float = 3600.0  # simulated seconds
    hijacks: int = 4
    hijack_kinds: tuple[str, ...] = HIJACK_KINDS  # assigned in turn
    seed: int = 1
    home: str = "JP"
    start_offset: float = 9 * 3600.0  # home time of day (seconds after midnight) at the start
    domain: str = "isp.example"
    # Hijacks start 5-40 % into this span (default: the whole duration); the demo plays a
    # long day but wants its hijacks within the first hour.
    hijack_start_within: float | None = None

    def check(self, ranges: Ranges) -> None:
        if self.accounts < 1:
            raise FumidaiError("--accounts must be at least 1")
        if self.rate < 0 or self.duration <= 0:
            raise FumidaiError("--rate must be >= 0 and --duration > 0")
        if self.hijacks < 0 or self.hijacks > self.accounts:
            raise FumidaiError(f"--hijacks must be between 0 and the number of accounts ({self.accounts})")
        bad = [k for k in self.hijack_kinds if k not in HIJACK_KINDS]
        if bad or not self.hijack_kinds:
            raise FumidaiError(f"--hijack-kinds: unknown kind {bad[0] if bad else '(none)'!r}; use {','.join(HIJACK_KINDS)}")
        if self.home not in ranges:
            raise FumidaiError(f"no address ranges for the home country {self.home}")
        if self.rate > self.accounts * HONEST_MAX_PER_HOUR / 60:
            need = math.ceil(self.rate * 60 / HONEST_MAX_PER_HOUR)
            raise FumidaiError(f"--rate {self.rate:g} needs at least {need} accounts "
                               f"(an honest user sends at most {HONEST_MAX_PER_HOUR} messages an hour)")


@dataclass(frozen=True, slots=True)
class Account:
    name: str
    kind: str  # one of HONEST_KINDS
    weight: float  # share of the honest traffic
    hijack: str | None = None  # one of HIJACK_KINDS
    wants_override: bool = False  # a heavy sender staff would give higher limits
    trip: tuple[str, float, float] | None = None  # (country, start, end) in simulated seconds

    @property
    def address(self) -> str:
        return self.name  # SASL user names are mail addresses at this ISP


def office_activity(hour: float) -> float:
    """How busy honest users are at a home time of day, 1.0 at the peak."""
    h = hour % 24
    if 9 <= h < 12 or 13 <= h < 18:
        return 1.0
    if 12 <= h < 13:
        return 0.6
    if 7 <= h < 9 or 18 <= h < 22:
        return 0.3
    return 0.04


class Population:
    """The accounts of one simulation and the messages they submit (``plan()``)."""

    def __init__(self, config: SimConfig, ranges: Ranges) -> None:
        config.check(ranges)
        self.config = config
        self.ranges = {cc: list(nets) for cc, nets in ranges.items() if nets}
        self._rng = random.Random(config.seed)
        self.accounts = self._make_accounts()
        self._plan: list[Submission] | None = None

    # -- who -------------------------------------------------------------------------

    def _make_accounts(self) -> list[Account]:
        cfg, rng = self.config, self._rng
        n = cfg.accounts
        names = [f"{_GIVEN[i % len(_GIVEN)]}{i:05d}@{cfg.domain}" for i in range(n)]
        order = list(range(n))
        rng.shuffle(order)  # who is busy has nothing to do with the account number
        zipf = [1.0 / (rank + 1) ** 1.05 for rank in range(n)]
        weights = [0.0] * n
        for rank, i in enumerate(order):
            weights[i] = zipf[rank]
        weights = _water_fill(weights, HONEST_MAX_PER_HOUR / 60 / cfg.rate if cfg.rate else 1.0)

        heavy = sorted(rng.sample(range(n), max(1, n // 200))) if n >= 10 else []
        # Every other heavy sender has asked for higher limits; the rest show why one would.
        wants_override = set(heavy[::2])
        rest = [i for i in range(n) if i not in heavy]
        travel = [c for c in TRAVEL_COUNTRIES if c in self.ranges and c != cfg.home]
        travellers = set(rng.sample(rest, min(len(rest), max(1, n // 100)))) if n >= 20 and travel else set()
        # Hijackers take over ordinary accounts; their owners keep sending as usual.
        ordinary = [i for i in rest if i not in travellers]
        hijacked = rng.sample(ordinary if len(ordinary) >= cfg.hijacks else rest, cfg.hijacks)
        hijack_of = {i: cfg.hijack_kinds[k % len(cfg.hijack_kinds)] for k, i in enumerate(hijacked)}
        median = sorted(weights)[n // 2]

        accounts = []
        for i, name in enumerate(names):
            if i in heavy:
                accounts.append(Account(name, "heavy", 0.0, wants_override=i in wants_override))
            elif i in travellers:
                start = -rng.uniform(0, 2 * 86400)
                trip = (rng.choice(travel), start, start + rng.uniform(3, 6) * 86400)
                accounts.append(Account(name, "traveller", min(weights[i], median), trip=trip))
            else:
                accounts.append(Account(name, "honest", weights[i], hijack=hijack_of.get(i)))
        return accounts

    @property
    def hijacked(self) -> list[Account]:
        return [a for a in self.accounts if a.hijack]

    @property
    def override_accounts(self) -> dict[str, dict[str, int]]:
        """Heavy senders that staff would give their own limits, and the limits to give."""
        return {a.name: dict(HEAVY_OVERRIDE) for a in self.accounts if a.wants_override}

    # -- what they send ----------------------------------------------------------------

    def plan(self) -> list[Submission]:
        """Every message of the simulation, in sending order."""
        if self._plan is None:
            rng = random.Random(self._rng.random())  # the plan does not depend on how often it is asked
            raw: list[tuple[float, dict]] = []
            raw += self._honest(rng)
            for acc in self.accounts:
                if acc.kind == "heavy":
                    raw += self._heavy(rng, acc)
            for acc in self.hijacked:
                raw += self._hijack(rng, acc)
            raw.sort(key=lambda item: (item[0], item[1]["account"], item[1]["recipients"]))
            self._plan = [Submission(at=round(at, 3), seq=seq, **fields) for seq, (at, fields) in enumerate(raw)]
        return self._plan

    def _hour(self, t: float) -> float:
        return (self.config.start_offset + t) / 3600.0

    def _address(self, rng: random.Random, country: str) -> str:
        net = rng.choice(self.ranges[country])
        if net.num_addresses <= 2:
            return str(net.network_address)
        return str(net.network_address + rng.randrange(1, net.num_addresses - 1))

    def _home_addresses(self, acc: Account) -> list[str]:
        # A home line keeps its address for a while: two addresses per account, from its name.
        r = random.Random(f"{self.config.seed}:{acc.name}")
        return [self._address(r, self.config.home) for _ in range(2)]

    def _honest_rcpts(self, rng: random.Random, acc: Account) -> tuple[str, ...]:
        roll = rng.random()
        count = 1 if roll < 0.6 else 2 if roll < 0.8 else rng.randint(3, 5) if roll < 0.95 else rng.randint(6, 20)
        local = acc.name.split("@", 1)[0]
        contacts = rng.sample(range(40), count)  # each user writes to a few dozen people
        return tuple(f"contact{c}.{local}@mail.example" for c in contacts)

    def _honest(self, rng: random.Random) -> list[tuple[float, dict]]:
        cfg = self.config
        pool = [a for a in self.accounts if a.kind != "heavy"]
        if not cfg.rate or not pool:
            return []
        cum, total = [], 0.0
        for a in pool:
            total += a.weight
            cum.append(total)
        homes = {}
        out = []
        t = 0.0
        peak = cfg.rate / 60.0  # per simulated second
        while True:
            t += rng.expovariate(peak)
            if t >= cfg.duration:
                return out
            if rng.random() >= office_activity(self._hour(t)):
                continue  # thinning: fewer messages outside office hours
            acc = pool[min(bisect.bisect_left(cum, rng.random() * total), len(pool) - 1)]
            if acc.trip and acc.trip[1] <= t < acc.trip[2]:
                country, address = acc.trip[0], self._address(rng, acc.trip[0])
            else:
                if acc.name not in homes:
                    homes[acc.name] = self._home_addresses(acc)
                country, address = cfg.home, rng.choice(homes[acc.name])
            out.append((t, dict(account=acc.name, kind=acc.kind, spam=False, country=country, client_address=address,
                                sender=acc.address, recipients=self._honest_rcpts(rng, acc),
                                client_port=rng.randint(49152, 65535), helo_name=f"[192.168.{rng.randint(0, 3)}.{rng.randint(2, 250)}]",
                                size=int(min(rng.lognormvariate(9.5, 1.2), 20_000_000)))))

    def _heavy(self, rng: random.Random, acc: Account) -> list[tuple[float, dict]]:
        # About 150 messages an hour at the peak, 5-40 recipients each: past the default quota.
        cfg = self.config
        address = self._home_addresses(acc)[0]
        out, t = [], 0.0
        local = acc.name.split("@", 1)[0]
        while True:
            t += rng.expovariate(150 / 3600)
            if t >= cfg.duration:
                return out
            if rng.random() >= office_activity(self._hour(t)):
                continue
            rcpts = tuple(f"member{rng.randrange(5000)}.{local}@mail.example" for _ in range(rng.randint(5, 40)))
            out.append((t, dict(account=acc.name, kind="heavy", spam=False, country=cfg.home, client_address=address,
                                sender=acc.address, recipients=tuple(dict.fromkeys(rcpts)),
                                client_port=rng.randint(49152, 65535), helo_name="mailer.shop.example",
                                size=rng.randint(20_000, 80_000))))

    def _hijack(self, rng: random.Random, acc: Account) -> list[tuple[float, dict]]:
        cfg = self.config
        kind = acc.hijack
        abroad = [c for c in SPAM_COUNTRIES if c in self.ranges and c != cfg.home] or [cfg.home]
        start = rng.uniform(0.05, 0.4) * min(cfg.duration, cfg.hijack_start_within or cfg.duration)
        forged = rng.random() < 0.5  # half of them forge the sender; the SASL user is what counts
        if kind == "burst":
            countries, count, mean_gap, rcpts = [rng.choice(abroad)], rng.randint(200, 400), 3.0, (20, 50)
        elif kind == "proxy":
            countries, count, mean_gap, rcpts = [cfg.home], rng.randint(200, 400), 3.0, (20, 50)
        elif kind == "slow":  # 60-90 an hour: under the default hourly quota of 100
            countries, count, mean_gap, rcpts = [rng.choice(abroad)], 10**6, 3600 / rng.randint(60, 90), (3, 8)
        else:  # multi: a botnet, every message from another country
            everywhere = abroad + [c for c in TRAVEL_COUNTRIES if c in self.ranges and c != cfg.home]
            countries = rng.sample(everywhere, k=min(10, len(everywhere)))
            count, mean_gap, rcpts = rng.randint(150, 300), 15.0, (5, 15)
        sources = {c: [self._address(rng, c) for _ in range(3)] for c in countries}
        helo = rng.choice(("User", "localhost", "[127.0.0.1]", "WIN-" + f"{rng.getrandbits(32):08X}"))
        out, t = [], start
        for _ in range(count):
            t += rng.expovariate(1 / mean_gap)
            if t >= cfg.duration:
                break
            country = rng.choice(countries)
            n = rng.randint(*rcpts)
            to = tuple(f"{rng.choice(_GIVEN)}{rng.randrange(10**6)}@{rng.choice(_SPAM_DOMAINS)}" for _ in range(n))
            sender = f"info{rng.randrange(1000)}@{rng.choice(_SPAM_DOMAINS)}" if forged else acc.address
            out.append((t, dict(account=acc.name, kind=kind, spam=True, country=country,
                                client_address=rng.choice(sources[country]), sender=sender,
                                recipients=tuple(dict.fromkeys(to)), client_port=rng.randint(1024, 65535),
                                helo_name=helo, size=rng.randint(2_000, 12_000))))
        return out


def _water_fill(weights: list[float], cap: float) -> list[float]:
    """Normalise to a sum of 1 with no share above ``cap``; the excess goes to the others."""
    total = sum(weights)
    shares = [w / total for w in weights]
    if cap >= 1:
        return shares
    fixed: set[int] = set()
    while True:
        free = [i for i in range(len(shares)) if i not in fixed]
        free_total = sum(weights[i] for i in free)
        room = 1.0 - cap * len(fixed)
        over = [i for i in free if weights[i] / free_total * room > cap]
        if not over:
            for i in free:
                shares[i] = weights[i] / free_total * room
            for i in fixed:
                shares[i] = cap
            return shares
        fixed.update(over)
