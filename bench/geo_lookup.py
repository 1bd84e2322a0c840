"""GeoIP lookup cost per address: cached, uncached, and what geoip2's model API would cost.

    .venv/bin/python bench/geo_lookup.py [--networks 20000] [--addresses 20000]

Builds a database with the demo ranges plus --networks random /24s (a GeoLite2-Country
has ~500,000 networks, but lookup cost follows tree depth, not size), then times
GeoLookup.country() over distinct addresses with the cache off, the same addresses again
with a warm cache, and for reference maxminddb's raw get() and geoip2's Reader.country().
Figures are microseconds per lookup over batches of 1,000: the best batch and the median.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "app"))

import geoip2.database  # noqa: E402

from fumidai.bundled import resource_path  # noqa: E402
from fumidai.geo.build import DEMO_RANGES, build_from_ranges, demo_address, ranges_by_country, read_ranges_csv  # noqa: E402
from fumidai.geo.lookup import GeoLookup  # noqa: E402


def per_call_us(fn, items, repeat: int, batch: int = 1000) -> tuple[float, float]:
    """(best, median) µs per call over batches: the best is the cost on an idle core,
    the median what a shared machine gave (other processes preempt whole batches)."""
    samples = []
    for _ in range(repeat):
        for i in range(0, len(items), batch):
            chunk = items[i:i + batch]
            start = time.perf_counter()
            for item in chunk:
                fn(item)
            samples.append((time.perf_counter() - start) / len(chunk) * 1e6)
    return min(samples), statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", type=int, default=20000, help="random /24s added to the demo ranges")
    parser.add_argument("--addresses", type=int, default=20000, help="distinct addresses looked up")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(1)

    demo = read_ranges_csv(resource_path(*DEMO_RANGES))
    countries = sorted(ranges_by_country())
    taken = {int(n.split(".")[0]) for n, _ in demo if "." in n}
    extra = set()
    while len(extra) < args.networks:  # /24s in first octets the demo data leaves free
        first = rng.randrange(1, 224)
        if first not in taken and first not in (10, 127):
            extra.add(f"{first}.{rng.randrange(256)}.{rng.randrange(256)}.0/24")
    ranges = demo + [(net, rng.choice(countries)) for net in sorted(extra)]

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        result = build_from_ranges(ranges, Path(tmp) / "bench.mmdb")
        build_s = time.perf_counter() - started
        print(f"database: {result.networks} networks, {result.countries} countries, built in {build_s:.2f} s, "
              f"{result.path.stat().st_size / 1e6:.1f} MB")

        # What a submission service sees: mostly home addresses, some abroad, a few IPv6.
        addresses: list[str] = []
        while len(addresses) < args.addresses:
            roll = rng.random()
            if roll < 0.6:
                addresses.append(demo_address("JP", rng))
            elif roll < 0.9:
                addresses.append(demo_address(rng.choice(countries), rng))
            else:
                addresses.append(demo_address(rng.choice(["JP", "US", "CN", "DE"]), rng, version=6))
        addresses = list(dict.fromkeys(addresses))
        v4 = [a for a in addresses if ":" not in a]
        v6 = [a for a in addresses if ":" in a]

        with GeoLookup(result.path, cache_size=0) as uncached, GeoLookup(result.path) as cached:
            for ip in addresses:
                cached.country(ip)  # warm
            figures = {
                "GeoLookup.country, cached": per_call_us(cached.country, addresses, args.repeat),
                "GeoLookup.country, uncached, IPv4": per_call_us(uncached.country, v4, args.repeat),
                "GeoLookup.country, uncached, IPv6": per_call_us(uncached.country, v6, args.repeat),
                "GeoLookup.country, uncached, 'unknown'": per_call_us(uncached.country, ["unknown"] * 5000, args.repeat),
                "maxminddb get() alone, IPv4": per_call_us(uncached._db.get, v4, args.repeat),
            }
        with geoip2.database.Reader(str(result.path)) as reader:
            figures["geoip2 Reader.country(), IPv4"] = per_call_us(reader.country, v4, args.repeat)

    print(f"{len(addresses)} distinct addresses ({len(v4)} IPv4, {len(v6)} IPv6), {args.repeat} runs:")
    print(f"  {'µs per lookup':42s} {'best':>7s} {'median':>7s}")
    for name, (best, median) in figures.items():
        print(f"  {name:42s} {best:7.2f} {median:7.2f}")


if __name__ == "__main__":
    main()
