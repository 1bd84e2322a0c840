"""The ISP's own networks are home for every account: built-in reserved ranges and [geoip] internal_networks."""

from __future__ import annotations

import pytest

from fumidai.cli import main
from fumidai.config import settings_from_dict
from fumidai.errors import ConfigError
from fumidai.geo.build import build_from_ranges
from fumidai.geo.countries import country_name
from fumidai.geo.lookup import GeoLookup
from fumidai.policy import INTERNAL_COUNTRY, Engine, Request, UNKNOWN_COUNTRY
from fumidai.policy.engine import AccountState
from fumidai.policy.limits import Cap, Limits, Quota

RANGES = [("133.0.0.0/16", "JP"), ("8.8.8.0/24", "US"), ("203.0.113.0/24", "JP"), ("2400:4050::/32", "JP")]
OPERATOR_NAT_POOL = "198.51.100.0/24"  # not in RANGES: unknown until the operator names it


@pytest.fixture
def db(tmp_path):
    return build_from_ranges(RANGES, tmp_path / "c.mmdb").path


@pytest.mark.parametrize("ip", ["127.0.0.1", "::1", "10.1.2.3", "100.64.0.1", "100.127.255.254", "192.168.1.1",
                                "172.16.0.1", "172.31.255.1", "169.254.10.1", "fe80::1", "fe80::1%eth0", "fd00::1",
                                "::ffff:10.1.2.3", "[192.168.1.1]"])
def test_reserved_ranges_are_internal(db, ip):
    with GeoLookup(db) as geo:
        assert geo.country(ip) == INTERNAL_COUNTRY


@pytest.mark.parametrize("ip", ["100.63.255.255", "100.128.0.1", "172.32.0.1", "192.0.2.1", "2001:db8::1", "fec0::1"])
def test_neighbours_of_the_reserved_ranges_stay_unknown(db, ip):
    with GeoLookup(db) as geo:
        assert geo.country(ip) == UNKNOWN_COUNTRY


def test_public_addresses_are_unchanged(db):
    with GeoLookup(db, internal_networks=[OPERATOR_NAT_POOL]) as geo:
        assert geo.country("133.0.0.1") == "JP"
        assert geo.country("8.8.8.8") == "US"
        assert geo.country("2400:4050::1") == "JP"


def test_operator_networks_are_internal_even_where_the_database_places_them(db):
    with GeoLookup(db) as plain, GeoLookup(db, internal_networks=[OPERATOR_NAT_POOL, "203.0.113.80/28"]) as geo:
        assert plain.country("198.51.100.7") == UNKNOWN_COUNTRY
        assert geo.country("198.51.100.7") == INTERNAL_COUNTRY
        assert plain.country("203.0.113.81") == "JP"
        assert geo.country("203.0.113.81") == INTERNAL_COUNTRY  # the ISP's webmail host in its JP block
        assert geo.country("203.0.113.100") == "JP"


def test_a_database_that_places_a_reserved_range_is_believed(tmp_path):
    """A test rig's database that maps loopback to countries (tests/e2e does) keeps working."""
    path = build_from_ranges([("127.0.2.0/24", "US")], tmp_path / "rig.mmdb").path
    with GeoLookup(path) as geo:
        assert geo.country("127.0.2.5") == "US"
        assert geo.country("127.0.0.1") == INTERNAL_COUNTRY


def test_internal_networks_key_is_validated():
    settings = settings_from_dict({"geoip": {"internal_networks": ["198.51.100.0/24", "2001:db8:1::/48", "203.0.113.5"]}})
    assert settings.geoip.internal_networks == ["198.51.100.0/24", "2001:db8:1::/48", "203.0.113.5/32"]
    with pytest.raises(ConfigError, match=r"geoip\.internal_networks: .*'10\.0\.0\.1/8' is not a network: .*host bits set"):
        settings_from_dict({"geoip": {"internal_networks": ["10.0.0.1/8"]}})
    with pytest.raises(ConfigError, match=r"geoip\.internal_networks: .*'webmail' is not a network"):
        settings_from_dict({"geoip": {"internal_networks": ["webmail"]}})


def _limits(home: str) -> Limits:
    return Limits(account=Quota(), home_countries=frozenset({home}), abroad=Cap(Quota(messages_per_day=1)))


def _send(engine: Engine, state: AccountState, limits: Limits, country: str, now: float) -> str:
    req = Request("alice", "DATA", instance=f"i{now}", recipient_count=1, client_address="x", country=country)
    return engine.decide(req, state, limits, now).action


def test_engine_counts_internal_as_home_for_every_account():
    engine = Engine()
    for home in ("JP", "US"):
        limits = _limits(home)
        assert not engine.is_abroad(INTERNAL_COUNTRY, limits)
        assert engine.is_abroad("CN", limits)
        state, now = AccountState(), 1_000_000.0
        assert _send(engine, state, limits, "CN", now) == "DUNNO"  # the one message from abroad allowed
        assert _send(engine, state, limits, "CN", now + 1).startswith("REJECT")  # the abroad cap
        for i in range(5):  # mail from the internal network flows, and does not fill the abroad cap
            assert _send(engine, state, limits, INTERNAL_COUNTRY, now + 2 + i) == "DUNNO", home


def test_account_with_home_us_from_loopback_is_home(db):
    with GeoLookup(db) as geo:
        assert not Engine().is_abroad(geo.country("127.0.0.1"), _limits("US"))


def test_internal_has_a_name_and_is_no_country():
    assert country_name(INTERNAL_COUNTRY, "en") == "internal network"
    assert country_name(INTERNAL_COUNTRY, "ja") == "内部ネットワーク"
    with pytest.raises(ConfigError, match="not an ISO 3166-1 alpha-2 country code"):
        settings_from_dict({"limits": {"country": {INTERNAL_COUNTRY: {"messages_per_day": 1}}}})


def test_lookup_command_names_internal_and_unknown(db, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("FUMIDAI_CONFIG", raising=False)
    config = tmp_path / "fumidai.toml"
    config.write_text(f'[geoip]\ndatabase = "{db}"\ninternal_networks = ["{OPERATOR_NAT_POOL}"]\n')
    assert main(["geoip", "lookup", "--config", str(config), "133.0.0.1", "127.0.0.1", "198.51.100.7", "192.0.2.1"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "133.0.0.1 JP (Japan)",
        "127.0.0.1 QI (internal network: home for every account)",
        "198.51.100.7 QI (internal network: home for every account)",
        "192.0.2.1 ZZ (unknown: counted as abroad, [geoip] unknown_country)",
    ]
