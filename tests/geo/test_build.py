"""The .mmdb builder: ranges, CSV files, RIR delegated statistics, the demo data."""

from __future__ import annotations

import random
from textwrap import dedent

import pytest

from fumidai.errors import FumidaiError
from fumidai.geo.build import (
    build_demo, build_from_ranges, demo_address, ranges_by_country, read_ranges_csv, read_rir_delegated,
)
from fumidai.geo.lookup import GeoLookup
from fumidai.policy import INTERNAL_COUNTRY, UNKNOWN_COUNTRY


def lookup(path, *ips):
    with GeoLookup(path) as geo:
        return [geo.country(ip) for ip in ips]


def test_adjacent_blocks_of_a_country_merge_and_are_counted(tmp_path):
    result = build_from_ranges(
        [("10.0.0.0/24", "JP"), ("10.0.1.0/24", "JP"), ("10.0.1.0/25", "JP"), ("10.1.0.0/16", "US")],
        tmp_path / "m.mmdb",
    )
    assert (result.networks, result.countries, result.skipped) == (2, 2, 0)  # 10.0.0.0/23 and 10.1.0.0/16
    # 10.2.0.0 is in no block: private, so internal (geo/lookup.py), not unknown
    assert lookup(result.path, "10.0.1.200", "10.1.2.3", "10.2.0.0") == ["JP", "US", INTERNAL_COUNTRY]


def test_overlap_between_countries_is_an_error_naming_both(tmp_path):
    with pytest.raises(FumidaiError, match=r"10\.0\.5\.0/24 \(US\) overlaps 10\.0\.0\.0/16 \(JP\)"):
        build_from_ranges([("10.0.0.0/16", "JP"), ("10.0.5.0/24", "US")], tmp_path / "x.mmdb")
    assert not (tmp_path / "x.mmdb").exists()


def test_overlap_can_skip_the_later_range(tmp_path):
    result = build_from_ranges(
        [("10.0.0.0/16", "JP"), ("10.0.5.0/24", "US"), ("10.0.9.0/24", "JP"), ("10.1.0.0/16", "US")],
        tmp_path / "s.mmdb", on_overlap="skip",
    )
    assert result.skipped == 1
    assert lookup(result.path, "10.0.5.1", "10.1.0.1") == ["JP", "US"]


@pytest.mark.parametrize(("network", "country", "message"), [
    ("10.0.0.1/16", "JP", "not a CIDR network"),  # host bits set: probably a typo
    ("10.0.0.9-10.0.0.1", "JP", "ends before it starts"),
    ("10.0.0.0-2001:db8::", "JP", "mixes IPv4 and IPv6"),
    ("10.0.0.0/16", "XX", "'XX' is not an ISO 3166-1 alpha-2 country code"),
    ("10.0.0.0/16", "ZZ", "not an ISO"),
    ("::/64", "JP", "where the database keeps IPv4"),
])
def test_bad_ranges_are_refused(tmp_path, network, country, message):
    with pytest.raises(FumidaiError, match=message):
        build_from_ranges([(network, country)], tmp_path / "b.mmdb")


def test_nothing_to_write_and_unwritable_output_are_errors(tmp_path):
    with pytest.raises(FumidaiError, match="no networks given"):
        build_from_ranges([], tmp_path / "e.mmdb")
    with pytest.raises(FumidaiError, match="cannot write .*missing"):
        build_from_ranges([("10.0.0.0/8", "JP")], tmp_path / "missing" / "e.mmdb")


def test_rebuild_replaces_the_file(tmp_path):
    path = tmp_path / "r.mmdb"
    build_from_ranges([("10.0.0.0/8", "JP")], path)
    build_from_ranges([("10.0.0.0/8", "KR")], path)
    assert lookup(path, "10.1.1.1") == ["KR"]
    assert [p.name for p in tmp_path.iterdir()] == ["r.mmdb"]  # no temporary file left behind


def test_csv_with_comments_bom_and_ranges(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("\ufeffnetwork,country\n# a comment\n\n198.51.100.0/24, jp\n203.0.113.10-203.0.113.20,KR\n",
                    encoding="utf-8")
    ranges = read_ranges_csv(path)
    assert ranges == [("198.51.100.0/24", "JP"), ("203.0.113.10-203.0.113.20", "KR")]
    result = build_from_ranges(ranges, tmp_path / "r.mmdb")
    assert lookup(result.path, "203.0.113.10", "203.0.113.21") == ["KR", UNKNOWN_COUNTRY]


@pytest.mark.parametrize(("content", "message"), [
    ("net,cc\n10.0.0.0/8,JP\n", "line 1: the header must be 'network,country'"),
    ("network,country\n10.0.0.0/8,JP\n10.0.0.0/33,JP\n", "line 3: '10.0.0.0/33' is not a CIDR network"),
    ("network,country\n# c\n10.0.0.0/8,JA\n", "line 3: 'JA' is not an ISO 3166-1 alpha-2 country code"),
    ("network,country\n10.0.0.0/8,JP,extra\n", "line 2: expected 2 columns"),
    ("network,country\n", "no networks"),
])
def test_csv_errors_name_the_line(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(FumidaiError, match=message) as err:
        read_ranges_csv(path)
    assert str(err.value).startswith(str(path))


def test_missing_csv_is_a_clear_error(tmp_path):
    with pytest.raises(FumidaiError, match="no such file"):
        read_ranges_csv(tmp_path / "none.csv")


APNIC = dedent("""\
    # comment line
    2|apnic|20240601|5|19830613|20240531|+1000
    apnic|*|asn|*|2|summary
    apnic|*|ipv4|*|4|summary
    apnic|*|ipv6|*|1|summary
    apnic|JP|asn|2497|1|19970805|allocated|A91F5B0C
    apnic|JP|ipv4|1.0.16.0|768|20110412|allocated|A92E1062
    apnic|KR|ipv4|1.11.0.0|256|20100510|assigned|A9238E48
    apnic||ipv4|1.0.32.0|512|20110412|reserved
    apnic|ZZ|ipv4|1.0.64.0|256||available
    apnic|JP|ipv6|2001:200::|35|19990813|allocated|A91F5B0C
""")
RIPE = dedent("""\
    2.3|ripencc|1717200000|3|19830705|20240531|+0200
    ripencc|*|ipv4|*|2|summary
    ripencc|DE|ipv4|2.16.0.0|1000|20100712|allocated|9d99e3f7
    ripencc|EU|ipv4|2.18.0.0|256|20100712|allocated|1b2c3d4e
""")


def test_rir_delegated_files(tmp_path):
    apnic, ripe = tmp_path / "delegated-apnic-extended-latest", tmp_path / "delegated-ripencc-extended-latest"
    apnic.write_text(APNIC)
    ripe.write_text(RIPE)
    ranges = read_rir_delegated([apnic, ripe])
    assert ranges == [
        ("1.0.16.0-1.0.18.255", "JP"),  # 768 addresses: a /23 and a /24
        ("1.11.0.0-1.11.0.255", "KR"),
        ("2001:200::/35", "JP"),
        ("2.16.0.0-2.16.3.231", "DE"),  # 1000 addresses: not a power of two
    ]  # no asn, reserved, available or "EU" rows
    result = build_from_ranges(ranges, tmp_path / "rir.mmdb")
    assert result.countries == 3
    assert lookup(result.path, "1.0.18.255", "1.0.19.0", "1.0.32.1", "2.16.3.231", "2.16.3.232",
                  "2001:200:1fff::1", "2001:200:2000::1", "2.18.0.1") == [
        "JP", UNKNOWN_COUNTRY, UNKNOWN_COUNTRY, "DE", UNKNOWN_COUNTRY, "JP", UNKNOWN_COUNTRY, UNKNOWN_COUNTRY]


@pytest.mark.parametrize(("line", "message"), [
    ("apnic|JP|ipv4|1.0.16.0|zero|20110412|allocated", r"line 2: bad ipv4 block 1\.0\.16\.0\|zero"),
    ("apnic|JP|ipv4|255.255.255.0|512|20110412|allocated", "line 2: bad ipv4 block"),
    ("apnic|JP|ipv6|2001:200::1|32|20110412|allocated", "line 2: bad ipv6 block"),
    ("apnic|JP|ipv4|1.0.16.0", "line 2: not a delegated-statistics record"),
])
def test_rir_errors_name_the_line(tmp_path, line, message):
    path = tmp_path / "delegated"
    path.write_text("2|apnic|20240601|1|19830613|20240531|+1000\n" + line + "\n")
    with pytest.raises(FumidaiError, match=message):
        read_rir_delegated([path])


def test_rir_file_without_blocks_is_an_error(tmp_path):
    path = tmp_path / "delegated"
    path.write_text("2|apnic|20240601|1|19830613|20240531|+1000\napnic|JP|asn|2497|1|19970805|allocated\n")
    with pytest.raises(FumidaiError, match="no allocated or assigned IP blocks"):
        read_rir_delegated([path])
    with pytest.raises(FumidaiError, match="cannot read"):
        read_rir_delegated([tmp_path / "absent"])


def test_demo_database_places_every_demo_address(tmp_path):
    result = build_demo(tmp_path / "demo.mmdb")
    countries = ranges_by_country()
    assert result.countries == len(countries) >= 25
    assert len(countries["JP"]) > max(len(nets) for cc, nets in countries.items() if cc != "JP")
    rng = random.Random(7)
    with GeoLookup(result.path) as geo:
        for cc in countries:
            for _ in range(5):
                assert geo.country(demo_address(cc, rng)) == cc
        for cc in ("JP", "US", "CN", "DE"):
            assert geo.country(demo_address(cc, rng, version=6)) == cc
        for ip in ("192.0.2.1", "198.51.100.1", "203.0.113.1", "2001:db8::1"):
            assert geo.country(ip) == UNKNOWN_COUNTRY  # kept out of the demo data on purpose
        assert geo.country("10.0.0.1") == INTERNAL_COUNTRY  # not in the demo data either: private


def test_demo_address_for_a_country_without_demo_data(tmp_path):
    with pytest.raises(FumidaiError, match="no IPv4 networks for 'IS'"):
        demo_address("IS")
