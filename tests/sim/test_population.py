"""The seeded population: who sends what, from where, and that the plan is reproducible."""

from __future__ import annotations

import ipaddress
from collections import Counter

import pytest

from fumidai.errors import FumidaiError
from fumidai.sim.population import Population, SimConfig, demo_ranges, office_activity


def in_country(address: str, country: str, ranges) -> bool:
    ip = ipaddress.ip_address(address)
    return any(ip in net for net in ranges[country])


def test_same_seed_same_plan_different_seed_different_plan(ranges):
    cfg = SimConfig(accounts=200, rate=10, duration=1800, hijacks=4, seed=7)
    first = Population(cfg, ranges)
    again = Population(cfg, ranges)
    assert first.plan() == again.plan()
    assert first.plan() is first.plan()  # asking twice changes nothing
    assert [a.name for a in first.hijacked] == [a.name for a in again.hijacked]
    assert first.override_accounts == again.override_accounts
    other = Population(SimConfig(accounts=200, rate=10, duration=1800, hijacks=4, seed=8), ranges).plan()
    assert other != first.plan()


def test_plan_is_in_time_order_with_unique_sequence_numbers(ranges):
    plan = Population(SimConfig(accounts=100, rate=10, duration=1800, hijacks=2, seed=3), ranges).plan()
    assert [s.at for s in plan] == sorted(s.at for s in plan)
    assert [s.seq for s in plan] == list(range(len(plan)))
    assert all(0 <= s.at < 1800 and s.recipients for s in plan)


def test_hijack_kinds_look_like_what_they_are(ranges):
    cfg = SimConfig(accounts=300, rate=20, duration=3600, hijacks=4, seed=11)
    pop = Population(cfg, ranges)
    plan = pop.plan()
    assert sorted(a.hijack for a in pop.hijacked) == ["burst", "multi", "proxy", "slow"]
    by_kind: dict[str, list] = {}
    for s in plan:
        by_kind.setdefault(s.kind, []).append(s)
        assert in_country(s.client_address, s.country, ranges), s
    burst, proxy, slow, multi = (by_kind[k] for k in ("burst", "proxy", "slow", "multi"))
    assert all(s.spam for k in ("burst", "proxy", "slow", "multi") for s in by_kind[k])
    assert len(burst) >= 150 and all(s.country != "JP" and len(s.recipients) >= 20 for s in burst)
    assert len({s.country for s in burst}) == 1
    assert len(proxy) >= 150 and all(s.country == "JP" and len(s.recipients) >= 20 for s in proxy)
    # Low and slow: from abroad, under the default 100 an hour in every hour.
    assert all(s.country != "JP" for s in slow)
    assert 20 <= len(slow) < 100
    assert len({s.country for s in multi}) >= 5
    # Honest users send from home, a few recipients each; nobody honest above 30 an hour.
    honest = by_kind["honest"]
    assert not any(s.spam for s in honest)
    assert all(s.country == "JP" for s in honest)
    assert Counter(len(s.recipients) for s in honest).most_common(1)[0][0] == 1
    per_account = Counter(s.account for s in honest)
    assert max(per_account.values()) <= 45  # 30 an hour on average, Poisson noise on top


def test_heavy_senders_and_the_overrides_the_demo_should_give(ranges):
    pop = Population(SimConfig(accounts=1000, rate=20, duration=3600, hijacks=0, seed=5), ranges)
    heavy = [a for a in pop.accounts if a.kind == "heavy"]
    assert len(heavy) == 5
    overrides = pop.override_accounts
    assert set(overrides) < {a.name for a in heavy} and len(overrides) == 3
    assert all(o["messages_per_hour"] > 100 for o in overrides.values())
    sent = Counter(s.account for s in pop.plan() if s.kind == "heavy")
    assert all(sent[a.name] > 100 for a in heavy)  # past the default hourly quota: they need an override


def test_travellers_send_from_abroad(ranges):
    pop = Population(SimConfig(accounts=400, rate=20, duration=3600, hijacks=0, seed=2), ranges)
    travellers = {a.name: a for a in pop.accounts if a.kind == "traveller"}
    assert len(travellers) == 4
    assert all(a.trip[1] == 0 < a.trip[2] for a in travellers.values())  # a trip of a few days from now
    sent = [s for s in pop.plan() if s.kind == "traveller"]
    assert sent and all(s.country == travellers[s.account].trip[0] != "JP" for s in sent)


def test_office_hours_shape_the_honest_traffic(ranges):
    def honest(start):
        cfg = SimConfig(accounts=200, rate=20, duration=3600, hijacks=0, seed=4, start_offset=start)
        return sum(s.kind == "honest" for s in Population(cfg, ranges).plan())

    day, night = honest(10 * 3600), honest(3 * 3600)
    assert 900 < day < 1500  # about 20 a minute at the peak
    assert night < day / 10
    assert office_activity(10) == 1.0 and office_activity(27) == office_activity(3) < 0.1


def test_bad_options_are_clear_errors(ranges):
    with pytest.raises(FumidaiError, match="needs at least 40 accounts"):
        Population(SimConfig(accounts=10, rate=20), ranges)
    with pytest.raises(FumidaiError, match="hijack-kinds"):
        Population(SimConfig(accounts=100, rate=1, hijack_kinds=("nope",)), ranges)
    with pytest.raises(FumidaiError, match="home country"):
        Population(SimConfig(accounts=100, rate=1, home="IS"), ranges)


def test_demo_ranges_come_from_the_demo_geoip_data():
    ranges = demo_ranges()
    assert {"JP", "CN", "RU", "NG", "BR", "US"} <= set(ranges)
    pop = Population(SimConfig(accounts=100, rate=5, duration=1800, hijacks=2, seed=1), ranges)
    assert all(in_country(s.client_address, s.country, ranges) for s in pop.plan())
