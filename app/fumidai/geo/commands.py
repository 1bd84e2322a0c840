"""`fumidai geoip build|lookup`: make a country .mmdb, and check what an address maps to."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    geoip = subparsers.add_parser("geoip", help="build or query a GeoIP country database")
    sub = geoip.add_subparsers(dest="geoip_command", metavar="ACTION", required=True)

    build = sub.add_parser(
        "build",
        help="write a country .mmdb from a CSV, RIR delegated statistics or the demo data",
        description="Write a MaxMind-format country database (GeoLite2-Country record shape).",
    )
    source = build.add_mutually_exclusive_group(required=True)
    source.add_argument("--from-csv", metavar="FILE", help="a 'network,country' CSV (CIDR or first-last ranges)")
    source.add_argument("--from-rir", metavar="FILE", nargs="+",
                        help="delegated-<rir>-extended-latest files from the five RIRs")
    source.add_argument("--demo", action="store_true", help="the bundled demo ranges (not for production)")
    build.add_argument("-o", "--output", metavar="OUT.mmdb", required=True, help="database file to write")
    build.set_defaults(func=_build)

    lookup = sub.add_parser("lookup", help="print the country of IP addresses: 'IP CC (name)' per line",
                            description="Print 'IP CC (name)' per address: QI is an internal network (home for "
                                        "every account), ZZ an address the database cannot place.")
    lookup.add_argument("--database", metavar="FILE", help="the .mmdb to use (default: [geoip] database)")
    lookup.add_argument("--config", metavar="FILE", help="configuration file (default: $FUMIDAI_CONFIG)")
    lookup.add_argument("ips", metavar="IP", nargs="+")
    lookup.set_defaults(func=_lookup)


def _build(args: argparse.Namespace) -> int:
    from . import build

    if args.demo:
        result = build.build_demo(args.output)
    elif args.from_csv:
        result = build.build_from_ranges(build.read_ranges_csv(args.from_csv), args.output)
    else:
        # Registries disagree briefly while a block moves between them: keep one claim.
        result = build.build_from_ranges(build.read_rir_delegated(args.from_rir), args.output, on_overlap="skip")
    print(f"wrote {result.path}: {result.networks} networks, {result.countries} countries")
    if result.skipped:
        print(f"skipped {result.skipped} blocks that overlap another country's")
    return 0


def _lookup(args: argparse.Namespace) -> int:
    from ..config import load_settings
    from ..policy import INTERNAL_COUNTRY, UNKNOWN_COUNTRY
    from .countries import country_name
    from .lookup import GeoLookup

    geoip = load_settings(args.config).geoip
    notes = {UNKNOWN_COUNTRY: f"unknown: counted as {geoip.unknown_country}, [geoip] unknown_country",
             INTERNAL_COUNTRY: "internal network: home for every account"}
    with GeoLookup(args.database or geoip.database, cache_size=0, internal_networks=geoip.internal_networks) as geo:
        for ip in args.ips:
            code = geo.country(ip)
            print(f"{ip} {code} ({notes.get(code) or country_name(code)})")
    return 0
