"""Write country databases in MaxMind's format (.mmdb) from ranges, a CSV file or RIR statistics.

The records have GeoLite2-Country's shape (``{"country": {"iso_code", "names"}}``) and the
database says it is "GeoLite2-Country", so GeoLookup and geoip2's ``Reader.country()``
read it like the real thing.
"""

from __future__ import annotations

import csv
import ipaddress
import logging
import os
import random
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from mmdb_writer import MMDBWriter
from netaddr import IPAddress, IPNetwork, IPSet, iprange_to_cidrs

from ..bundled import resource_path
from ..errors import FumidaiError
from .countries import country_name, is_country_code

log = logging.getLogger(__name__)

DEMO_RANGES = ("geoip", "demo-ranges.csv")
DATABASE_TYPE = "GeoLite2-Country"
LANGUAGES = ("en", "ja")
_IPV4_IN_IPV6 = 2**32  # an IPv6 database keeps IPv4 at ::a.b.c.d, the first 2**32 addresses

Range = tuple[str, str]  # ("203.0.113.0/24" or "first-last", "JP")


@dataclass(frozen=True)
class BuildResult:
    path: Path
    networks: int  # CIDR blocks written, after merging adjacent ones of a country
    countries: int
    skipped: int = 0  # ranges dropped because they overlap another country's (RIR data only)


def parse_range(text: str) -> tuple[int, int, int]:
    """(version, first, last) of a CIDR block or a "first-last" range; ValueError says what is wrong."""
    text = text.strip()
    if "-" in text:
        first_text, _, last_text = text.partition("-")
        try:
            first = ipaddress.ip_address(first_text.strip())
            last = ipaddress.ip_address(last_text.strip())
        except ValueError:
            raise ValueError(f"{text!r} is not a range of two addresses") from None
        if first.version != last.version:
            raise ValueError(f"{text!r} mixes IPv4 and IPv6")
        if int(first) > int(last):
            raise ValueError(f"{text!r} ends before it starts")
        return first.version, int(first), int(last)
    try:
        net = ipaddress.ip_network(text, strict=True)
    except ValueError as err:
        raise ValueError(f"{text!r} is not a CIDR network or a first-last range ({err})") from None
    return net.version, int(net.network_address), int(net.broadcast_address)


def _country(code: str) -> str:
    code = code.strip().upper()
    if not is_country_code(code):
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return code


def _record(code: str) -> dict:
    return {"country": {"iso_code": code, "names": {lang: country_name(code, lang) for lang in LANGUAGES}}}


def build_from_ranges(ranges: Iterable[Range], out_path: str | os.PathLike[str], *, on_overlap: str = "error") -> BuildResult:
    """Write an .mmdb mapping each range to its country.

    Overlaps within one country merge. Overlaps between countries are an error
    (``on_overlap="error"``, naming both ranges) or drop the range that starts later,
    on a tie the one given later (``"skip"``, for registry data where a transfer can
    appear in two files).
    """
    if on_overlap not in ("error", "skip"):
        raise ValueError(f"on_overlap must be 'error' or 'skip', not {on_overlap!r}")
    out = Path(out_path)
    spans: list[tuple[int, int, int, int, str, str]] = []
    for index, (text, code) in enumerate(ranges):
        try:
            version, first, last = parse_range(text)
            code = _country(code)
        except ValueError as err:
            raise FumidaiError(f"cannot build {out}: {err}") from None
        if version == 6 and first < _IPV4_IN_IPV6:
            raise FumidaiError(f"cannot build {out}: {text} overlaps ::/96, where the database keeps IPv4")
        spans.append((version, first, index, last, code, text))
    if not spans:
        raise FumidaiError(f"cannot build {out}: no networks given")

    # Sorted by start, a range overlaps an earlier kept one iff it starts before the
    # furthest end so far; kept ranges that overlap each other share a country, so
    # comparing with the one that reaches furthest is enough.
    spans.sort()
    by_country: dict[str, list[IPNetwork]] = {}
    skipped = 0
    reach: tuple[int, int, str, str] | None = None  # version, last, country, text
    for version, first, _index, last, code, text in spans:
        if reach and reach[0] == version and first <= reach[1] and reach[2] != code:
            if on_overlap == "error":
                raise FumidaiError(f"cannot build {out}: {text} ({code}) overlaps {reach[3]} ({reach[2]})")
            skipped += 1
            continue
        if not reach or reach[0] != version or last > reach[1]:
            reach = (version, last, code, text)
        by_country.setdefault(code, []).extend(iprange_to_cidrs(IPAddress(first, version), IPAddress(last, version)))

    writer = MMDBWriter(
        ip_version=6,
        ipv4_compatible=True,
        database_type=DATABASE_TYPE,
        languages=list(LANGUAGES),
        description={"en": "Fumidai country database", "ja": "Fumidai 国別データベース"},
    )
    networks = 0
    for code in sorted(by_country):
        merged = IPSet(by_country[code])  # merges adjacent and duplicate blocks
        networks += len(merged.iter_cidrs())
        writer.insert_network(merged, _record(code))

    # Write beside the target, then rename: a running server never maps a half-written file.
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        writer.to_db_file(str(tmp))
        os.replace(tmp, out)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise FumidaiError(f"cannot write {out}: {err.strerror or err}") from None
    return BuildResult(out, networks, len(by_country), skipped)


def read_ranges_csv(path: str | os.PathLike[str]) -> list[Range]:
    """Rows of a ``network,country`` CSV file (``#`` lines are comments), checked line by line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise FumidaiError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise FumidaiError(f"{path}: cannot read: {err}") from None
    ranges: list[Range] = []
    header_seen = False
    for lineno, row in enumerate(csv.reader(text.splitlines()), start=1):
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in row]
        if not header_seen:
            if [c.lower() for c in cells] != ["network", "country"]:
                raise FumidaiError(f"{path} line {lineno}: the header must be 'network,country', not {','.join(cells)!r}")
            header_seen = True
            continue
        if len(cells) != 2:
            raise FumidaiError(f"{path} line {lineno}: expected 2 columns (network,country), found {len(cells)}")
        try:
            parse_range(cells[0])
            ranges.append((cells[0], _country(cells[1])))
        except ValueError as err:
            raise FumidaiError(f"{path} line {lineno}: {err}") from None
    if not ranges:
        raise FumidaiError(f"{path}: no networks (expected a 'network,country' header and rows)")
    return ranges


def read_rir_delegated(paths: Iterable[str | os.PathLike[str]]) -> list[Range]:
    """Allocated and assigned IPv4/IPv6 blocks of RIR ``delegated-*-extended-latest`` files.

    Lines: ``registry|cc|type|start|value|date|status[|opaque-id]``; an IPv4 value is an
    address count (not always a power of two), an IPv6 value a prefix length.
    """
    ranges: list[Range] = []
    for path in map(Path, paths):
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError as err:
            raise FumidaiError(f"{path}: cannot read: {err.strerror or err}") from None
        found = 0
        not_countries: Counter[str] = Counter()
        for lineno, line in enumerate(lines, start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            fields = line.split("|")
            if fields[0][:1].isdigit() or (len(fields) > 1 and fields[1] == "*"):
                continue  # version line ("2|apnic|2024...") or summary ("apnic|*|ipv4|*|N|summary")
            if len(fields) < 7:
                raise FumidaiError(f"{path} line {lineno}: not a delegated-statistics record: {line[:80]!r}")
            _registry, cc, kind, start, value, _date, status = fields[:7]
            if kind not in ("ipv4", "ipv6") or status not in ("allocated", "assigned"):
                continue
            try:
                if kind == "ipv4":
                    count = int(value)
                    first = ipaddress.IPv4Address(start)
                    if count < 1 or int(first) + count > 2**32:
                        raise ValueError
                    block = f"{first}-{first + (count - 1)}"
                else:
                    block = str(ipaddress.IPv6Network(f"{start}/{int(value)}", strict=True))
            except ValueError:
                raise FumidaiError(f"{path} line {lineno}: bad {kind} block {start}|{value}") from None
            cc = cc.upper()
            if not is_country_code(cc):
                not_countries[cc or "(empty)"] += 1  # RIPE's "EU" and the like name no country
                continue
            ranges.append((block, cc))
            found += 1
        if not_countries:
            log.warning("%s: skipped %d blocks with no ISO country code (%s)", path,
                        sum(not_countries.values()), ", ".join(sorted(not_countries)))
        log.info("%s: %d blocks", path, found)
    if not ranges:
        raise FumidaiError("no allocated or assigned IP blocks in " + ", ".join(map(str, paths)))
    return ranges


def build_demo(out_path: str | os.PathLike[str]) -> BuildResult:
    """The demo database from resources/geoip/demo-ranges.csv (demo data, see its README)."""
    return build_from_ranges(read_ranges_csv(resource_path(*DEMO_RANGES)), out_path)


@lru_cache(maxsize=1)
def ranges_by_country() -> Mapping[str, tuple[str, ...]]:
    """The demo networks of each country, for picking plausible source addresses."""
    grouped: dict[str, list[str]] = {}
    for network, code in read_ranges_csv(resource_path(*DEMO_RANGES)):
        grouped.setdefault(code, []).append(network)
    return MappingProxyType({code: tuple(nets) for code, nets in grouped.items()})


@lru_cache(maxsize=None)
def _demo_spans(country: str, version: int) -> tuple[tuple[int, int], ...]:
    spans = (parse_range(net) for net in ranges_by_country().get(country, ()))
    return tuple((first, last) for v, first, last in spans if v == version)


def demo_address(country: str, rng: random.Random | None = None, *, version: int = 4) -> str:
    """A random host address in one of ``country``'s demo networks (IPv4 unless version=6)."""
    spans = _demo_spans(country.upper(), version)
    if not spans:
        raise FumidaiError(f"the demo GeoIP data has no IPv{version} networks for {country!r}")
    rng = rng or random
    first, last = rng.choice(spans)
    # Skip the first and last address of the block: network and broadcast in IPv4.
    return str(ipaddress.ip_address(rng.randint(first + 1, last - 1)))
