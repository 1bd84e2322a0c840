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

import math
import struct
import sys
from array import array
from bisect import bisect_left
from collections import OrderedDict
from functools import partial
from hashlib import blake2b
from socket import AF_INET, AF_INET6, inet_pton
from typing import Iterable

from .config import BehaviourConfig

DAY_S = 86400
HOUR_S = 3600
FINGERPRINT = 0xFFFFFFFF
IPV6_FLAG = 1 << 48  # network keys: an IPv4 /24 is < 2**24, an IPv6 /48 is this flag + its 48 bits
FORMAT_VERSION = 1
MAGIC = b"FB"
MAX_ENTRIES = 255  # countries, networks, ASNs in a blob
MAX_FINGERPRINTS = 4096  # per generation in a blob
MAX_VOLUME = float(1 << 32)  # peaks are maxima of u32 counts

_DEFAULT = BehaviourConfig()
_HEAD = struct.Struct("<2sBBHHHIIIIIIHIIffff24sBBBBHHHH")
_COUNTRY = struct.Struct("<2sHHII")  # code, older days, last day, 32-day bitmap, messages
_NETWORK = struct.Struct("<QHHI")  # key, older days, last day, bitmap
_ASN = struct.Struct("<IHHI")
_F32 = struct.Struct("<f")
_U32_LE = struct.Struct("<I").unpack  # a 4-byte digest as an int (int.from_bytes costs twice as much)
_U16 = 0xFFFF
_U32 = 0xFFFFFFFF

if array("I").itemsize != 4:  # pragma: no cover - every platform CPython supports today
    raise ImportError("array('I') is not 32-bit here")
_SWAP = sys.byteorder != "little"  # blobs are little-endian everywhere


class BaselineError(ValueError):
    """A stored baseline that cannot be read (truncated, oversized, out of range)."""


def network_of(address: str) -> int | None:
    """The network key of a client address (its /24 or /48), None if it is not an address."""
    if not isinstance(address, str) or not address or len(address) > 64:
        return None
    try:
        if ":" in address:
            packed = inet_pton(AF_INET6, address)
            if packed[:12] == b"\0" * 10 + b"\xff\xff":  # IPv4-mapped: the IPv4 network
                return int.from_bytes(packed[12:15], "big")
            return IPV6_FLAG | int.from_bytes(packed[:6], "big")
        return int.from_bytes(inet_pton(AF_INET, address)[:3], "big")
    except (OSError, ValueError):
        return None


def network_text(key: int) -> str:
    """A network key as text: 192.0.2.0/24, 2001:db8:1::/48."""
    if key & IPV6_FLAG:
        p = key & ((1 << 48) - 1)
        return f"{p >> 32:x}:{(p >> 16) & 0xFFFF:x}:{p & 0xFFFF:x}::/48"
    return f"{key >> 16}.{(key >> 8) & 255}.{key & 255}.0/24"


def _recipient_hash(copy, domains: dict, address: str) -> int:
    """RecipientHasher's body: ``copy`` makes a keyed blake2b state, ``domains`` caches domains."""
    address = address.lower()
    h = copy()
    h.update(address.encode("utf-8", "surrogateescape"))
    fp = _U32_LE(h.digest())[0]
    domain = address.rpartition("@")[2]
    d = domains.get(domain)
    if d is None:
        # Domains repeat (a few big providers): hashed once each while cached.
        h = copy()
        h.update(b"@" + domain.encode("utf-8", "surrogateescape"))
        d = _U32_LE(h.digest())[0]
        if len(domains) >= RecipientHasher.DOMAINS_CACHED:
            domains.clear()
        domains[domain] = d
    return (d << 32) | fp


class RecipientHasher(partial):
    """The keyed hash of a recipient: one int, the address's fingerprint in the low 32 bits
    and its domain's in the next 32 (so the policy path keeps one int per recipient).

    The key is per installation (a secret file): without it the fingerprints in the store
    and in replication say nothing about who an account writes to.

    ``RecipientHasher(key)(address)``. It is a ``functools.partial`` of ``_recipient_hash``
    because one runs per RCPT request: a partial is called from C, where an instance's
    Python ``__call__`` would cost another frame and a bound method, about as much as the
    hash itself.
    """

    __slots__ = ()

    DOMAINS_CACHED = 4096

    def __new__(cls, key: bytes) -> RecipientHasher:
        if not isinstance(key, bytes) or not 16 <= len(key) <= 64:
            raise ValueError("the recipient hash key must be 16 to 64 bytes")
        # Copying a keyed state costs less than keying a new one (the key is a whole block).
        keyed = blake2b(digest_size=4, key=key)
        return super().__new__(cls, _recipient_hash, keyed.copy, {})

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<key>)"


def _f32(value: float) -> float:
    """As stored (float32), so a baseline equals itself after a round trip through bytes."""
    return _F32.unpack(_F32.pack(min(value, MAX_VOLUME)))[0]


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
            entry[0] = min(_U16, entry[0] + (bits >> 32).bit_count())
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
        day = int(now // DAY_S)
        hour = int(now // HOUR_S)
        if not self.messages:
            self.first_day = day
            self.active = [0, day, 1]
        elif day < self.first_day:
            self.first_day = day
        if self.active[1] != day:  # the same day as the last message: nothing to mark
            _mark(self.active, day)
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
            if entry[1] != day:
                _mark(entry, day)
            entry[3] += 1
        if network is not None:
            _use(self.networks, network, day, cfg.networks_kept)
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
            self.peak_hour_messages = _f32(max(self.peak_hour_messages, self.hour_messages) * decay)
            self.peak_hour_recipients = _f32(max(self.peak_hour_recipients, self.hour_recipients) * decay)
            self.cur_hour, self.hour_messages, self.hour_recipients = hour, 1, rcpts
        # else: an hour already closed (a log read out of order): the totals have it, the peak not.
        if day == self.cur_day:
            self.day_messages += 1
            self.day_recipients += rcpts
        elif day > self.cur_day:
            decay = 0.5 ** ((day - self.cur_day) / cfg.volume_half_life_days) if self.cur_day else 0.0
            self.peak_day_messages = _f32(max(self.peak_day_messages, self.day_messages) * decay)
            self.peak_day_recipients = _f32(max(self.peak_day_recipients, self.day_recipients) * decay)
            self.cur_day, self.day_messages, self.day_recipients = day, 1, rcpts

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

    # -- storage ----------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """The compact, versioned form for the store and replication (little-endian)."""
        a = self.active
        parts = [_HEAD.pack(
            MAGIC, FORMAT_VERSION, 0, self.first_day, a[0], a[1], a[2], min(_U32, self.messages), min(_U32, self.recipients),
            self.cur_hour, min(_U32, self.hour_messages), min(_U32, self.hour_recipients), self.cur_day,
            min(_U32, self.day_messages), min(_U32, self.day_recipients),
            self.peak_hour_messages, self.peak_hour_recipients, self.peak_day_messages, self.peak_day_recipients,
            bytes(self.hours), len(self.countries), len(self.networks), len(self.asns), 0,
            len(self.domains), len(self.domains_old), len(self.correspondents), len(self.correspondents_old),
        )]
        for code, e in self.countries.items():
            parts.append(_COUNTRY.pack(code.encode("ascii"), e[0], e[1], e[2], min(_U32, e[3])))
        for key, e in self.networks.items():
            parts.append(_NETWORK.pack(key, e[0], e[1], e[2]))
        for key, e in self.asns.items():
            parts.append(_ASN.pack(key, e[0], e[1], e[2]))
        for fps in (self.domains, self.domains_old, self.correspondents, self.correspondents_old):
            if _SWAP:  # pragma: no cover - big-endian hosts
                fps = array("I", fps)
                fps.byteswap()
            parts.append(fps.tobytes())
        return b"".join(parts)

    @classmethod
    def from_bytes(cls, blob: bytes) -> Baseline:
        """Read ``to_bytes()`` output; anything else raises BaselineError (never a half-read object)."""
        if not isinstance(blob, (bytes, bytearray, memoryview)):
            raise BaselineError(f"a baseline is bytes, not {type(blob).__name__}")
        blob = bytes(blob)
        if len(blob) < _HEAD.size:
            raise BaselineError(f"baseline truncated: {len(blob)} bytes, the header alone is {_HEAD.size}")
        (magic, version, _reserved, first_day, a_older, a_last, a_bits, messages, recipients,
         cur_hour, hour_m, hour_r, cur_day, day_m, day_r, phm, phr, pdm, pdr,
         hours, n_c, n_n, n_a, _pad, n_d, n_do, n_r, n_ro) = _HEAD.unpack_from(blob)
        if magic != MAGIC:
            raise BaselineError("not a baseline (bad magic)")
        if version != FORMAT_VERSION:
            raise BaselineError(f"baseline format {version} is not known (this fumidai reads {FORMAT_VERSION})")
        for name, n in (("domains", n_d), ("old domains", n_do), ("correspondents", n_r), ("old correspondents", n_ro)):
            if n > MAX_FINGERPRINTS:
                raise BaselineError(f"baseline has {n} {name}, more than {MAX_FINGERPRINTS}")
        size = _HEAD.size + n_c * _COUNTRY.size + n_n * _NETWORK.size + n_a * _ASN.size + 4 * (n_d + n_do + n_r + n_ro)
        if len(blob) != size:
            raise BaselineError(f"baseline is {len(blob)} bytes, its header says {size}")
        for name, v in (("peak hour messages", phm), ("peak hour recipients", phr), ("peak day messages", pdm), ("peak day recipients", pdr)):
            if not (math.isfinite(v) and 0 <= v <= MAX_VOLUME):
                raise BaselineError(f"baseline {name} out of range: {v}")
        if messages and (first_day > a_last or not a_bits & 1):
            raise BaselineError("baseline active days are inconsistent")
        if messages and not (cur_day == a_last and cur_hour // 24 == cur_day):
            raise BaselineError("baseline current hour/day are inconsistent")
        b = cls()
        b.first_day, b.active, b.messages, b.recipients = first_day, [a_older, a_last, a_bits], messages, recipients
        b.cur_hour, b.hour_messages, b.hour_recipients = cur_hour, hour_m, hour_r
        b.cur_day, b.day_messages, b.day_recipients = cur_day, day_m, day_r
        b.peak_hour_messages, b.peak_hour_recipients, b.peak_day_messages, b.peak_day_recipients = phm, phr, pdm, pdr
        b.hours = bytearray(hours)
        pos = _HEAD.size
        for code, older, last, bits, msgs in _COUNTRY.iter_unpack(blob[pos:pos + n_c * _COUNTRY.size]):
            if not (len(code) == 2 and code.isalpha() and code.isupper() and code.isascii()):
                raise BaselineError(f"baseline country code {code!r} is not two capital letters")
            if not bits & 1:
                raise BaselineError("baseline country entry without its last day")
            c = code.decode("ascii")
            if c in b.countries:
                raise BaselineError(f"baseline country {c} appears twice")
            b.countries[c] = [older, last, bits, msgs]
        pos += n_c * _COUNTRY.size
        for key, older, last, bits in _NETWORK.iter_unpack(blob[pos:pos + n_n * _NETWORK.size]):
            if not (key < (1 << 24) or IPV6_FLAG <= key < (IPV6_FLAG << 1)) or not bits & 1:
                raise BaselineError(f"baseline network key {key:#x} out of range")
            if key in b.networks:
                raise BaselineError("baseline network appears twice")
            b.networks[key] = [older, last, bits]
        pos += n_n * _NETWORK.size
        for key, older, last, bits in _ASN.iter_unpack(blob[pos:pos + n_a * _ASN.size]):
            if not key or not bits & 1:
                raise BaselineError("baseline ASN entry out of range")
            if key in b.asns:
                raise BaselineError("baseline ASN appears twice")
            b.asns[key] = [older, last, bits]
        pos += n_a * _ASN.size
        arrays = []
        for n in (n_d, n_do, n_r, n_ro):
            fps = array("I")
            fps.frombytes(blob[pos:pos + 4 * n])
            if _SWAP:  # pragma: no cover
                fps.byteswap()
            pos += 4 * n
            if any(fps[i] >= fps[i + 1] for i in range(len(fps) - 1)):
                raise BaselineError("baseline fingerprints are not sorted and distinct")
            arrays.append(fps)
        b.domains, b.domains_old, b.correspondents, b.correspondents_old = arrays
        return b

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Baseline):
            return NotImplemented
        return all(getattr(self, s) == getattr(other, s) for s in self.__slots__)

    __hash__ = None  # type: ignore[assignment]  # mutable


class BaselineTable:
    """Every account's baseline: the ones in use as ``Baseline`` objects (least recently
    used beyond ``max_live`` go back to bytes), the others as their ``to_bytes()`` blob.

    ``dirty`` collects the accounts learned since ``take_dirty()``, for the store's flush
    and for replication. A blob that does not read (BaselineError) is dropped and counted
    in ``unreadable``: the account starts afresh rather than the policy path failing.
    """

    __slots__ = ("_blobs", "_live", "_dirty", "max_live", "cfg", "unreadable")

    def __init__(self, cfg: BehaviourConfig = _DEFAULT, max_live: int = 100_000) -> None:
        self._blobs: dict[str, bytes] = {}
        self._live: OrderedDict[str, Baseline] = OrderedDict()
        self._dirty: set[str] = set()
        self.max_live = max_live
        self.cfg = cfg
        self.unreadable = 0

    def __len__(self) -> int:
        return len(self._blobs) + len(self._live)

    def __contains__(self, account: str) -> bool:
        return account in self._live or account in self._blobs

    def get(self, account: str) -> Baseline | None:
        b = self._live.get(account)
        if b is not None:
            self._live.move_to_end(account)
            return b
        blob = self._blobs.pop(account, None)
        if blob is None:
            return None
        try:
            b = Baseline.from_bytes(blob)
        except BaselineError:
            self.unreadable += 1
            return None
        self._live[account] = b
        if len(self._live) > self.max_live:
            self.shrink(self.max_live)
        return b

    def get_or_create(self, account: str) -> Baseline:
        b = self.get(account)
        if b is None:
            b = self._live[account] = Baseline()
            if len(self._live) > self.max_live:
                self.shrink(self.max_live)
        return b

    def learn(self, account: str, now: float, network: int | None, country: str, asn: int | None,
              recipients: Iterable[int]) -> Baseline:
        """Learn one message of ``account`` (creating its baseline): the import's bulk path."""
        b = self._live.get(account)
        if b is None:
            b = self.get_or_create(account)
        b.learn(now, network, country, asn, recipients, self.cfg)
        self._dirty.add(account)
        return b

    def touched(self, account: str) -> None:
        """Mark an account learned by the caller through ``Baseline.learn``."""
        self._dirty.add(account)

    def load(self, account: str, blob: bytes) -> None:
        """A baseline from the store or another node; replaces what is held (not dirty ones:
        what this node learned since its last flush would be lost, see take_dirty)."""
        if account in self._dirty:
            return
        self._live.pop(account, None)
        self._blobs[account] = bytes(blob)

    def take_dirty(self) -> dict[str, bytes]:
        """The blobs of every account learned since the last call."""
        out = {}
        for account in self._dirty:
            b = self._live.get(account)
            out[account] = b.to_bytes() if b is not None else self._blobs[account]
        self._dirty.clear()
        return out

    def shrink(self, max_live: int) -> None:
        """Turn the least recently used live baselines back into bytes."""
        live = self._live
        while len(live) > max_live:
            account, b = live.popitem(last=False)
            self._blobs[account] = b.to_bytes()
