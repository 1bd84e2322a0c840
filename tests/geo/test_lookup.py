"""GeoLookup over databases we build and over other vendors' record shapes."""

from __future__ import annotations

import geoip2.database
import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from fumidai.errors import FumidaiError
from fumidai.geo.build import build_from_ranges
from fumidai.geo.lookup import GeoLookup
from fumidai.policy import INTERNAL_COUNTRY, UNKNOWN_COUNTRY

RANGES = [
    ("133.0.0.0/16", "JP"),
    ("8.8.8.0/24", "us"),  # lower case is accepted
    ("1.0.0.0-1.0.2.255", "CN"),  # a range that is not one CIDR block
    ("2400:4050::/32", "JP"),
    ("2001:4860::-2001:4860:0:ffff:ffff:ffff:ffff:ffff", "US"),
]


@pytest.fixture
def db(tmp_path):
    return build_from_ranges(RANGES, tmp_path / "c.mmdb").path


def write_raw(path, records, *, database_type="Test", ip_version=6):
    """An .mmdb with arbitrary records: the shapes other vendors use."""
    writer = MMDBWriter(ip_version=ip_version, ipv4_compatible=ip_version == 6, database_type=database_type)
    for network, record in records.items():
        writer.insert_network(IPSet([network]), record)
    writer.to_db_file(str(path))
    return path


def test_built_database_reads_with_geolookup_and_geoip2(db):
    with GeoLookup(db) as geo:
        assert geo.database_type == "GeoLite2-Country"
        assert geo.country("133.0.200.1") == "JP"
        assert geo.country("8.8.8.8") == "US"
        assert geo.country("1.0.2.255") == "CN"
        assert geo.country("1.0.3.0") == UNKNOWN_COUNTRY
    with geoip2.database.Reader(str(db)) as reader:
        answer = reader.country("133.0.1.2")
        assert answer.country.iso_code == "JP"
        assert answer.country.names == {"en": "Japan", "ja": "日本"}
        assert reader.country("2001:4860::8888").country.iso_code == "US"


def test_ipv6(db):
    with GeoLookup(db) as geo:
        assert geo.country("2400:4050:1234::1") == "JP"
        assert geo.country("2001:4860:0:ffff::1") == "US"
        assert geo.country("2001:4860:1::1") == UNKNOWN_COUNTRY
        assert geo.country("2001:db8::1") == UNKNOWN_COUNTRY


def test_unknown_address_is_zz(db):
    with GeoLookup(db) as geo:
        for ip in ("192.0.2.1", "198.51.100.7", "0.0.0.0", "255.255.255.255", "2001:db8::1", "::"):
            assert geo.country(ip) == UNKNOWN_COUNTRY, ip


@pytest.mark.parametrize("garbage", [
    "unknown", "", " ", "133.0.0", "133.0.0.256", "133.0.0.1/24", "::g", "1.2.3.4.5",
    "x" * 5000, "\x00", "日本", "0x85.0.0.1", "133.000.0.1", "2400:4050::1::2",
])
def test_garbage_input_is_zz_not_an_exception(db, garbage):
    with GeoLookup(db) as geo:
        assert geo.country(garbage) == UNKNOWN_COUNTRY


@pytest.mark.parametrize("spelling", ["::ffff:133.0.0.9", "[133.0.0.9]", " 133.0.0.9 ", "133.0.0.9\n"])
def test_other_spellings_of_an_ipv4_address_are_placed(db, spelling):
    with GeoLookup(db) as geo:
        assert geo.country(spelling) == "JP"


def test_ipv6_with_zone_is_looked_up_without_it(db):
    with GeoLookup(db) as geo:
        assert geo.country("2400:4050::1%eth0") == "JP"
        assert geo.country("fe80::1%eth0") == INTERNAL_COUNTRY


def test_cached_answers_stay_right_and_cache_can_be_off(db):
    with GeoLookup(db, cache_size=2) as small, GeoLookup(db, cache_size=0) as off:
        for _ in range(3):  # more addresses than the cache holds, repeatedly
            for ip, cc in (("133.0.0.1", "JP"), ("8.8.8.8", "US"), ("1.0.0.1", "CN"), ("unknown", "ZZ")):
                assert small.country(ip) == cc
                assert off.country(ip) == cc


def test_ipinfo_lite_shape(tmp_path):
    path = write_raw(tmp_path / "ipinfo_lite.mmdb", {
        "203.0.113.0/24": {"asn": "AS64500", "as_name": "Example", "country": "Japan",
                           "country_code": "JP", "continent": "Asia", "continent_code": "AS"},
        "198.51.100.0/24": {"country_code": "", "country": ""},
    }, database_type="ipinfo lite.mmdb")
    with GeoLookup(path) as geo:
        assert geo.country("203.0.113.7") == "JP"
        assert geo.country("198.51.100.7") == UNKNOWN_COUNTRY


def test_registered_country_is_the_fallback_and_regions_are_unknown(tmp_path):
    path = write_raw(tmp_path / "dbip.mmdb", {
        "203.0.113.0/24": {"continent": {"code": "EU"}, "registered_country": {"iso_code": "DE"}},
        "198.51.100.0/24": {"country": {"iso_code": "FR"}, "registered_country": {"iso_code": "DE"}},
        "192.0.2.0/25": {"country": {"iso_code": "EU"}},  # a region code, not a country
        "192.0.2.128/25": {"country": {"iso_code": "EU"}, "registered_country": {"iso_code": "NL"}},
    }, database_type="DBIP-Country-Lite")
    with GeoLookup(path) as geo:
        assert geo.country("203.0.113.1") == "DE"
        assert geo.country("198.51.100.1") == "FR"
        assert geo.country("192.0.2.1") == UNKNOWN_COUNTRY
        assert geo.country("192.0.2.200") == "NL"


def test_ipv4_only_database_answers_zz_for_ipv6(tmp_path):
    path = write_raw(tmp_path / "v4.mmdb", {"203.0.113.0/24": {"country": {"iso_code": "KR"}}}, ip_version=4)
    with GeoLookup(path) as geo:
        assert geo.country("203.0.113.1") == "KR"
        assert geo.country("2001:db8::1") == UNKNOWN_COUNTRY


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(FumidaiError, match=r"nope\.mmdb does not exist: build one with `fumidai geoip build --demo"):
        GeoLookup(tmp_path / "nope.mmdb")


def test_text_file_is_a_clear_error(tmp_path):
    path = tmp_path / "GeoLite2-Country.mmdb"
    path.write_text("<html>404 Not Found</html>\n")
    with pytest.raises(FumidaiError, match=r"GeoLite2-Country\.mmdb is not a MaxMind-format \(\.mmdb\) file"):
        GeoLookup(path)


def test_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FumidaiError, match=str(tmp_path)):
        GeoLookup(tmp_path)


def test_asn_database_is_refused(tmp_path):
    path = write_raw(tmp_path / "asn.mmdb", {"203.0.113.0/24": {"autonomous_system_number": 64500}},
                     database_type="GeoLite2-ASN")
    with pytest.raises(FumidaiError, match="GeoLite2-ASN database with no countries"):
        GeoLookup(path)


def test_closed_lookup_answers_zz(db):
    geo = GeoLookup(db)
    assert geo.country("133.0.0.1") == "JP"
    geo.close()
    assert geo.country("133.0.0.1") == UNKNOWN_COUNTRY
