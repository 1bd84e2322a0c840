"""Every kind of account in the default scenario, each behaving as its name says, and its history
continuing into the live traffic."""

from __future__ import annotations

import ipaddress
from collections import Counter, defaultdict

import pytest

from fumidai.sim.kinds import HIJACK_KINDS, HONEST_KINDS
from fumidai.sim.population import Population, SimConfig, demo_ranges


@pytest.fixture(scope="module")
def default_population():
    return Population(SimConfig(seed=3), demo_ranges())


@pytest.fixture(scope="module")
def history(default_population):
    """The last three days of history (the whole 14 take a while; the process is the same)."""
    return [item for day in default_population.history(3) for item in day]


def in_networks(address: str, networks) -> bool:
    ip = ipaddress.ip_address(address)
    return any(ip in net for _, net in networks)


def test_same_seed_same_population_plan_and_history():
    cfg = SimConfig(accounts=300, rate=10, seed=9)
    a, b = Population(cfg, demo_ranges()), Population(cfg, demo_ranges())
    assert a.accounts == b.accounts and a.plan() == b.plan()
    assert list(b.history(1)) == list(a.history(1))  # history before or after the plan: the same
    assert Population(SimConfig(accounts=300, rate=10, seed=10), demo_ranges()).plan() != a.plan()


def test_the_default_scenario_has_every_kind(default_population):
    pop = default_population
    accounts = Counter(a.kind for a in pop.accounts)
    assert all(accounts[kind] >= 3 for kind in HONEST_KINDS), accounts  # several of each honest kind
    assert sorted({a.hijack for a in pop.hijacked}) == sorted(HIJACK_KINDS)
    sent = Counter(s.kind for s in pop.plan())
    assert all(sent[kind] > 0 for kind in (*HONEST_KINDS, *HIJACK_KINDS)), sent


def test_spam_never_goes_to_the_owners_contacts(default_population):
    pop = default_population
    contacts = {a.name: set(a.contacts) for a in pop.accounts}
    spam = [s for s in pop.plan() if s.spam]
    assert spam
    for s in spam:
        assert not contacts[s.account] & set(s.recipients), s
    # and honest mail only goes to the owner's contacts (a list's members for bulk senders)
    assert all(set(s.recipients) <= contacts[s.account] for s in pop.plan() if not s.spam)


def test_honest_live_traffic_uses_the_networks_and_contacts_of_its_history(default_population, history):
    pop = default_population
    by_name = {a.name: a for a in pop.accounts}
    past_rcpts, past_nets = defaultdict(set), defaultdict(set)
    for at, f in history:
        acc = by_name[f["account"]]
        assert acc.has_history and not f["spam"] and at < 0
        traveling = acc.trip and acc.trip[1] <= at
        assert in_networks(f["client_address"], ((None, acc.trip_network),) if traveling else acc.networks), f
        past_rcpts[acc.name].update(f["recipients"])
        past_nets[acc.name].add(f["client_address"].rsplit(".", 1)[0])
    known = total = 0
    for s in pop.plan():
        acc = by_name[s.account]
        if s.spam or acc.kind == "traveller":
            continue
        assert in_networks(s.client_address, acc.networks), s  # dynamic addresses stay in the usual /24s
        if acc.kind in ("honest", "relay", "vpn"):
            total += len(s.recipients)
            known += len(set(s.recipients) & past_rcpts[acc.name])
    assert known / total > 0.6, (known, total)  # most live mail goes to people written to before


def test_kinds_look_like_what_they_are(default_population, history):
    pop = default_population
    home = pop.config.home
    plan = pop.plan()
    kinds = defaultdict(list)
    for s in plan:
        kinds[s.kind].append(s)
    past = defaultdict(list)
    for at, f in history:
        past[f["kind"]].append(f)
    # relays: always through one provider network abroad, in the past and now
    for kind in ("relay",):
        for f in [*past[kind], *(vars_of(s) for s in kinds[kind])]:
            assert f["country"] == "US"
    # VPN users: several countries, none of them home
    vpn_countries = defaultdict(set)
    for f in past["vpn"]:
        vpn_countries[f["account"]].add(f["country"])
    assert max(len(c) for c in vpn_countries.values()) >= 2 and not any(home in c for c in vpn_countries.values())
    # travellers: at home in the past, abroad now
    travellers = {a.name: a for a in pop.accounts if a.kind == "traveller"}
    assert all(a.trip[1] == 0 < a.trip[2] for a in travellers.values())
    assert past["traveller"] and all(f["country"] == home for f in past["traveller"])
    assert kinds["traveller"] and all(s.country == travellers[s.account].trip[0] != home for s in kinds["traveller"])
    # newsletters: the same list in the past as now, 50 a message
    lists = defaultdict(set)
    for f in past["newsletter"]:
        lists[f["account"]].update(f["recipients"])
    for s in kinds["newsletter"]:
        assert set(s.recipients) <= lists[s.account] and len(s.recipients) <= 50
    # new customers: no history, at home now
    assert not past["new"] and all(s.country == home for s in kinds["new"])


def vars_of(s) -> dict:
    return {"country": s.country, "account": s.account}


def test_the_new_hijacks(default_population):
    pop = default_population
    by_name = {a.name: a for a in pop.accounts}
    spam = defaultdict(list)
    for s in pop.plan():
        if s.spam:
            spam[s.kind].append(s)
    cohort = spam["cohort"]
    members = {a.name for a in pop.accounts if a.hijack == "cohort"}
    assert 5 <= len(members) <= 10 and {s.hijack for s in cohort} == {by_name[next(iter(members))].hijack_id}
    assert len({s.client_address for s in cohort}) == 1  # one address logs in as them all
    assert all(s.country != pop.config.home for s in cohort)
    assert len(cohort) <= 3 * len(members)  # about two an hour each
    mimic = spam["mimic"]
    (owner,) = [a for a in pop.accounts if a.hijack == "mimic"]
    assert mimic and all(s.country == pop.config.home for s in mimic)
    assert not any(in_networks(s.client_address, owner.networks) for s in mimic)  # a network the owner never used
    pace = owner.weight * pop.config.rate * 60
    assert len(mimic) <= max(2 * pace, 6)  # within the owner's usual volume
    assert max(len(s.recipients) for s in mimic) <= 3
