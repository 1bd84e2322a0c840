"""Each signal with its numbers, each tier, permissions, and the words (en, ja, owner)."""

from __future__ import annotations

import pytest

from fumidai.behaviour import (
    NO_PERMISSIONS, Baseline, BehaviourConfig, BehaviourEngine, Cohorts, Permissions, Recent, Signal, Tier, describe,
    describe_for_owner,
)
from fumidai.behaviour.signals import recipient_counts
from fumidai.behaviour.verdict import _OWNER_TEXTS, _TEXTS

from .helpers import DAY, NOW, Account, addresses, fast_and_full, hashes, learn_history

CONTACTS = addresses("friend", 10)  # few enough that a 14-day history knows them all
HOME = "203.0.113.5"


def user(**kw) -> Account:
    a = Account("alice@isp.example")
    learn_history(a.baseline, CONTACTS, **kw)
    return a


def codes(v) -> dict[str, dict]:
    return {r.code: r.numbers for r in v.reasons}


@pytest.fixture
def engine():
    return BehaviourEngine()


def test_ordinary_mail_has_no_signal_and_teaches(engine):
    a = user()
    before = a.baseline.messages
    v = a.send(engine, NOW, HOME, "JP", CONTACTS[:2])
    assert (v.tier, v.score, v.reasons, v.learned) == (Tier.NONE, 0, (), True)
    assert a.baseline.messages == before + 1


def test_new_country_weighs_by_history_and_home(engine):
    a = user()
    v = a.send(engine, NOW, HOME, "NG", ["x@y.example"])
    assert codes(v)["new_country"] == {"country": "NG", "days": 0}
    assert v.reasons[0].weight == engine.cfg.weight_new_country
    # No history: a foreign country weighs less (the abroad cap is there), home not at all.
    fresh = Account("new@isp.example")
    assert fresh.send(engine, NOW, HOME, "NG", ["x@y.example"]).reasons[0].weight == engine.cfg.weight_new_country_no_history
    fresh2 = Account("new2@isp.example")
    assert fresh2.send(engine, NOW, HOME, "JP", ["x@y.example"]).reasons == ()
    # A home country the account never used: mild.
    other_home = BehaviourEngine(home_countries=frozenset({"JP", "KR"}))
    v = user().send(other_home, NOW, HOME, "KR", CONTACTS[:1])
    assert codes(v) == {"new_country": {"country": "KR", "days": 0}}
    assert v.tier is Tier.NONE


def test_new_network_and_known_asn(engine):
    a = user(asn=2516)
    v = a.send(engine, NOW, "198.51.100.9", "JP", CONTACTS[:1], asn=2516)
    assert codes(v)["new_network"] == {"network": "198.51.100.0/24", "days": 0, "asn": 2516}
    assert v.reasons[0].weight == round(engine.cfg.weight_new_network_known_asn * engine.cfg.usual_contacts_discount)
    b = user()
    v = b.send(engine, NOW, "198.51.100.9", "JP", ["stranger@else.example"])
    assert [r.weight for r in v.reasons if r.code == "new_network"] == [engine.cfg.weight_new_network]


def test_several_countries_and_many_addresses_within_an_hour(engine):
    a = user()
    for i, (country, client) in enumerate([("JP", HOME), ("RU", "95.24.1.1"), ("BR", "177.10.2.2"), ("JP", "203.0.113.77")]):
        v = a.send(engine, NOW + i * 60, client, country, CONTACTS[:1])
    assert codes(v)["countries_per_hour"] == {"countries": 3, "list": ["BR", "JP", "RU"]}
    assert codes(v)["addresses_per_hour"] == {"addresses": 4}
    # An hour later it has calmed.
    v = a.send(engine, NOW + 2 * 3600, HOME, "JP", CONTACTS[:1])
    assert v.reasons == ()


def test_new_recipients_share_and_hourly_count(engine):
    a = user()
    v = a.send(engine, NOW, HOME, "JP", [f"n{i}@spam.example" for i in range(29)] + CONTACTS[:1])
    assert codes(v)["new_recipients"] == {"new": 29, "total": 30, "hour_new": 29}
    assert "29 of 30 recipients never written to" in v.describe("en")
    assert "宛先 30 件中 29 件が初めての宛先" in v.describe("ja")
    # Below the share: no signal; a new customer: no signal (everything is new to it).
    assert "new_recipients" not in codes(user().send(engine, NOW, HOME, "JP", CONTACTS[:3] + ["n@x.example"]))
    assert "new_recipients" not in codes(Account("n@isp").send(engine, NOW, HOME, "JP", ["a@b.example"] * 5))


def test_many_domains_in_one_message(engine):
    a = user()
    v = a.send(engine, NOW, HOME, "JP", [f"u@d{i}.example" for i in range(9)])
    assert codes(v)["many_domains"] == {"domains": 9, "new": 9}


def test_volume_far_above_the_accounts_own_busiest_hour(engine):
    a = user()  # three messages a day, one or two an hour
    start = NOW - NOW % 3600  # within one clock hour (clean mail of a closed hour joins the peak)
    usual = a.baseline.usual_hour_messages(start)
    assert 1 <= usual <= 2
    for m in range(12):
        v = a.send(engine, start + m * 60, HOME, "JP", CONTACTS[:1])
    assert codes(v)["volume"] == {"hour": 12, "usual": round(usual)}
    assert v.tier is Tier.WATCH  # volume alone (to usual contacts) is only worth a look


def test_cohort_counts_accounts_new_to_the_network_and_names_the_span(engine):
    stuffed = [user(seed=i) for i in range(4)]
    for i, a in enumerate(stuffed):
        a.name = f"v{i}@isp.example"
        v = a.send(engine, NOW + i * 600, "45.155.205.233", "JP", ["x@y.example"])
    assert codes(v)["cohort"] == {"accounts": 4, "minutes": 30}
    assert "the same address logged in as 4 accounts in 30 min" in v.describe("en")
    assert v.reasons[-1].weight == engine.cfg.weight_cohort + engine.cfg.weight_cohort_step


def test_cohorts_exempt_private_and_configured_networks_and_stay_bounded():
    c = Cohorts(window_s=3600, max_addresses=3, max_accounts=4, exempt=["192.0.2.0/24"])
    for addr in ("10.1.2.3", "127.0.0.1", "::1", "192.0.2.99", "fd00::5", "unknown"):
        for n in range(5):
            assert c.note(0.0, addr, f"a{n}", True) == (0, 0.0)
    for n in range(10):
        count, _ = c.note(float(n), "198.51.100.1", f"a{n}", True)
    assert count == 4 and c.accounts("198.51.100.1") == 4  # per address bound
    for i in range(10):
        c.note(100.0, f"198.51.100.{i + 10}", "x", True)
    assert len(c._by_address) == 3  # address bound
    later, _ = c.note(5000.0, "198.51.100.19", "y", True)
    assert later == 1  # "x" left the window


def test_complaints_hook(engine):
    v = user().send(engine, NOW, HOME, "JP", CONTACTS[:1], complaints=2)
    assert codes(v) == {"complaints": {"complaints": 2}}
    assert v.tier is Tier.HOLD and not v.learned


# -- tiers -------------------------------------------------------------------------------------

def test_tiers_follow_the_configured_scores():
    cfg = BehaviourConfig(weight_complaint=10, watch_score=10, probation_score=20, hold_score=30, suspend_score=40)
    expect = {0: Tier.NONE, 1: Tier.WATCH, 2: Tier.PROBATION, 3: Tier.HOLD, 4: Tier.SUSPEND}
    for complaints, tier in expect.items():
        a = user()
        assert a.send(BehaviourEngine(cfg), NOW, HOME, "JP", CONTACTS[:1], complaints=complaints).tier is tier
    filtering = BehaviourEngine(BehaviourConfig(hold_action="filter"))
    assert user().send(filtering, NOW, HOME, "JP", CONTACTS[:1], complaints=2).tier is Tier.FILTER


def test_probation_spends_its_budget_then_holds_and_calms_down():
    engine = BehaviourEngine(BehaviourConfig(weight_new_recipients_streak=0))  # the budget alone
    a = user()
    spam = [[f"s{m}-{i}@x{i}.example" for i in range(5)] for m in range(8)]
    tiers = [a.send(engine, NOW + m * 1500, "198.51.100.200", "JP", spam[m]).tier for m in range(5)]
    assert tiers[:3] == [Tier.PROBATION] * 3 and tiers[3] is Tier.HOLD
    held = a.verdicts[3]
    assert codes(held)["probation_budget"] == {"sent": 3, "budget": 3}
    assert held.probation
    # Mail to usual contacts still flows while on probation.
    assert a.send(engine, NOW + 5 * 1500, "198.51.100.200", "JP", CONTACTS[:2]).tier is Tier.PROBATION
    # Calm for an hour (nothing scoring that high): probation ends.
    v = a.send(engine, NOW + 5 * 1500 + 3700, HOME, "JP", CONTACTS[:2])
    assert (v.tier, v.probation) == (Tier.NONE, False)


def test_staff_clear_probation(engine):
    a = user()
    a.send(engine, NOW, "198.51.100.200", "JP", [f"s{i}@x{i}.example" for i in range(5)])
    assert a.recent.probation_since
    a.recent.clear_probation()
    v = a.send(engine, NOW + 60, HOME, "JP", CONTACTS[:1])
    assert v.tier is Tier.NONE


def test_trust_waives_signals_until_it_expires(engine):
    a = user()
    a.permissions = Permissions(trust={"new_network": NOW + 3600, "new_recipients": NOW + 3600})
    v = a.send(engine, NOW, "198.51.100.200", "JP", [f"s{i}@x.example" for i in range(5)])
    assert "new_network" not in codes(v) and "new_recipients" not in codes(v)
    v = a.send(engine, NOW + 7200, "198.51.100.200", "JP", [f"t{i}@x.example" for i in range(5)])
    assert "new_network" in codes(v)
    everything = user()
    everything.permissions = Permissions(trust={"*": NOW + 60})
    assert everything.send(engine, NOW, "95.24.1.1", "RU", ["a@b.example"] * 3).reasons == ()


def test_travel_permission_covers_only_its_countries_and_time(engine):
    a = user()
    a.permissions = Permissions(travel={"FR": NOW + DAY})
    assert "new_country" not in codes(a.send(engine, NOW, "192.0.2.4", "FR", ["h@hotel.example"]))
    assert "new_country" in codes(a.send(engine, NOW + 60, "192.0.2.4", "IT", ["h@hotel.example"]))
    late = user()
    late.permissions = Permissions(travel={"FR": NOW})
    assert "new_country" in codes(late.send(engine, NOW, "192.0.2.4", "FR", ["h@hotel.example"]))
    assert Permissions(travel={"FR": NOW}, trust={"*": NOW + 1}).active(NOW) == Permissions(trust={"*": NOW + 1})


def test_recent_is_bounded_and_idle_after_an_hour():
    r = Recent()
    for i in range(1000):
        r.expire(float(i))
        r.note(float(i), "JP", f"10.0.{i % 300}.1", 1)
    assert len(r.entries) <= 256 and r.messages == len(r.entries) and sum(r.addresses.values()) == r.messages
    assert r.idle(5000.0)


# -- words ----------------------------------------------------------------------------------

EXAMPLES = {
    "new_country": {"country": "NG", "days": 0},
    "new_network": {"network": "198.51.100.0/24", "days": 0, "asn": 64500},
    "countries_per_hour": {"countries": 3, "list": ["BR", "JP", "RU"]},
    "addresses_per_hour": {"addresses": 6},
    "new_recipients": {"new": 29, "total": 30, "hour_new": 40},
    "many_domains": {"domains": 12, "new": 10},
    "volume": {"hour": 80, "usual": 4},
    "cohort": {"accounts": 8, "minutes": 40},
    "complaints": {"complaints": 1},
    "probation_budget": {"sent": 3, "budget": 3},
}


def test_every_reason_has_words_in_both_languages_for_staff_and_owner():
    assert set(EXAMPLES) == set(_TEXTS) == set(_OWNER_TEXTS)
    for code, numbers in EXAMPLES.items():
        s = Signal(code, 10, numbers)
        en, ja = describe(s, "en"), describe(s, "ja")
        assert en and ja and en != ja and en != code
        assert any("\u3040" <= ch <= "\u9fff" for ch in ja)
        assert describe(s.as_dict(), "ja-JP") == ja  # as stored with an alert
        owner_en, owner_ja = describe_for_owner(s, "en"), describe_for_owner(s, "ja")
        for internal in ("198.51.100", "AS64500", "45.155", "29", "80", " 8 "):
            assert internal not in owner_en and internal not in owner_ja
    assert describe(Signal("new_country", 1, {"country": "NG", "days": 0}), "en") == "first mail ever from NG"
    assert describe({"code": "cohort", "accounts": 8, "minutes": 40}, "en") == "the same address logged in as 8 accounts in 40 min"
    assert describe({"code": "from_the_future"}, "en") == "from_the_future"
    assert describe({"code": "volume"}, "en") == "volume"  # numbers missing: the code, never a crash
    assert describe_for_owner({"code": "from_the_future"}, "ja") == "不審な送信が検知されました"


# -- the fast path ---------------------------------------------------------------------------

from hypothesis import example, given, settings, strategies as st  # noqa: E402

_places = [("JP", HOME), ("JP", "203.0.113.90"), ("JP", "198.51.100.3"), ("FR", "192.0.2.4"), ("NG", "102.89.1.7")]
_people = CONTACTS + [f"stranger{i}@else.example" for i in range(5)]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.lists(st.sampled_from(_people), min_size=1, max_size=4),
                          st.floats(1, 900), st.integers(0, 1)), min_size=1, max_size=30))
def test_the_fast_path_gives_the_same_answers_as_the_full_one(messages):
    fast, full = BehaviourEngine(), BehaviourEngine()
    full.fast_path = False
    a, b = user(), user()
    t = NOW
    for place, rcpts, gap, complaints in messages:
        t += gap
        country, client = _places[place]
        va = a.send(fast, t, client, country, rcpts, complaints=complaints)
        vb = b.send(full, t, client, country, rcpts, complaints=complaints)
        assert va == vb
    assert a.baseline == b.baseline


_new_places = [("JP", HOME), ("JP", HOME), ("JP", "203.0.113.90"), ("ZZ", "192.0.2.200"), ("FR", "192.0.2.4"),
               ("JP", "198.51.100.3"), ("JP", "198.51.100.4")]
_many_domains = [f"x{i}@d{i}.example" for i in range(10)]
_configs = [BehaviourConfig(), BehaviourConfig(watch_score=0, probation_score=0),
            BehaviourConfig(weight_volume=60), BehaviourConfig(weight_volume=0, volume_floor_messages=2),
            BehaviourConfig(long_used_days=1, familiar_after_days=1, countries_per_hour=1)]


_stranger = [_people[-1]]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(range(len(_configs))), st.integers(0, 4), st.sampled_from([None, "travel", "trust"]),
       st.lists(st.tuples(st.sampled_from([0] * 4 + list(range(len(_new_places)))),  # mostly from home
                          st.one_of(st.lists(st.sampled_from(_people[:3]), min_size=1, max_size=3),
                                    st.lists(st.sampled_from(_people), min_size=1, max_size=3), st.just(_many_domains)),
                          st.sampled_from([0.5, 5.0, 60.0, 900.0, 3700.0, DAY]), st.sampled_from([0] * 9 + [1]),
                          st.sampled_from([1, 1, 2, 5, 12])),  # sent this many times, a second apart
                min_size=1, max_size=30))
@example(0, 0, None, [(4, _stranger, DAY, 0, 2)])  # abroad, alone in its hour
@example(0, 0, None, [(0, _people[:1], 1.0, 0, 12), (0, _stranger, 1.0, 0, 1)])  # a stranger in a burst: not learned
@example(0, 0, None, [(0, _people[:1], 1.0, 0, 1), (2, _people[:1], 1.0, 0, 1), (5, _people[:1], 1.0, 0, 1),
                      (6, _people[:1], 1.0, 0, 2)])  # four addresses in the hour
@example(0, 0, "trust", [(0, _people[:1], 1.0, 0, 12)])  # volume waived
@example(4, 0, None, [(0, _people[:1], 1.0, 0, 2)])  # countries_per_hour = 1
def test_an_account_without_history_is_judged_by_the_fast_path_as_by_the_full_one(config, past_days, permission, messages):
    # New customers (and every account of an installation that imported no log): bursts past the
    # volume floor, abroad, several addresses, many domains, strangers, complaints, permissions,
    # odd configs; up to four days of one message each first (history needs five messages).
    (a, fast), (b, full) = pair = fast_and_full(_configs[config])
    t = NOW - past_days * DAY
    for acct, engine in pair:
        for d in range(past_days):
            acct.send(engine, t + d * DAY, HOME, "JP", CONTACTS[:1])
        acct.permissions = {"travel": Permissions(travel={"FR": NOW + DAY}),
                            "trust": Permissions(trust={"volume": NOW + DAY})}.get(permission, NO_PERMISSIONS)
    for place, rcpts, gap, complaints, times in messages:
        t += gap
        country, client = _new_places[place]
        for _ in range(times):
            t += 1.0
            va = a.send(fast, t, client, country, rcpts, complaints=complaints)
            vb = b.send(full, t, client, country, rcpts, complaints=complaints)
            assert va == vb
            assert a.baseline == b.baseline
            assert (a.recent.streak, a.recent.messages, a.recent.probation_since) == (
                b.recent.streak, b.recent.messages, b.recent.probation_since)


def test_a_new_customers_burst_from_home_is_watched_for_volume_alone_by_either_path():
    (a, _), (b, _) = pair = fast_and_full()
    for acct, engine in pair:
        for i in range(40):
            acct.send(engine, NOW + i * 10, HOME, "JP", CONTACTS[:1 + i % 3])
    assert a.verdicts == b.verdicts and a.baseline == b.baseline
    assert [v.tier for v in a.verdicts[:10]] == [Tier.NONE] * 10  # volume_floor_messages; no usual hour yet
    assert {r.code for v in a.verdicts[10:] for r in v.reasons} == {"volume"}
    assert a.verdicts[-1].reasons[0].numbers == {"hour": 40, "usual": 0} and a.verdicts[-1].tier is Tier.WATCH


def test_the_fast_path_vouches_only_as_the_full_one_does_for_an_account_without_history():
    # Two messages on two days: the country and network are familiar, the contact is known,
    # but two messages are no history: usual contacts vouch for nothing yet (vouches()).
    fast, full = BehaviourEngine(), BehaviourEngine()
    full.fast_path = False
    a, b = Account("a"), Account("b")
    for acct, engine in ((a, fast), (b, full)):
        for day in range(3):
            acct.send(engine, NOW + day * DAY, HOME, "JP", ["friend@example.jp"])
    assert a.verdicts == b.verdicts
    assert not a.baseline.has_history() and not a.verdicts[-1].vouched


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=0, max_size=30), st.integers(0, 45))
def test_recipient_counts_of_one_recipient_match_the_general_case(known, one):
    b = Baseline()
    cfg = BehaviourConfig(correspondents_per_generation=8, domains_per_generation=4)
    for k in known:  # a small generation size: both generations get used
        b.learn(NOW, None, "JP", None, hashes([f"p{k}@d{k % 7}.example"]), cfg)
    r = hashes([f"p{one}@d{one % 7}.example"])[0]
    assert recipient_counts(b, (r,)) == recipient_counts(b, (r, r))


def test_a_busy_account_within_its_usual_hour_is_judged_as_the_full_path_judges_it():
    # Past volume_floor_messages in an hour, but within its usual busiest hour: the fast path
    # compares with the baseline's peak as the full path's volume signal does.
    fast, full = BehaviourEngine(), BehaviourEngine()
    full.fast_path = False
    a, b = user(), user()
    for acct, engine in ((a, fast), (b, full)):
        for day in range(1, 4):  # three busy days: ~40 an hour is usual
            for i in range(40):
                acct.send(engine, NOW + day * DAY + i * 60, HOME, "JP", CONTACTS[:2])
        for i in range(60):  # today 60 in an hour: within 3x the usual; then a burst past it
            acct.send(engine, NOW + 4 * DAY + i * 50, HOME, "JP", CONTACTS[:2])
        for i in range(200):
            acct.send(engine, NOW + 4 * DAY + 3000 + i, HOME, "JP", CONTACTS[:2])
    assert a.verdicts == b.verdicts
    assert a.baseline == b.baseline
    assert any(r.code == "volume" for v in a.verdicts for r in v.reasons)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=0, max_size=30), st.lists(st.integers(0, 60), min_size=1, max_size=20))
def test_recipient_counts_match_a_plain_count(known, message):
    b = Baseline()
    cfg = BehaviourConfig(correspondents_per_generation=8, domains_per_generation=4)
    for k in known:
        b.learn(NOW, None, "JP", None, hashes([f"p{k}@d{k % 7}.example"]), cfg)
    rs = hashes([f"p{m}@d{m % 7}.example" for m in message])
    distinct = set(rs)
    domains = {r >> 32 for r in distinct}
    new = sum(1 for r in distinct if not b.knows(r))
    new_domains = sum(1 for d in domains if not b.knows_domain(d << 32))
    current = (all(r & 0xFFFFFFFF in b.correspondents for r in distinct)
               and all(d in b.domains for d in domains))
    assert recipient_counts(b, rs) == (len(distinct), new, len(domains), new_domains, current)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.lists(st.integers(0, 30), min_size=0, max_size=4)), max_size=40))
def test_known_counts_answer_as_recipient_counts_through_rotations(steps):
    from fumidai.behaviour.signals import known_counts

    b, recent = Baseline(), Recent()
    cfg = BehaviourConfig(correspondents_per_generation=6, domains_per_generation=3)  # rotations often
    for learn, people in steps:
        rs = hashes([f"p{k}@d{k % 5}.example" for k in people])
        assert known_counts(b, rs, recent) == recipient_counts(b, rs)
        if learn and rs:
            b.learn(NOW, None, "JP", None, rs, cfg)
        if learn and not people:  # now and then the baseline comes back from bytes (new arrays)
            b = Baseline.from_bytes(b.to_bytes())
