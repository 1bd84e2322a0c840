"""A baseline's compact, versioned byte form, for the store and replication (little-endian).

Everything read is range-checked: a blob comes from the store or another node and may be
truncated, oversized or written by something hostile; a bad one raises BaselineError,
never returns a half-read baseline.
"""

from __future__ import annotations

import math
import struct
import sys
from array import array
from typing import TYPE_CHECKING

from .keys import IPV6_FLAG

if TYPE_CHECKING:
    from .baseline import Baseline

FORMAT_VERSION = 1
MAGIC = b"FB"
MAX_ENTRIES = 255  # countries, networks, ASNs in a blob
MAX_FINGERPRINTS = 4096  # per generation in a blob
MAX_VOLUME = float(1 << 32)  # peaks are maxima of u32 counts

_HEAD = struct.Struct("<2sBBHHHIIIIIIHIIffff24sBBBBHHHH")
_COUNTRY = struct.Struct("<2sHHII")  # code, older days, last day, 32-day bitmap, messages
_NETWORK = struct.Struct("<QHHI")  # key, older days, last day, bitmap
_ASN = struct.Struct("<IHHI")
_U32 = 0xFFFFFFFF

if array("I").itemsize != 4:  # pragma: no cover - every platform CPython supports today
    raise ImportError("array('I') is not 32-bit here")
_SWAP = sys.byteorder != "little"  # blobs are little-endian everywhere


class BaselineError(ValueError):
    """A stored baseline that cannot be read (truncated, oversized, out of range)."""


def encode(b: Baseline) -> bytes:
    """``Baseline.to_bytes``. Runs for every baseline a save writes (thousands a minute on a busy
    node): counts are clamped to u32 by comparison (a ``min()`` call costs ~0.2 µs, eight of
    them as much as the rest of the header), country codes encoded once each."""
    a = b.active
    m, r, hm, hr, dm, dr = b.messages, b.recipients, b.hour_messages, b.hour_recipients, b.day_messages, b.day_recipients
    countries, networks, asns = b.countries, b.networks, b.asns
    domains, domains_old, correspondents, correspondents_old = b.domains, b.domains_old, b.correspondents, b.correspondents_old
    head = _HEAD.pack(
        MAGIC, FORMAT_VERSION, 0, b.first_day, a[0], a[1], a[2],
        m if m <= _U32 else _U32, r if r <= _U32 else _U32, b.cur_hour,
        hm if hm <= _U32 else _U32, hr if hr <= _U32 else _U32, b.cur_day,
        dm if dm <= _U32 else _U32, dr if dr <= _U32 else _U32,
        b.peak_hour_messages, b.peak_hour_recipients, b.peak_day_messages, b.peak_day_recipients,
        b.hours, len(countries), len(networks), len(asns), 0,
        len(domains), len(domains_old), len(correspondents), len(correspondents_old),
    )
    parts = [head]
    pack = _COUNTRY.pack
    for code, e in countries.items():
        c = _CODES.get(code)
        if c is None:
            c = code.encode("ascii")
            if len(_CODES) < 1024:  # (ISO codes: a few hundred; bounded whatever the caller)
                _CODES[code] = c
        n = e[3]
        parts.append(pack(c, e[0], e[1], e[2], n if n <= _U32 else _U32))
    pack = _NETWORK.pack
    for key, e in networks.items():
        parts.append(pack(key, e[0], e[1], e[2]))
    if asns:
        pack = _ASN.pack
        for key, e in asns.items():
            parts.append(pack(key, e[0], e[1], e[2]))
    if _SWAP:  # pragma: no cover - big-endian hosts
        for fps in (domains, domains_old, correspondents, correspondents_old):
            fps = array("I", fps)
            fps.byteswap()
            parts.append(fps.tobytes())
    else:  # (bytes.join takes the arrays' buffers as they are)
        parts += (domains, domains_old, correspondents, correspondents_old)
    return b"".join(parts)


_CODES: dict[str, bytes] = {}  # country code -> its ASCII bytes (a few hundred codes at most)


def decode(b: Baseline, blob: bytes) -> Baseline:
    """Fill a fresh ``b`` from ``to_bytes()`` output (``Baseline.from_bytes``)."""
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
