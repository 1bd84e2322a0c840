"""A per-account baseline: where from, how much, to whom and when an account sends.

Learned from accepted mail (and from the Postfix log at import), kept compact so a
million of them fit next to the server: a live ``Baseline`` costs a few hundred bytes of
Python objects, its ``to_bytes()`` form (held for accounts not sending now) ~100–300.

- **Where from**: countries, networks (IPv4 /24, IPv6 /48) and ASNs, each with the days it
  was used on: a 32-day bitmap ending at its last day plus a count of older days, so
  "used on two separate days" is exact even when log files are imported out of order.
  Bounded per account; the least recently used is dropped first.
- **How much**: this hour's and this day's totals and a high-water mark of past hours and
  days that decays (half-life ``volume_half_life_days``): a burst well above the account's
  own busiest hour stands out; a newsletter that goes out every week keeps its peak.
- **To whom**: correspondents and their domains as 32-bit fingerprints of a keyed hash
  (``RecipientHasher``; the key is per installation, so the blobs reveal no addresses), in
  two generations of sorted arrays: when the current one is full it becomes the previous
  one, so someone written to recently is remembered and memory stays bounded.
- **When**: a counter per hour of day (UTC).
"""

from __future__ import annotations

import struct
from array import array
from bisect import bisect_left
from typing import Iterable

from . import blob
from .blob import MAX_VOLUME, BaselineError
from .config import BehaviourConfig
# The keys live in keys.py; kept importable from here, where they were first.
from .keys import FINGERPRINT, IPV6_FLAG, RecipientHasher, network_of, network_text

__all__ = ["Baseline", "BaselineError", "FINGERPRINT", "IPV6_FLAG", "RecipientHasher", "days_used",
           "network_of", "network_text"]

DAY_S = 86400
HOUR_S = 3600

_DEFAULT = BehaviourConfig()
_F32_PAIR = struct.Struct("<ff")
_F32_FOUR = struct.Struct("<ffff")
_U16 = 0xFFFF
_U32 = 0xFFFFFFFF


def _f32_pair(a: float, b: float) -> tuple[float, float]:
    """Two values as stored (float32), so a baseline equals itself after a round trip
    through bytes: one pack and unpack for both (once per account and hour)."""
    return _F32_PAIR.unpack(_F32_PAIR.pack(min(a, MAX_VOLUME), min(b, MAX_VOLUME)))


def _mark(entry: list, day: int) -> None:
    """Record use on ``day`` in an entry [older days, last day, 32-day bitmap, ...]."""
    last = entry[1]
    if day == last:
        entry[2] |= 1
    elif day > last:
        shift = day - last
        bits = entry[2]
        if shift >= 32:
            entry[0] = min(_U16, entry[0] + bits.bit_count())
            bits = 0
        else:
            bits <<= shift
            carried = bits >> 32  # days now more than 32 back: into the older count
            if carried:
                entry[0] = min(_U16, entry[0] + carried.bit_count())
                bits &= _U32
        entry[2] = bits | 1
        entry[1] = day
    elif last - day < 32:
        entry[2] |= 1 << (last - day)
    # else: a day more than a month before the newest one seen: ignored.


def days_used(entry: list) -> int:
    return entry[0] + entry[2].bit_count()


def _use(table: dict, key: int, day: int, kept: int) -> None:
    """Record use of a network or ASN on ``day`` (a new one may push out the least recent)."""
    entry = table.get(key)
    if entry is None:
        table[key] = [0, day, 1]
        if len(table) > kept:
            _evict_oldest(table, kept)
    elif entry[1] != day:
        _mark(entry, day)


def _evict_oldest(table: dict, kept: int) -> None:
    while len(table) > kept:
        del table[min(table, key=lambda k: table[k][1])]


def _contains(fps: array, fp: int) -> bool:
    i = bisect_left(fps, fp)
    return i < len(fps) and fps[i] == fp


def _union(a: list, b: list) -> list:
    """[older, last day, bitmap] of the days in either entry (older days: the larger count)."""
    if a[1] < b[1]:
        a, b = b, a
    shift = a[1] - b[1]
    older = max(a[0], b[0] + ((b[2] >> (32 - shift)).bit_count() if shift < 32 else b[2].bit_count()))
    bits = a[2] | ((b[2] << shift) & _U32 if shift < 32 else 0)
    return [min(_U16, older), a[1], bits]


def _union_generations(cur: array, old: array, other_cur: array, other_old: array, per: int) -> tuple[array, array]:
    """Two generations of fingerprints holding both sides' (each at most ``per`` - 1 and ``per``:
    past that, the current one's surplus is left out, as a rotation would have pushed it)."""
    new_cur = sorted(set(cur) | set(other_cur))
    new_old = sorted((set(old) | set(other_old)) - set(new_cur))
    if len(new_cur) >= per:
        new_old, new_cur = new_cur[:per], new_cur[per:per + per - 1]
    return array("I", new_cur), array("I", new_old[:per])


class Baseline:
    """One account's profile. ``learn`` from an accepted message; read by the signals."""

    __slots__ = (
        "first_day", "active", "messages", "recipients",
        "cur_hour", "hour_messages", "hour_recipients", "cur_day", "day_messages", "day_recipients",
        "peak_hour_messages", "peak_hour_recipients", "peak_day_messages", "peak_day_recipients",
        "hours", "countries", "networks", "asns", "domains", "domains_old", "correspondents", "correspondents_old",
    )

    def __init__(self) -> None:
        self.first_day = 0
        self.active = [0, 0, 0]  # the days the account sent on: [older, last day, bitmap]
        self.messages = 0
        self.recipients = 0
        self.cur_hour = 0  # epoch hour of hour_* (0: nothing yet)
        self.hour_messages = 0
        self.hour_recipients = 0
        self.cur_day = 0
        self.day_messages = 0
        self.day_recipients = 0
        self.peak_hour_messages = 0.0  # as of cur_hour; decays from there
        self.peak_hour_recipients = 0.0
        self.peak_day_messages = 0.0  # as of cur_day
        self.peak_day_recipients = 0.0
        self.hours = bytearray(24)
        self.countries: dict[str, list] = {}  # code -> [older, last day, bitmap, messages]
        self.networks: dict[int, list] = {}  # network key -> [older, last day, bitmap]
        self.asns: dict[int, list] = {}
        self.domains = array("I")
        self.domains_old = array("I")
        self.correspondents = array("I")
        self.correspondents_old = array("I")

    # -- learning ---------------------------------------------------------------------

    def learn(self, now: float, network: int | None, country: str, asn: int | None,
              recipients: Iterable[int], cfg: BehaviourConfig = _DEFAULT, current: bool = False) -> None:
        """Learn from one accepted message: its time, source and recipients (``RecipientHasher`` ints).

        ``network`` is ``network_of(client_address)``; ``country`` an ISO code (or "ZZ").
        ``current``: the caller knows every recipient and domain is in the current generation
        already (``recipient_counts``), so only the counts change.
        """
        hour = int(now // HOUR_S)
        day = hour // 24  # the same as now // DAY_S, without a second float division
        if not self.messages:
            self.first_day = day
            self.active = [0, day, 1]
        elif day < self.first_day:
            self.first_day = day
        entry = self.active
        last = entry[1]
        if last != day:  # the same day as the last message: nothing to mark
            if last < day < last + 32 and not entry[2] >> (32 - (day - last)):
                entry[2] = (entry[2] << (day - last)) | 1  # _mark(entry, day) when no day carries over
                entry[1] = day
            else:
                _mark(entry, day)
        rcpts = len(recipients) if current else self._learn_recipients(recipients, cfg)  # type: ignore[arg-type]
        self.messages += 1  # counts are clamped to their stored width in to_bytes
        self.recipients += rcpts
        if hour == self.cur_hour:  # the same hour (and day) as the last message
            self.hour_messages += 1
            self.hour_recipients += rcpts
            self.day_messages += 1
            self.day_recipients += rcpts
        else:
            self._count(hour, day, rcpts, cfg)
        h = hour % 24
        if self.hours[h] == 255:
            self.hours = bytearray(c >> 1 for c in self.hours)
        self.hours[h] += 1

        entry = self.countries.get(country)
        if entry is None:
            self.countries[country] = [0, day, 1, 1]
            if len(self.countries) > cfg.countries_kept:
                _evict_oldest(self.countries, cfg.countries_kept)
        else:
            last = entry[1]
            if last != day:
                if last < day < last + 32 and not entry[2] >> (32 - (day - last)):
                    entry[2] = (entry[2] << (day - last)) | 1  # as above
                    entry[1] = day
                else:
                    _mark(entry, day)
            entry[3] += 1
        if network is not None:
            entry = self.networks.get(network)
            if entry is None:
                _use(self.networks, network, day, cfg.networks_kept)
            elif entry[1] != day:  # (most messages: a network already used today)
                last = entry[1]
                if last < day < last + 32 and not entry[2] >> (32 - (day - last)):
                    entry[2] = (entry[2] << (day - last)) | 1  # as above
                    entry[1] = day
                else:
                    _mark(entry, day)
        if asn:
            _use(self.asns, asn, day, cfg.asns_kept)

    def _learn_recipients(self, recipients: Iterable[int], cfg: BehaviourConfig) -> int:
        # Runs for every recipient learned (the import's inner loop): inserts spelled out.
        n = 0
        last_domain = -1
        cur = self.correspondents
        domains = self.domains
        for r in recipients:
            n += 1
            fp = r & FINGERPRINT
            i = bisect_left(cur, fp)
            if i == len(cur) or cur[i] != fp:
                cur.insert(i, fp)
                if len(cur) >= cfg.correspondents_per_generation:
                    self.correspondents_old, self.correspondents = cur, array("I")
                    cur = self.correspondents
            d = r >> 32
            if d != last_domain:
                last_domain = d
                i = bisect_left(domains, d)
                if i == len(domains) or domains[i] != d:
                    domains.insert(i, d)
                    if len(domains) >= cfg.domains_per_generation:
                        self.domains_old, self.domains = domains, array("I")
                        domains = self.domains
        return n

    def _count(self, hour: int, day: int, rcpts: int, cfg: BehaviourConfig) -> None:
        if hour == self.cur_hour:
            self.hour_messages += 1
            self.hour_recipients += rcpts
        elif hour > self.cur_hour:
            # The peak is kept as of cur_hour: the hour that closes joins it, and both decay.
            decay = 0.5 ** ((hour - self.cur_hour) / (cfg.volume_half_life_days * 24)) if self.cur_hour else 0.0
            messages = max(self.peak_hour_messages, self.hour_messages) * decay
            recipients = max(self.peak_hour_recipients, self.hour_recipients) * decay
            self.cur_hour, self.hour_messages, self.hour_recipients = hour, 1, rcpts
            if day > self.cur_day:  # the day closes too (an account's first message of a day)
                decay = 0.5 ** ((day - self.cur_day) / cfg.volume_half_life_days) if self.cur_day else 0.0
                # As two _f32_pair calls would round them, with one pack and unpack for the four.
                (self.peak_hour_messages, self.peak_hour_recipients, self.peak_day_messages,
                 self.peak_day_recipients) = _F32_FOUR.unpack(_F32_FOUR.pack(
                    min(messages, MAX_VOLUME), min(recipients, MAX_VOLUME),
                    min(max(self.peak_day_messages, self.day_messages) * decay, MAX_VOLUME),
                    min(max(self.peak_day_recipients, self.day_recipients) * decay, MAX_VOLUME)))
                self.cur_day, self.day_messages, self.day_recipients = day, 1, rcpts
                return
            self.peak_hour_messages, self.peak_hour_recipients = _f32_pair(messages, recipients)
        # else: an hour already closed (a log read out of order): the totals have it, the peak not.
        if day == self.cur_day:
            self.day_messages += 1
            self.day_recipients += rcpts
        elif day > self.cur_day:
            decay = 0.5 ** ((day - self.cur_day) / cfg.volume_half_life_days) if self.cur_day else 0.0
            self.peak_day_messages, self.peak_day_recipients = _f32_pair(
                max(self.peak_day_messages, self.day_messages) * decay,
                max(self.peak_day_recipients, self.day_recipients) * decay)
            self.cur_day, self.day_messages, self.day_recipients = day, 1, rcpts

    def merge(self, other: Baseline, cfg: BehaviourConfig = _DEFAULT) -> None:
        """Take in what ``other`` learned: the same account's baseline written elsewhere (an
        import while this node learned live; both grew from the same stored one).

        Days used are a union (exact within each entry's 32 days); counts, peaks and the hour
        profile the larger of the two (messages both learned are not counted twice; what only
        one learned may be under-counted, never invented); correspondents and domains a union
        within the generation bounds."""
        if not other.messages:
            return
        if not self.messages:
            fresh = Baseline.from_bytes(other.to_bytes())  # a deep copy
            for name in self.__slots__:
                setattr(self, name, getattr(fresh, name))
            return
        self.first_day = min(self.first_day, other.first_day)
        self.active = _union(self.active, other.active)
        self.messages = max(self.messages, other.messages)
        self.recipients = max(self.recipients, other.recipients)
        for name in ("peak_hour_messages", "peak_hour_recipients", "peak_day_messages", "peak_day_recipients"):
            setattr(self, name, max(getattr(self, name), getattr(other, name)))
        if other.cur_hour > self.cur_hour:
            self.cur_hour, self.hour_messages, self.hour_recipients = other.cur_hour, other.hour_messages, other.hour_recipients
        elif other.cur_hour == self.cur_hour:
            self.hour_messages = max(self.hour_messages, other.hour_messages)
            self.hour_recipients = max(self.hour_recipients, other.hour_recipients)
        if other.cur_day > self.cur_day:
            self.cur_day, self.day_messages, self.day_recipients = other.cur_day, other.day_messages, other.day_recipients
        elif other.cur_day == self.cur_day:
            self.day_messages = max(self.day_messages, other.day_messages)
            self.day_recipients = max(self.day_recipients, other.day_recipients)
        self.hours = bytearray(max(a, b) for a, b in zip(self.hours, other.hours))
        for mine, theirs, kept in ((self.countries, other.countries, cfg.countries_kept),
                                   (self.networks, other.networks, cfg.networks_kept),
                                   (self.asns, other.asns, cfg.asns_kept)):
            for key, entry in theirs.items():
                have = mine.get(key)
                merged = _union(have, entry) if have is not None else list(entry)
                if have is not None and len(entry) > 3:  # a country's messages
                    merged.append(max(have[3], entry[3]))
                mine[key] = merged
            if len(mine) > kept:
                _evict_oldest(mine, kept)
        self.correspondents, self.correspondents_old = _union_generations(
            self.correspondents, self.correspondents_old, other.correspondents, other.correspondents_old,
            cfg.correspondents_per_generation)
        self.domains, self.domains_old = _union_generations(
            self.domains, self.domains_old, other.domains, other.domains_old, cfg.domains_per_generation)

    # -- reading ----------------------------------------------------------------------

    def days_active(self) -> int:
        return days_used(self.active) if self.messages else 0

    def has_history(self, cfg: BehaviourConfig = _DEFAULT) -> bool:
        """Enough past mail to compare against (a new customer has none: nothing is unusual)."""
        return self.messages >= cfg.history_messages and self.days_active() >= cfg.history_days

    def country_days(self, country: str) -> int:
        entry = self.countries.get(country)
        return days_used(entry) if entry is not None else 0

    def network_days(self, network: int | None) -> int:
        entry = self.networks.get(network) if network is not None else None
        return days_used(entry) if entry is not None else 0

    def asn_days(self, asn: int | None) -> int:
        entry = self.asns.get(asn) if asn else None
        return days_used(entry) if entry is not None else 0

    def knows(self, recipient: int) -> bool:
        fp = recipient & FINGERPRINT
        return _contains(self.correspondents, fp) or _contains(self.correspondents_old, fp)

    def knows_domain(self, recipient: int) -> bool:
        d = recipient >> 32
        return _contains(self.domains, d) or _contains(self.domains_old, d)

    def known_correspondents(self) -> int:
        return len(self.correspondents) + len(self.correspondents_old)

    def usual_hour_messages(self, now: float, cfg: BehaviourConfig = _DEFAULT) -> float:
        """The account's busiest past hour as remembered at ``now`` (decayed).

        The hour in progress is left out, so a burst cannot raise the bar it is measured by.
        """
        if not self.cur_hour:
            return 0.0
        hour = int(now // HOUR_S)
        peak = self.peak_hour_messages
        if hour > self.cur_hour:
            peak = max(peak, self.hour_messages)
        return peak * 0.5 ** (max(0, hour - self.cur_hour) / (cfg.volume_half_life_days * 24))

    def usual_day_messages(self, now: float, cfg: BehaviourConfig = _DEFAULT) -> float:
        """The account's busiest past day as remembered at ``now`` (decayed; today left out)."""
        if not self.cur_day:
            return 0.0
        day = int(now // DAY_S)
        peak = self.peak_day_messages
        if day > self.cur_day:
            peak = max(peak, self.day_messages)
        return peak * 0.5 ** (max(0, day - self.cur_day) / cfg.volume_half_life_days)

    # -- storage (blob.py) ------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """The compact, versioned form for the store and replication (little-endian)."""
        return blob.encode(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> Baseline:
        """Read ``to_bytes()`` output; anything else raises BaselineError (never a half-read object)."""
        return blob.decode(cls(), data)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Baseline):
            return NotImplemented
        return all(getattr(self, s) == getattr(other, s) for s in self.__slots__)

    __hash__ = None  # type: ignore[assignment]  # mutable
