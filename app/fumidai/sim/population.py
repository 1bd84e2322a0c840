"""A seeded population of mail accounts, the traffic they submit, and their past weeks.

Everything comes from one ``random.Random(seed)``: the same options give the same plan,
whatever the speed at which it is later played. Every account has a profile — the
networks it sends from, the people it writes to, how busy it is — and both the live
plan (``plan()``, simulated seconds ``[0, duration)``) and its history (``history(days)``,
negative seconds, the days before the live run) come from that profile, so the live
traffic continues the history. Who is in it (``HONEST_KINDS``):

- ``honest``: home users (home country JP by default) writing mostly to their contacts
  from 1-3 home /24 networks (dynamic addresses stay inside them), Zipf activity, office hours;
- ``heavy``: bulk senders (shops) above the default hourly quota; some of them are the
  ones staff would give an override (``Population.override_accounts``);
- ``relay``: customers whose mail has always come through a big provider's servers abroad
  ("send mail as" in a webmail): every message from one foreign provider network;
- ``traveller``: history at home, abroad now (the trip begins with the live run), still writing to the usual contacts;
- ``newsletter``: one issue a day at the same time, to the same list (hundreds of
  recipients, 50 a message);
- ``new``: new customers with no history at all (home country, recipients new to us);
- ``vpn``: users whose mail always comes through VPN exits in several countries.

Hijacks (``HIJACK_KINDS``; the owners of hijacked accounts keep sending as usual): ``burst``
from abroad (hundreds of messages, many recipients), ``slow`` from abroad under the
hourly quota, ``multi`` (a botnet, every message from another country), ``proxy`` (a burst
through home-country addresses), ``mimic`` (home country, a new network, at the owner's
own pace and message size) and ``cohort`` (one client address logging in as 5-10
accounts, about 2 messages an hour each). Spam goes to recipients the owner never wrote
to (random addresses at big mailbox domains).
"""

from __future__ import annotations

import bisect
import ipaddress
import itertools
import math
import random
from typing import Iterator, Sequence

from ..errors import FumidaiError
from .client import Submission
from .kinds import HIJACK_KINDS, HONEST_KINDS
from .profiles import (  # noqa: F401 (imported from here by the demo, the benches and the tests)
    DAY, HEAVY_OVERRIDE, HONEST_MAX_PER_HOUR, MAILBOX_DOMAINS, NEWSLETTER_BATCH, RELAY_COUNTRIES, SPAM_COUNTRIES,
    TRAVEL_COUNTRIES, VPN_COUNTRIES, _FAMILY, _GIVEN, _WORK_DOMAINS, Account, Network, Planned, Ranges, SimConfig,
    _water_fill, demo_ranges, office_activity,
)

__all__ = ["HIJACK_KINDS", "HONEST_KINDS", "Account", "Population", "SimConfig", "demo_ranges", "office_activity"]


class Population:
    """The accounts of one simulation, the messages they submit (``plan()``) and their past (``history()``)."""

    def __init__(self, config: SimConfig, ranges: Ranges) -> None:
        config.check(ranges)
        self.config = config
        self.ranges = {cc: list(nets) for cc, nets in ranges.items() if nets}
        self._rng = random.Random(config.seed)
        self.accounts = self._make_accounts()
        self._no_history = {a.name for a in self.accounts if not a.has_history}
        self._plan_seed = self._rng.random()  # drawn now: plan() and history() in any order
        self._history_seed = self._rng.random()
        self._plan: list[Submission] | None = None
        self._hosts: dict[tuple[str, Network, int], str] = {}
        self._zipf: dict[int, list[float]] = {}

    # -- who -------------------------------------------------------------------------

    def _countries(self, wanted: Sequence[str]) -> list[str]:
        return [c for c in wanted if c in self.ranges and c != self.config.home]

    def _network(self, rng: random.Random, country: str) -> Network:
        """A /24 (a /48 for IPv6) inside one of the country's ranges: a provider's address pool."""
        nets = [n for n in self.ranges[country] if n.version == 4] or self.ranges[country]
        net = rng.choice(nets)
        size = 24 if net.version == 4 else 48
        if net.prefixlen >= size:
            return net
        k = rng.randrange(2 ** (size - net.prefixlen))
        return ipaddress.ip_network((int(net.network_address) + (k << (net.max_prefixlen - size)), size))

    def _contacts(self, rng: random.Random, count: int, domains: Sequence[str] | None = None) -> tuple[str, ...]:
        out: dict[str, None] = {}
        while len(out) < count:
            domain = rng.choice(domains) if domains else (
                rng.choice(MAILBOX_DOMAINS) if rng.random() < 0.6 else rng.choice(_WORK_DOMAINS))
            out[f"{rng.choice(_GIVEN)}.{rng.choice(_FAMILY)}{rng.randrange(1000)}@{domain}"] = None
        return tuple(out)

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
        travel = self._countries(TRAVEL_COUNTRIES)
        travellers = set(rng.sample(rest, min(len(rest), max(1, n // 100)))) if n >= 20 and travel else set()
        rest = [i for i in rest if i not in travellers]
        kind_of: dict[int, str] = {}
        # The newer kinds, each a few per thousand (at least one from 20 accounts on).
        for kind, per, wanted in (("relay", 100, RELAY_COUNTRIES), ("newsletter", 250, None),
                                  ("new", 100, None), ("vpn", 200, VPN_COUNTRIES)):
            if n < 20 or (wanted and len(self._countries(wanted)) < (2 if kind == "vpn" else 1)):
                continue
            for i in rng.sample(rest, min(len(rest), max(1, n // per))):
                kind_of[i] = kind
            rest = [i for i in rest if i not in kind_of]
        # One of each kind that sends from abroad is busy: its office hours alone pass the
        # default abroad cap of 20 messages a day, as real ones did (issue 11).
        top = max(weights)
        for i in {min(group) for group in ([j for j in kind_of if kind_of[j] == k] for k in ("relay", "vpn")) if group} | \
                ({min(travellers)} if travellers else set()):
            weights[i] = top
        # Hijackers take over ordinary accounts; their owners keep sending as usual.
        ordinary = rest
        hijack_of, hijack_id = self._assign_hijacks(rng, ordinary, weights)
        busy = sorted(weights)[int(n * 0.9)]  # travellers are no busier than nine in ten users
        home = cfg.home

        accounts = []
        for i, name in enumerate(names):
            # Each account's profile from its own generator: adding a kind elsewhere leaves it alone.
            r = random.Random(f"{cfg.seed}:{name}")
            homes = tuple((home, self._network(r, home)) for _ in range(r.choice((1, 1, 2, 3))))
            contacts = self._contacts(r, r.randint(10, 60))
            kind = "heavy" if i in heavy else "traveller" if i in travellers else kind_of.get(i, "honest")
            if kind == "heavy":
                local = name.split("@", 1)[0]
                members = tuple(f"member{m}.{local}@{r.choice(MAILBOX_DOMAINS)}" for m in range(5000))
                accounts.append(Account(name, "heavy", 0.0, wants_override=i in wants_override,
                                        networks=homes[:1], contacts=members))
            elif kind == "traveller":
                start = 0.0  # arrived as the live run starts: the history is all at home
                country = r.choice(travel)
                accounts.append(Account(name, kind, weights[i] if weights[i] == top else min(weights[i], busy),
                                        networks=homes, contacts=contacts,
                                        trip=(country, start, start + r.uniform(3, 6) * DAY),
                                        trip_network=self._network(r, country)))
            elif kind == "relay":
                country = r.choice(self._countries(RELAY_COUNTRIES))
                accounts.append(Account(name, kind, weights[i], networks=((country, self._network(r, country)),),
                                        contacts=contacts))
            elif kind == "vpn":
                exits = r.sample(self._countries(VPN_COUNTRIES), k=min(3, len(self._countries(VPN_COUNTRIES))))
                accounts.append(Account(name, kind, weights[i], networks=tuple((c, self._network(r, c)) for c in exits),
                                        contacts=contacts))
            elif kind == "newsletter":
                # A large list, yet within the default quota (300 recipients an hour): an honest
                # newsletter needs no override, so refusing it is a false positive.
                members = self._contacts(r, r.randint(100, 280), MAILBOX_DOMAINS)
                issue_at = r.uniform(0.05, 0.8) * min(cfg.duration, 3600.0)  # within the run's first hour
                accounts.append(Account(name, kind, 0.0, networks=homes[:1], contacts=members, issue_at=issue_at))
            elif kind == "new":
                accounts.append(Account(name, kind, weights[i], networks=homes, contacts=contacts, has_history=False))
            else:
                accounts.append(Account(name, "honest", weights[i], hijack=hijack_of.get(i), networks=homes,
                                        contacts=contacts, hijack_id=hijack_id.get(i)))
        return accounts

    def _assign_hijacks(self, rng: random.Random, ordinary: list[int],
                        weights: list[float]) -> tuple[dict[int, str], dict[int, str]]:
        cfg = self.config
        kinds = [cfg.hijack_kinds[k % len(cfg.hijack_kinds)] for k in range(cfg.hijacks)]
        need = len(kinds) + sum(9 for k in kinds if k == "cohort")
        if need > len(ordinary):
            raise FumidaiError(f"{cfg.hijacks} hijacks (a cohort takes up to 10 accounts) need more than "
                               f"the {len(ordinary)} ordinary accounts of --accounts {cfg.accounts}")
        free = list(ordinary)
        kind_of: dict[int, str] = {}
        id_of: dict[int, str] = {}
        for k, kind in enumerate(kinds):
            if kind == "mimic":  # the owner of a busy account: its usual pace hides a few more
                busy = sorted(free, key=lambda i: -weights[i])[: max(1, len(free) // 10)]
                members = [rng.choice(busy)]
            elif kind == "cohort":
                members = rng.sample(free, rng.randint(5, 10))
            else:
                members = [rng.choice(free)]
            for i in members:
                free.remove(i)
                kind_of[i] = kind
                id_of[i] = f"cohort{k + 1}" if kind == "cohort" else ""
        return kind_of, id_of

    @property
    def hijacked(self) -> list[Account]:
        return [a for a in self.accounts if a.hijack]

    @property
    def override_accounts(self) -> dict[str, dict[str, int]]:
        """Heavy senders that staff would give their own limits, and the limits to give."""
        return {a.name: dict(HEAVY_OVERRIDE) for a in self.accounts if a.wants_override}

    # -- what they send ----------------------------------------------------------------

    def plan(self) -> list[Submission]:
        """Every message of the live simulation, in sending order."""
        if self._plan is None:
            rng = random.Random(self._plan_seed)
            raw = self._span(rng, 0.0, self.config.duration)
            for acc in self.accounts:
                if acc.hijack:
                    raw += self._hijack(rng, acc)
            raw.sort(key=lambda item: (item[0], item[1]["account"], item[1]["recipients"]))
            self._plan = [Submission(at=round(at, 3), seq=seq, **fields) for seq, (at, fields) in enumerate(raw)]
        return self._plan

    def history(self, days: float = 14) -> Iterator[list[Planned]]:
        """The honest mail of the ``days`` before the live run, one day at a time, oldest first.

        Simulated seconds are negative (the live run starts at 0). New customers have none;
        hijacks have not begun yet. Each day is sorted by time.
        """
        rng = random.Random(self._history_seed)
        start = -days * DAY
        while start < 0:
            end = min(0.0, start + DAY)
            day = [item for item in self._span(rng, start, end) if item[1]["account"] not in self._no_history]
            day.sort(key=lambda item: item[0])
            yield day
            start = end

    def _span(self, rng: random.Random, t0: float, t1: float) -> list[Planned]:
        raw = self._honest(rng, t0, t1)
        for acc in self.accounts:
            if acc.kind == "heavy":
                raw += self._heavy(rng, acc, t0, t1)
            elif acc.kind == "newsletter":
                raw += self._newsletter(rng, acc, t0, t1)
        return raw

    def _hour(self, t: float) -> float:
        return (self.config.start_offset + t) / 3600.0

    def _address(self, rng: random.Random, country: str) -> str:
        return self._host(rng, rng.choice(self.ranges[country]))

    @staticmethod
    def _host(rng: random.Random, net: Network) -> str:
        if net.num_addresses <= 2:
            return str(net.network_address)
        return str(net.network_address + rng.randrange(1, min(net.num_addresses - 1, 2**32)))

    def _dynamic(self, acc: Account, net: Network, t: float) -> str:
        # A home line's address changes now and then (here: daily), always inside its pool.
        key = (acc.name, net, int(t // DAY))
        host = self._hosts.get(key)
        if host is None:
            host = self._hosts[key] = self._host(random.Random(f"{self.config.seed}:{key}"), net)
        return host

    def source(self, rng: random.Random, acc: Account, t: float) -> tuple[str, str]:
        """(country, client address) of an honest message of ``acc`` at ``t``."""
        if acc.trip and acc.trip[1] <= t < acc.trip[2] and acc.trip_network is not None:
            return acc.trip[0], self._dynamic(acc, acc.trip_network, t)
        country, net = rng.choice(acc.networks)
        return country, self._dynamic(acc, net, t)

    def _honest_rcpts(self, rng: random.Random, acc: Account) -> tuple[str, ...]:
        roll = rng.random()
        count = 1 if roll < 0.6 else 2 if roll < 0.8 else rng.randint(3, 5) if roll < 0.95 else rng.randint(6, 20)
        contacts = acc.contacts
        cum = self._zipf.get(len(contacts))
        if cum is None:  # a few contacts get most of the mail
            cum = self._zipf[len(contacts)] = list(itertools.accumulate(1.0 / (k + 1) for k in range(len(contacts))))
        return tuple(dict.fromkeys(rng.choices(contacts, cum_weights=cum, k=min(count, len(contacts)))))

    def _honest(self, rng: random.Random, t0: float, t1: float) -> list[Planned]:
        cfg = self.config
        pool = [a for a in self.accounts if a.kind not in ("heavy", "newsletter")]
        if not cfg.rate or not pool:
            return []
        cum, total = [], 0.0
        for a in pool:
            total += a.weight
            cum.append(total)
        out = []
        t = t0
        peak = cfg.rate / 60.0  # per simulated second
        while True:
            t += rng.expovariate(peak)
            if t >= t1:
                return out
            if rng.random() >= office_activity(self._hour(t)):
                continue  # thinning: fewer messages outside office hours
            acc = pool[min(bisect.bisect_left(cum, rng.random() * total), len(pool) - 1)]
            country, address = self.source(rng, acc, t)
            helo = f"relay{rng.randint(1, 40)}.bigmail.example" if acc.kind == "relay" else \
                f"[192.168.{rng.randint(0, 3)}.{rng.randint(2, 250)}]"
            out.append((t, dict(account=acc.name, kind=acc.kind, spam=False, country=country, client_address=address,
                                sender=acc.address, recipients=self._honest_rcpts(rng, acc),
                                client_port=rng.randint(49152, 65535), helo_name=helo,
                                size=int(min(rng.lognormvariate(9.5, 1.2), 20_000_000)))))

    def _heavy(self, rng: random.Random, acc: Account, t0: float, t1: float) -> list[Planned]:
        # About 150 messages an hour at the peak, 5-40 recipients each: past the default quota.
        country, net = acc.networks[0]
        out, t = [], t0
        while True:
            t += rng.expovariate(150 / 3600)
            if t >= t1:
                return out
            if rng.random() >= office_activity(self._hour(t)):
                continue
            rcpts = tuple(rng.choice(acc.contacts) for _ in range(rng.randint(5, 40)))
            out.append((t, dict(account=acc.name, kind="heavy", spam=False, country=country,
                                client_address=self._dynamic(acc, net, t), sender=acc.address,
                                recipients=tuple(dict.fromkeys(rcpts)), client_port=rng.randint(49152, 65535),
                                helo_name="mailer.shop.example", size=rng.randint(20_000, 80_000))))

    def _newsletter(self, rng: random.Random, acc: Account, t0: float, t1: float) -> list[Planned]:
        # Each day at the same time the whole list, 50 recipients a message, a few seconds apart.
        country, net = acc.networks[0]
        out = []
        size = rng.randint(30_000, 90_000)
        first = math.ceil((t0 - acc.issue_at) / DAY)
        for day in itertools.count(first):
            t = acc.issue_at + day * DAY
            if t >= t1:
                return out
            address = self._dynamic(acc, net, t)
            for b in range(0, len(acc.contacts), NEWSLETTER_BATCH):
                t += rng.uniform(1, 5)
                if t0 <= t < t1:
                    out.append((t, dict(account=acc.name, kind="newsletter", spam=False, country=country,
                                        client_address=address, sender=acc.address,
                                        recipients=acc.contacts[b:b + NEWSLETTER_BATCH],
                                        client_port=rng.randint(49152, 65535), helo_name="news.example.jp",
                                        size=size)))
        return out

    def _spam_rcpts(self, rng: random.Random, count: int, owner: Account) -> tuple[str, ...]:
        """Random addresses at big mailbox domains, none the owner ever wrote to."""
        known = set(owner.contacts)
        out: dict[str, None] = {}
        while len(out) < count:
            to = f"{rng.choice(_GIVEN)}{rng.randrange(10**6)}@{rng.choice(MAILBOX_DOMAINS)}"
            if to not in known:
                out[to] = None
        return tuple(out)

    def _owner_pace(self, acc: Account) -> float:
        """The owner's own messages an hour at the office-hours peak."""
        return acc.weight * self.config.rate * 60

    def _hijack(self, rng: random.Random, acc: Account) -> list[Planned]:
        cfg = self.config
        kind = acc.hijack
        abroad = self._countries(SPAM_COUNTRIES) or [cfg.home]
        # A cohort's accounts share one start (and one address), from a generator of their own.
        shared = random.Random(f"{cfg.seed}:{acc.hijack_id}") if acc.hijack_id else rng
        start = shared.uniform(0.05, 0.4) * min(cfg.duration, cfg.hijack_start_within or cfg.duration)
        forged = rng.random() < 0.5  # half of them forge the sender; the SASL user is what counts
        helo = rng.choice(("User", "localhost", "[127.0.0.1]", "WIN-" + f"{rng.getrandbits(32):08X}"))
        if kind == "burst":
            countries, count, mean_gap, rcpts = [rng.choice(abroad)], rng.randint(200, 400), 3.0, (20, 50)
        elif kind == "proxy":
            countries, count, mean_gap, rcpts = [cfg.home], rng.randint(200, 400), 3.0, (20, 50)
        elif kind == "slow":  # 60-90 an hour: under the default hourly quota of 100
            countries, count, mean_gap, rcpts = [rng.choice(abroad)], 10**6, 3600 / rng.randint(60, 90), (3, 8)
        elif kind == "mimic":  # at home, at the owner's own pace and size: only where and to whom differ
            countries, count, rcpts = [cfg.home], 10**6, (1, 3)
            mean_gap = 3600 / max(2.0, self._owner_pace(acc))
            forged, helo = False, f"[192.168.{rng.randint(0, 3)}.{rng.randint(2, 250)}]"
        elif kind == "cohort":  # one address, several accounts in turn, ~2 messages an hour each
            countries, count, mean_gap, rcpts = [shared.choice(abroad)], 10**6, 1800.0, (3, 8)
            members = sorted(a.name for a in self.accounts if a.hijack_id == acc.hijack_id)
            start += members.index(acc.name) * mean_gap / len(members) - mean_gap  # each one's turn
        else:  # multi: a botnet, every message from another country
            everywhere = abroad + self._countries(TRAVEL_COUNTRIES)
            countries = rng.sample(everywhere, k=min(10, len(everywhere)))
            count, mean_gap, rcpts = rng.randint(150, 300), 15.0, (5, 15)
        if kind == "mimic":  # a network the owner never used
            used = {net for _, net in acc.networks}
            net = next(n for n in iter(lambda: self._network(rng, cfg.home), None) if n not in used)
            sources = {cfg.home: [self._host(rng, net) for _ in range(2)]}
        elif kind == "cohort":
            sources = {countries[0]: [self._address(shared, countries[0])]}
        else:
            sources = {c: [self._address(rng, c) for _ in range(3)] for c in countries}
        hijack_id = acc.hijack_id or acc.name
        out, t = [], start
        for _ in range(count):
            # A cohort's logins are paced (each account every half hour or so); the others at random.
            t += mean_gap * rng.uniform(0.8, 1.2) if kind == "cohort" else rng.expovariate(1 / mean_gap)
            if t >= cfg.duration:
                break
            country = rng.choice(countries)
            to = self._spam_rcpts(rng, rng.randint(*rcpts), acc)
            sender = f"info{rng.randrange(1000)}@{rng.choice(MAILBOX_DOMAINS)}" if forged else acc.address
            size = int(min(rng.lognormvariate(9.5, 1.2), 20_000_000)) if kind == "mimic" else rng.randint(2_000, 12_000)
            out.append((t, dict(account=acc.name, kind=kind, spam=True, country=country,
                                client_address=rng.choice(sources[country]), sender=sender,
                                recipients=to, client_port=rng.randint(1024, 65535),
                                helo_name=helo, size=size, hijack=hijack_id)))
        return out
