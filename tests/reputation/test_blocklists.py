"""The egress blocklist monitor against a real DNS server on loopback (dnslib, UDP)."""

from __future__ import annotations

import asyncio

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from fumidai.config import settings_from_dict
from fumidai.reputation.blocklists import (BlocklistMonitor, Observation, Status, ZoneState, query_name,
                                            register_metrics, transition)

from ..conftest import free_port
from fumidai.sim.dnsbl import LISTED, NXDOMAIN, SERVFAIL, TIMEOUT, Behaviour, dnsbl_server

EGRESS = ["203.0.113.10", "2001:db8::25"]
ZEN = {"zone": "zen.test", "listed": {"127.0.0.2": "SBL", "127.0.0.4": "XBL"}, "delist_url": "https://check.test/"}


def _settings(port: int, zones=None, timeout=0.5):
    return settings_from_dict({"blocklists": {
        "egress": EGRESS, "zones": zones or [ZEN, "plain.test"], "nameservers": [f"127.0.0.1:{port}"],
        "timeout": timeout}}).blocklists


@pytest.fixture
def dnsbl():
    port = free_port()
    with dnsbl_server(port) as resolver:
        yield port, resolver


def test_query_names_reverse_ipv4_octets_and_ipv6_nibbles():
    assert query_name("203.0.113.10", "zen.test") == "10.113.0.203.zen.test."
    assert query_name("2001:db8::25", "zen.test") == (
        "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.test.")


def test_listed_not_listed_refused_servfail_and_timeout(dnsbl):
    port, server = dnsbl
    v4, v6 = "10.113.0.203", query_name("2001:db8::25", "x")[: -len(".x.")]
    server.table[f"{v4}.zen.test"] = LISTED("127.0.0.2", "Listed in SBL, see https://check.test/sbl")
    server.table[f"{v6}.zen.test"] = Behaviour(["127.255.255.254"])  # through a public resolver
    server.table[f"{v4}.plain.test"] = SERVFAIL
    server.table[f"{v6}.plain.test"] = TIMEOUT
    monitor = BlocklistMonitor(_settings(port), clock=lambda: 1000.0)
    events = asyncio.run(monitor.probe_round())
    st = monitor.states
    assert st[("203.0.113.10", "zen.test")].status == "listed"
    assert st[("203.0.113.10", "zen.test")].meaning == "SBL"
    assert st[("203.0.113.10", "zen.test")].txt == "Listed in SBL, see https://check.test/sbl"
    refused = st[("2001:db8::25", "zen.test")]
    assert refused.status == "error" and refused.listed is None  # never "listed"
    assert "public or open resolvers" in refused.error and "nameservers" in refused.error
    assert st[("203.0.113.10", "plain.test")].status == "error"
    assert "SERVFAIL" in st[("203.0.113.10", "plain.test")].error
    assert "no answer within 0.5 s" in st[("2001:db8::25", "plain.test")].error
    kinds = sorted((e.after.egress, e.after.zone, e.kind) for e in events)
    assert kinds == [("2001:db8::25", "plain.test", "error"), ("2001:db8::25", "zen.test", "error"),
                     ("203.0.113.10", "plain.test", "error"), ("203.0.113.10", "zen.test", "listed")]
    listed_event = next(e for e in events if e.kind == "listed")
    assert listed_event.delist_url == "https://check.test/"


def test_nxdomain_is_not_listed_and_a_delisting_and_recovery_are_events(dnsbl):
    port, server = dnsbl
    name = "10.113.0.203.plain.test"
    now = [100.0]
    monitor = BlocklistMonitor(_settings(port, zones=["plain.test"]), clock=lambda: now[0])
    assert asyncio.run(monitor.probe_round()) == []  # first look, not listed: nothing to say
    assert monitor.states[("203.0.113.10", "plain.test")].status == "not_listed"
    server.table[name] = LISTED("127.0.0.3", "spam seen")
    now[0] = 400.0
    events = asyncio.run(monitor.probe_round())
    assert [(e.after.egress, e.kind) for e in events] == [("203.0.113.10", "listed")]
    state = monitor.states[("203.0.113.10", "plain.test")]
    assert (state.since, state.meaning, state.txt) == (400.0, None, "spam seen")  # a name alone: no table
    server.table[name] = TIMEOUT
    now[0] = 700.0
    assert [e.kind for e in asyncio.run(monitor.probe_round()) if e.after.egress == "203.0.113.10"] == ["error"]
    assert monitor.states[("203.0.113.10", "plain.test")].listed is True  # the error forgets nothing
    server.table[name] = NXDOMAIN
    now[0] = 1000.0
    events = [e.kind for e in asyncio.run(monitor.probe_round()) if e.after.egress == "203.0.113.10"]
    assert events == ["recovered", "delisted"]
    assert monitor.states[("203.0.113.10", "plain.test")].since == 1000.0


def test_answers_outside_loopback_and_unknown_refusals_are_errors(dnsbl):
    port, server = dnsbl
    server.table["10.113.0.203.plain.test"] = Behaviour(["198.51.100.1"])  # a resolver that rewrites NXDOMAIN
    server.table["10.113.0.203.zen.test"] = Behaviour(["127.255.255.1"])
    monitor = BlocklistMonitor(_settings(port), clock=lambda: 5.0)
    asyncio.run(monitor.probe_round())
    assert "outside 127.0.0.0/8" in monitor.states[("203.0.113.10", "plain.test")].error
    assert "error code (127.255.255.1)" in monitor.states[("203.0.113.10", "zen.test")].error


def test_an_empty_answer_is_not_listed(dnsbl):
    port, server = dnsbl
    server.table["10.113.0.203.plain.test"] = Behaviour([])  # NOERROR without records (NODATA)
    monitor = BlocklistMonitor(_settings(port, zones=["plain.test"]))
    asyncio.run(monitor.probe_round())
    assert monitor.states[("203.0.113.10", "plain.test")].status == "not_listed"
    assert ("10.113.0.203.plain.test", "A") in server.queries
    assert ("10.113.0.203.plain.test", "TXT") not in server.queries  # TXT is asked only for a listing


def test_a_code_missing_from_the_zone_table_is_still_a_listing(dnsbl):
    port, server = dnsbl
    server.table["10.113.0.203.zen.test"] = LISTED("127.0.0.9")
    monitor = BlocklistMonitor(_settings(port, zones=[ZEN]))
    asyncio.run(monitor.probe_round())
    assert monitor.states[("203.0.113.10", "zen.test")].meaning == "code 127.0.0.9"


def test_the_loop_runs_rounds_and_stops_and_hands_each_round_to_the_callback(dnsbl):
    port, server = dnsbl
    server.table["10.113.0.203.plain.test"] = LISTED()
    rounds = []

    async def store(states, events):
        rounds.append((len(states), [e.kind for e in events]))
        raise RuntimeError("database down")  # logged; the monitor goes on

    settings = _settings(port, zones=["plain.test"]).model_copy(update={"interval": 0.05})

    async def main():
        monitor = BlocklistMonitor(settings, on_round=store)
        monitor.start()
        for _ in range(200):
            if monitor.rounds >= 2:
                break
            await asyncio.sleep(0.05)
        await monitor.stop()
        return monitor

    monitor = asyncio.run(main())
    assert monitor.rounds >= 2 and monitor._task is None
    assert rounds[0] == (2, ["listed"]) and rounds[1] == (2, [])


def test_prometheus_gauges(dnsbl):
    port, server = dnsbl
    server.table["10.113.0.203.plain.test"] = LISTED()
    server.table[query_name("2001:db8::25", "plain.test").rstrip(".")] = SERVFAIL
    monitor = BlocklistMonitor(_settings(port, zones=["plain.test"]), clock=lambda: 1234.0)
    asyncio.run(monitor.probe_round())
    registry = CollectorRegistry()
    register_metrics(registry, monitor)
    text = generate_latest(registry).decode()
    assert 'fumidai_blocklist_listed{egress="203.0.113.10",zone="plain.test"} 1.0' in text
    assert 'fumidai_blocklist_listed{egress="2001:db8::25",zone="plain.test"} 0.0' in text
    assert 'fumidai_blocklist_error{egress="2001:db8::25",zone="plain.test"} 1.0' in text
    assert 'fumidai_blocklist_since_timestamp_seconds{egress="203.0.113.10",zone="plain.test"} 1234.0' in text


def _obs(status, **kw):
    return Observation("203.0.113.10", "z.test", Status(status), **kw)


@pytest.mark.parametrize(
    "path, events",
    [
        (["not_listed", "not_listed"], [[], []]),
        (["listed", "listed"], [["listed"], []]),
        (["not_listed", "listed", "not_listed"], [[], ["listed"], ["delisted"]]),
        (["error", "error", "not_listed"], [["error"], [], ["recovered"]]),
        (["error", "listed"], [["error"], ["recovered", "listed"]]),
        (["listed", "error", "listed"], [["listed"], ["error"], ["recovered"]]),
    ],
)
def test_transitions(path, events):
    state: ZoneState | None = None
    seen = []
    for t, status in enumerate(path):
        state, evs = transition(state, _obs(status, error="boom" if status == "error" else None), float(t))
        seen.append([e.kind for e in evs])
    assert seen == events
