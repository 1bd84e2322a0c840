"""Signals: what in one message (at DATA) departs from the account's baseline.

``Recent`` is an account's last hour (countries, client addresses, messages, new
recipients) and its probation; ``Cohorts`` is the node's index of client address →
accounts that authenticated from it. ``compute`` returns the signals that fired, each with
its weight and its numbers; verdict.py turns them into a tier.
"""

from __future__ import annotations

import ipaddress
from bisect import bisect_left
from collections import OrderedDict, deque
from typing import Iterable

from .baseline import FINGERPRINT, Baseline, _contains, network_text
from .config import BehaviourConfig
from .permissions import Permissions

HOUR_S = 3600.0
RECENT_KEPT = 256  # messages remembered per account within the hour
UNKNOWN_COUNTRY = "ZZ"


class Signal:
    """One reason: a code, the points it adds, and its numbers (JSON-able)."""

    __slots__ = ("code", "weight", "numbers")

    def __init__(self, code: str, weight: int, numbers: dict) -> None:
        self.code = code
        self.weight = weight
        self.numbers = numbers

    def as_dict(self) -> dict:
        return {"code": self.code, "weight": self.weight, **self.numbers}

    def __repr__(self) -> str:
        return f"Signal({self.code!r}, {self.weight}, {self.numbers!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Signal) and (self.code, self.weight, self.numbers) == (other.code, other.weight, other.numbers)

    __hash__ = None  # type: ignore[assignment]


class Recent:
    """An account's last hour, bounded (RECENT_KEPT messages), and its probation state."""

    __slots__ = ("entries", "messages", "new_recipients", "new_messages", "countries", "addresses",
                 "probation_since", "probation_at", "probation_new", "address", "network", "streak",
                 "known", "known_in", "known_domains_in", "steady")

    def __init__(self) -> None:
        self.entries: deque = deque()  # (time, country, address, new recipients)
        self.messages = 0
        self.new_recipients = 0
        self.new_messages = 0  # messages with at least one new recipient
        self.countries: dict[str, int] = {}
        self.addresses: dict[str, int] = {}
        self.probation_since = 0.0  # 0: not on probation
        self.probation_at = 0.0  # the last message that kept it on probation
        self.probation_new = 0  # messages mostly to new recipients accepted since probation began
        self.address = ""  # the last message's client address and its network key (parsed once)
        self.network: int | None = None
        # Messages in a row mostly to new recipients from an unfamiliar network or country
        # (a message to usual contacts, or from the usual place, ends it). Not bound to the hour.
        self.streak = 0
        # Recipients lately found in the baseline's current generations (known_counts): valid
        # while those arrays are the same objects (a rotation or a reload makes new ones).
        self.known: dict[int, None] = {}
        self.known_in = self.known_domains_in = None
        # Set by a message that took the fast path, or the path of accounts without history
        # (BehaviourEngine.message): (baseline, country, epoch hour, its country entry, its network
        # entry, the hour's start and end, the hour of day; None for an account with history, else
        # whether the country is all right wherever the account's home is). The next message from
        # the same place in the same hour needs none of the checks that cannot have changed since.
        self.steady: tuple | None = None

    def expire(self, now: float) -> None:
        entries = self.entries
        oldest = now - HOUR_S
        if entries and entries[-1][0] <= oldest and max(entries)[0] <= oldest:  # (max: in C, the latest time)
            # The whole hour is over (an account's first message after a pause): what dropping
            # every entry one by one would leave, at once.
            entries.clear()
            self.messages = self.new_recipients = self.new_messages = 0
            self.countries.clear()
            self.addresses.clear()
            return
        while entries and (entries[0][0] <= oldest or len(entries) >= RECENT_KEPT):
            self._drop(entries.popleft())

    def _drop(self, entry: tuple) -> None:
        # Once per message for an account past RECENT_KEPT in the hour: spelled out.
        _t, country, address, new = entry
        self.messages -= 1
        if new:
            self.new_recipients -= new
            self.new_messages -= 1
        table = self.countries
        n = table[country] - 1
        if n:
            table[country] = n
        else:
            del table[country]
        table = self.addresses
        n = table[address] - 1
        if n:
            table[address] = n
        else:
            del table[address]

    def note(self, now: float, country: str, address: str, new: int) -> None:
        """Count one message (call ``expire(now)`` first)."""
        self.entries.append((now, country, address, new))
        self.messages += 1
        self.new_recipients += new
        if new:
            self.new_messages += 1
        self.countries[country] = self.countries.get(country, 0) + 1
        self.addresses[address] = self.addresses.get(address, 0) + 1

    def count(self, now: float, country: str, address: str, new: int) -> None:
        """``expire(now)`` then ``note(...)``: one message, as the policy path counts it
        (BehaviourEngine.message has these lines spelled out: keep the two alike)."""
        entries = self.entries
        if entries and (entries[0][0] <= now - HOUR_S or len(entries) >= RECENT_KEPT):
            self.expire(now)
        entries.append((now, country, address, new))
        self.messages += 1
        if new:
            self.new_recipients += new
            self.new_messages += 1
        countries = self.countries
        countries[country] = countries.get(country, 0) + 1
        addresses = self.addresses
        addresses[address] = addresses.get(address, 0) + 1

    def on_probation(self, now: float, calm_s: float) -> bool:
        if self.probation_since and now - self.probation_at > calm_s:
            self.clear_probation()
        return bool(self.probation_since)

    def clear_probation(self) -> None:
        """Probation ends now (staff cleared the account, or the signals calmed)."""
        self.probation_since = self.probation_at = 0.0
        self.probation_new = 0

    def idle(self, now: float) -> bool:
        """Nothing in the last hour and no probation: the caller may drop this object."""
        self.expire(now)
        return not self.entries and not self.probation_since


_INTERNAL = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16",
    "::1/128", "fc00::/7", "fe80::/10",
))


class Cohorts:
    """Client address → the accounts that sent from it within ``window_s``, bounded.

    Only accounts for which the address's network is unfamiliar (and whose message the
    baseline did not vouch for) are counted: a household or an office behind one address
    is each member's usual network, while a credential-stuffing run is new to every account.
    Internal, private and loopback addresses and ``exempt`` networks (webmail hosts) are
    never a cohort.
    """

    __slots__ = ("window_s", "max_addresses", "max_accounts", "_exempt", "_by_address")

    def __init__(self, window_s: float = 3600.0, max_addresses: int = 100_000, max_accounts: int = 64,
                 exempt: Iterable[str] = ()) -> None:
        self.window_s = window_s
        self.max_addresses = max_addresses
        self.max_accounts = max_accounts
        self._exempt = _INTERNAL + tuple(ipaddress.ip_network(n, strict=False) for n in exempt)
        # address -> None (exempt) or {account: [first seen, last seen]}
        self._by_address: OrderedDict[str, dict | None] = OrderedDict()

    def _is_exempt(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return True  # not an address ("unknown"): nothing to group by
        if ip.version == 6 and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        return any(ip in net for net in self._exempt if net.version == ip.version)

    def note(self, now: float, address: str, account: str, counted: bool) -> tuple[int, float]:
        """Record a message; returns (counted accounts from ``address`` in the window, their span in s)."""
        table = self._by_address
        accounts = table.get(address, False)
        if accounts is False:
            accounts = None if self._is_exempt(address) else {}
            table[address] = accounts
            if len(table) > self.max_addresses:
                table.popitem(last=False)
        else:
            table.move_to_end(address)
        if accounts is None:
            return 0, 0.0
        oldest = now - self.window_s
        if counted:
            seen = accounts.get(account)
            if seen is None:
                if len(accounts) >= self.max_accounts:
                    for name in [n for n, s in accounts.items() if s[1] <= oldest] or [next(iter(accounts))]:
                        del accounts[name]
                accounts[account] = [now, now]
            else:
                seen[1] = now
        n = 0
        first = now
        for seen in accounts.values():
            if seen[1] > oldest:
                n += 1
                if seen[0] < first:
                    first = seen[0]
        return n, now - first

    def accounts(self, address: str) -> int:
        accounts = self._by_address.get(address)
        return len(accounts) if accounts else 0


KNOWN_KEPT = 64  # recipients remembered per active account (known_counts)
_ONE_KNOWN = (1, 0, 1, 0, True)


def known_counts(baseline: Baseline, recipients: tuple[int, ...], recent: Recent) -> tuple[int, int, int, int, bool]:
    """``recipient_counts``, remembering in ``recent`` the recipients it found in the current
    generations. An active account writes to the same few people, and each lookup is a
    binary search of an array that makes an int per probe (~2,000 instructions)."""
    known = recent.known
    if recent.known_in is not baseline.correspondents or recent.known_domains_in is not baseline.domains:
        known.clear()
        recent.known_in, recent.known_domains_in = baseline.correspondents, baseline.domains
    if len(recipients) == 1:
        if recipients[0] in known:
            return _ONE_KNOWN
    else:
        for r in recipients:
            if r not in known:
                break
        else:
            distinct = set(recipients)
            return len(distinct), 0, len({r >> 32 for r in distinct}), 0, True
    counts = recipient_counts(baseline, recipients)
    if counts[4]:  # every recipient and domain in the current generations
        if len(known) + len(recipients) > KNOWN_KEPT:
            known.clear()
        for r in recipients:
            known[r] = None
    return counts


def recipient_counts(baseline: Baseline, recipients: tuple[int, ...]) -> tuple[int, int, int, int, bool]:
    """(distinct recipients, new ones, distinct domains, new domains, all in the current
    generations) of one message."""
    # Runs for every message: the two-generation lookups are spelled out (no calls).
    if len(recipients) == 1:  # most messages: no set, no dict
        r = recipients[0]
        fp = r & FINGERPRINT
        d = r >> 32
        cur = baseline.correspondents
        i = bisect_left(cur, fp)
        current = i < len(cur) and cur[i] == fp
        new = 0 if current or _contains(baseline.correspondents_old, fp) else 1
        cur = baseline.domains
        i = bisect_left(cur, d)
        if i < len(cur) and cur[i] == d:
            return 1, new, 1, 0, current
        return 1, new, 1, 0 if _contains(baseline.domains_old, d) else 1, False
    # Two or three recipients, mostly: each domain looked up once, kept in a short list (a
    # set for many recipients: a list's `in` would be quadratic).
    distinct = set(recipients) if len(recipients) > 1 else recipients
    cur, old = baseline.correspondents, baseline.correspondents_old
    n_cur, n_old = len(cur), len(old)
    dcur, dold = baseline.domains, baseline.domains_old
    n_dcur, n_dold = len(dcur), len(dold)
    new = new_domains = 0
    current = True
    domains: list[int] | set[int] = [] if len(distinct) <= 8 else set()
    add_domain = domains.append if domains.__class__ is list else domains.add
    for r in distinct:
        fp = r & FINGERPRINT
        i = bisect_left(cur, fp)
        if i == n_cur or cur[i] != fp:
            current = False
            i = bisect_left(old, fp)
            if i == n_old or old[i] != fp:
                new += 1
        d = r >> 32
        if d not in domains:
            add_domain(d)
            i = bisect_left(dcur, d)
            if i == n_dcur or dcur[i] != d:
                current = False
                i = bisect_left(dold, d)
                if i == n_dold or dold[i] != d:
                    new_domains += 1
    return len(distinct), new, len(domains), new_domains, current


def to_usual_contacts(cfg: BehaviourConfig, total: int, new: int) -> bool:
    """Most of a message's recipients (vouch_known_share) were written to before."""
    return total > 0 and (total - new) >= cfg.vouch_known_share * total


def vouches(cfg: BehaviourConfig, baseline: Baseline, country: str, network: int | None, asn: int | None,
            total: int, new: int, permissions: Permissions, now: float,
            country_days: int | None = None, network_days: int | None = None, history: bool | None = None) -> bool:
    """Whether the baseline vouches for a message: a country the owner allowed for travel, a
    country/network/ASN the account has long used, or a traveller writing to usual contacts.
    (``country_days``/``network_days``/``history``: the baseline's answers, if the caller has them.)"""
    if permissions.travel and permissions.allows_travel(country, now):
        return True
    if not baseline.messages:
        return False
    long_used = cfg.long_used_days
    if country_days is None:
        country_days = baseline.country_days(country)
    if network_days is None:
        network_days = baseline.network_days(network)
    if country_days >= long_used or network_days >= long_used:
        return True
    if asn and baseline.asn_days(asn) >= long_used:
        return True
    # Usual contacts vouch only for an account with a history: contacts learned minutes ago
    # (a new account abroad writing again to whom it just wrote) are not "usual".
    if history is None:
        history = baseline.has_history(cfg)
    return history and to_usual_contacts(cfg, total, new)


def compute(cfg: BehaviourConfig, baseline: Baseline, now: float, network: int | None, country: str,
            asn: int | None, counts: tuple[int, int, int, int, bool], recent: Recent, cohort: tuple[int, float],
            complaints: int, permissions: Permissions, home_countries: frozenset[str],
            country_days: int, network_days: int, history: bool, usual_contacts: bool) -> list[Signal]:
    """The signals of one message; ``recent`` already counts it, ``cohort`` is Cohorts.note's
    answer; the baseline's days for this country and network, whether it has history and
    whether the message goes to usual contacts are passed in (computed once per message).

    Where-from signals (country, network, several countries or addresses) count
    ``usual_contacts_discount`` as much when the message goes to usual contacts: that is
    what a traveller does, and what a hijacker sending spam does not (unless complaints came).
    """
    out: list[Signal] = []
    familiar = cfg.familiar_after_days
    total, new, domains, new_domains, _current = counts

    if country_days < familiar and country != UNKNOWN_COUNTRY and not permissions.allows_travel(country, now):
        if country in home_countries:
            weight = cfg.weight_new_home_country if history and not country_days else 0
        else:
            weight = cfg.weight_new_country if history else cfg.weight_new_country_no_history
        if weight:
            out.append(Signal("new_country", weight, {"country": country, "days": country_days}))

    if history and network_days < familiar and network is not None:
        known_asn = bool(asn) and baseline.asn_days(asn) >= familiar
        weight = cfg.weight_new_network_known_asn if known_asn else cfg.weight_new_network
        numbers = {"network": network_text(network), "days": network_days}
        if asn:
            numbers["asn"] = asn
        out.append(Signal("new_network", weight, numbers))

    if len(recent.countries) >= cfg.countries_per_hour:
        unfamiliar = [c for c in recent.countries if c != UNKNOWN_COUNTRY and baseline.country_days(c) < familiar
                      and not permissions.allows_travel(c, now)]
        if unfamiliar:
            out.append(Signal("countries_per_hour", cfg.weight_countries_per_hour,
                              {"countries": len(recent.countries), "list": sorted(recent.countries)}))

    if len(recent.addresses) >= cfg.addresses_per_hour:
        out.append(Signal("addresses_per_hour", cfg.weight_addresses_per_hour, {"addresses": len(recent.addresses)}))

    if (history and total and baseline.known_correspondents() >= cfg.known_correspondents_min
            and new >= cfg.new_recipient_share * total):
        weight = round(cfg.weight_new_recipients * new / total * min(1.0, new / cfg.new_recipients_full)
                       + cfg.weight_new_recipients_hour * min(1.0, recent.new_recipients / cfg.new_recipients_many)
                       + cfg.weight_new_recipients_streak * min(1.0, recent.streak / cfg.new_recipients_streak))
        if (network_days >= familiar and country_days >= familiar
                and len(baseline.correspondents_old) >= cfg.correspondents_per_generation):
            weight = round(weight * cfg.bulk_sender_discount)
        numbers = {"new": new, "total": total, "hour_new": recent.new_recipients}
        if recent.streak > 1:
            numbers["streak"] = recent.streak
        out.append(Signal("new_recipients", weight, numbers))

    if domains >= cfg.domains_per_message and 2 * new_domains >= domains:
        out.append(Signal("many_domains", cfg.weight_domains, {"domains": domains, "new": new_domains}))

    if recent.messages > cfg.volume_floor_messages:
        usual = baseline.usual_hour_messages(now, cfg)
        if recent.messages > cfg.volume_factor * usual:
            out.append(Signal("volume", cfg.weight_volume, {"hour": recent.messages, "usual": round(usual)}))

    accounts, span = cohort
    if accounts >= cfg.cohort_accounts:
        weight = cfg.weight_cohort + cfg.weight_cohort_step * (accounts - cfg.cohort_accounts)
        out.append(Signal("cohort", weight, {"accounts": accounts, "minutes": max(1, round(span / 60))}))

    if complaints > 0:
        out.append(Signal("complaints", cfg.weight_complaint * complaints, {"complaints": complaints}))

    if not out:
        return out
    if permissions.trust:
        out = [s for s in out if not permissions.waives(s.code, now)]
    if not complaints and usual_contacts and history:
        for s in out:
            if s.code in WHERE_FROM:
                s.weight = round(s.weight * cfg.usual_contacts_discount)
    return out


WHERE_FROM = frozenset({"new_country", "new_network", "countries_per_hour", "addresses_per_hour"})
