"""Keys the baselines are indexed by: a client address's network and a recipient's keyed hash."""

from __future__ import annotations

import struct
from functools import partial
from typing import Callable
from hashlib import blake2b
from socket import AF_INET, AF_INET6, inet_pton

FINGERPRINT = 0xFFFFFFFF
IPV6_FLAG = 1 << 48  # network keys: an IPv4 /24 is < 2**24, an IPv6 /48 is this flag + its 48 bits
_U32_LE = struct.Struct("<I").unpack  # a 4-byte digest as an int (int.from_bytes costs twice as much)


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


class _RecentAddresses(dict):
    """address -> its hash, for the addresses hashed lately; a miss hashes it (``__missing__``)."""

    __slots__ = ("hasher", "bound")

    def __missing__(self, address: str) -> int:
        value = self.hasher(address)
        if len(self) >= self.bound:
            self.clear()  # bounded; refills with the addresses in use
        self[address] = value
        return value


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
    ADDRESSES_CACHED = 65536  # in cached(): ~10 MB at most

    def __new__(cls, key: bytes) -> RecipientHasher:
        if not isinstance(key, bytes) or not 16 <= len(key) <= 64:
            raise ValueError("the recipient hash key must be 16 to 64 bytes")
        # Copying a keyed state costs less than keying a new one (the key is a whole block).
        keyed = blake2b(digest_size=4, key=key)
        return super().__new__(cls, _recipient_hash, keyed.copy, {})

    def cached(self, bound: int | None = None) -> Callable[[str], int]:
        """The same hash through a bounded cache of the addresses hashed lately.

        For the policy path, one call per RCPT: most mail goes to usual contacts, and an
        address in the cache is one dict lookup in C (no Python frame, no keyed hash).
        """
        cache = _RecentAddresses()
        cache.hasher = self
        cache.bound = self.ADDRESSES_CACHED if bound is None else bound
        return cache.__getitem__

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<key>)"

