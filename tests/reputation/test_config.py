"""[complaints] and [blocklists]: defaults, tables, and bad values named by their key."""

from __future__ import annotations

import pytest

from fumidai.config import load_settings, settings_from_dict
from fumidai.errors import ConfigError


def test_defaults():
    s = settings_from_dict({})
    assert (s.complaints.trace_header, s.complaints.suspend_after, s.complaints.window) == ("X-Fumidai-Trace", 3, 86400.0)
    assert s.complaints.key_retention == 30 * 86400.0
    assert s.blocklists.egress == [] and s.blocklists.nameservers == [] and s.blocklists.interval == 300.0
    zen = s.blocklists.zones[0]
    assert zen.zone == "zen.spamhaus.org" and zen.listed["127.0.0.2"] == "SBL" and zen.delist_url


def test_zone_names_alone_and_tables_and_addresses_normalised():
    b = settings_from_dict({"blocklists": {
        "egress": ["203.0.113.10", "2001:DB8:0::25", "2001:db8::25"],
        "zones": ["Zen.Spamhaus.ORG.", {"zone": "bl.example", "listed": {"127.0.0.2": "X"}, "delist_url": "https://x"}],
        "nameservers": ["127.0.0.1:5353", "[::1]:53", "192.0.2.53"]}}).blocklists
    assert b.egress == ["203.0.113.10", "2001:db8::25"]
    assert [(z.zone, z.listed) for z in b.zones] == [("zen.spamhaus.org", {}), ("bl.example", {"127.0.0.2": "X"})]


def test_environment_overrides():
    s = load_settings(None, {"FUMIDAI_COMPLAINTS__TRACE_HEADER": "", "FUMIDAI_BLOCKLISTS__EGRESS": '["192.0.2.1"]',
                             "FUMIDAI_COMPLAINTS__SUSPEND_AFTER": "5"})
    assert (s.complaints.trace_header, s.complaints.suspend_after, s.blocklists.egress) == ("", 5, ["192.0.2.1"])


@pytest.mark.parametrize("data, message", [
    ({"complaints": {"trace_header": "X Trace"}}, "complaints.trace_header: Value error, must be a header field name"),
    ({"complaints": {"trace_header": "Subject"}}, "complaints.trace_header: Value error, 'Subject' is a standard header"),
    ({"complaints": {"suspend_after": 0}}, "complaints.suspend_after: Input should be greater than or equal to 1"),
    ({"complaints": {"window": -1}}, "complaints.window: Input should be greater than 0"),
    ({"complaints": {"key_retention_days": 0}}, "complaints.key_retention_days: Input should be greater than 0"),
    ({"complaints": {"secret": "x"}}, "complaints.secret: unknown key"),
    ({"blocklists": {"egress": ["203.0.113"]}}, "blocklists.egress: Value error, '203.0.113' is not an IPv4 or IPv6"),
    ({"blocklists": {"zones": ["localhost"]}}, "blocklists.zones.0.zone: Value error, 'localhost' is not a DNS zone"),
    ({"blocklists": {"zones": [{"zone": "a.example", "listed": {"10.0.0.2": "X"}}]}},
     "blocklists.zones.0.listed.'10.0.0.2': blocklist answers are in 127.0.0.0/8"),
    ({"blocklists": {"zones": [{"zone": "a.example", "url": "x"}]}}, "blocklists.zones.0.url: unknown key"),
    ({"blocklists": {"nameservers": ["resolver.example"]}}, "blocklists.nameservers: Value error, 'resolver.example': a name server is an IP"),
    ({"blocklists": {"interval": 1}}, "blocklists.interval: Input should be greater than or equal to 10"),
])
def test_bad_values_name_their_key(data, message):
    with pytest.raises(ConfigError) as err:
        settings_from_dict(data)
    assert message in str(err.value)
