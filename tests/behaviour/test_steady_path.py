"""The steady path (a message from where the last one came from, in the same hour) decides and
learns exactly as the full path does: same verdicts, same baselines, same last hour.

Beside the account's own messages the sequences interleave what else touches a live baseline
on a node: another node's learning (``SharedBehaviour.apply_learn`` calls ``Baseline.learn``
on the same object, possibly from another country or network, or a moment earlier or later),
a reload of the baseline from its bytes (a new object), and complaints.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from fumidai.behaviour import Baseline, BehaviourConfig, BehaviourEngine, network_of

from .helpers import DAY, NOW, Account, addresses, fast_and_full, hashes, learn_history

CONTACTS = addresses("friend", 10)
STRANGERS = addresses("stranger", 6, ("else.example",))
PLACES = [("JP", "203.0.113.5"), ("JP", "203.0.113.77"), ("JP", "198.51.100.3"), ("FR", "192.0.2.4")]
# Small tables: inserting another country or network evicts one (the steady path must notice).
SMALL = BehaviourConfig(countries_kept=2, networks_kept=2)

_message = st.tuples(
    st.just("send"),
    st.sampled_from([0, 0, 0, 0, 1, 2, 3]),  # mostly the usual place
    st.lists(st.sampled_from(CONTACTS[:4] + STRANGERS[:1]), min_size=1, max_size=3),
    st.sampled_from([0.0, 1.0, 30.0, 200.0, 1500.0, 3700.0, DAY / 2]),
    st.sampled_from([0, 0, 0, 0, 0, 1]),  # complaints
)
_other_node = st.tuples(st.just("other"), st.sampled_from(range(len(PLACES))),
                        st.lists(st.sampled_from(CONTACTS + STRANGERS), min_size=1, max_size=3),
                        st.sampled_from([-4000.0, -10.0, 0.0, 10.0, 4000.0]), st.just(0))
_reload = st.tuples(st.just("reload"), st.just(0), st.just([]), st.just(0.0), st.just(0))
_event = st.one_of(_message, _message, _message, _message, _other_node, _reload)


def _play(events, cfg: BehaviourConfig, history_days: int = 10):
    fast, full = BehaviourEngine(cfg), BehaviourEngine(cfg)
    full.fast_path = False
    a, b = Account("a"), Account("b")
    for acct in (a, b):
        if history_days:
            learn_history(acct.baseline, CONTACTS[:6], days=history_days, per_day=4)
    t = NOW
    for kind, place, rcpts, gap, complaints in events:
        country, client = PLACES[place]
        if kind == "send":
            t += gap
            va = a.send(fast, t, client, country, rcpts, complaints=complaints)
            vb = b.send(full, t, client, country, rcpts, complaints=complaints)
            assert va == vb
        elif kind == "other":  # another node learned a message of this account
            for acct in (a, b):
                acct.baseline.learn(t + gap, network_of(client), country, None, hashes(rcpts), cfg)
        else:  # the baseline read back from its bytes: a new object
            a.baseline = Baseline.from_bytes(a.baseline.to_bytes())
            b.baseline = Baseline.from_bytes(b.baseline.to_bytes())
        assert a.baseline == b.baseline
        ra, rb = a.recent, b.recent
        assert (list(ra.entries), ra.messages, ra.new_recipients, ra.countries, ra.addresses, ra.streak,
                ra.probation_since) == (list(rb.entries), rb.messages, rb.new_recipients, rb.countries, rb.addresses,
                                        rb.streak, rb.probation_since)
    return a


@settings(max_examples=150, deadline=None)
@given(st.lists(_event, min_size=1, max_size=60))
def test_the_steady_path_decides_and_learns_as_the_full_path(events):
    _play(events, BehaviourConfig())


@settings(max_examples=150, deadline=None)
@given(st.lists(_event, min_size=1, max_size=60))
def test_the_steady_path_notices_an_entry_evicted_by_another_nodes_learning(events):
    _play(events, SMALL)


@settings(max_examples=150, deadline=None)
@given(st.lists(_event, min_size=1, max_size=60), st.sampled_from([0, 1]))
def test_an_account_without_history_goes_steady_as_its_own_path_decides(events, days):
    # A new customer (no history, or one day): its steady messages answer as the path for
    # accounts without history does, bursts past the usual (the volume signal) included, and
    # another node's learning (a day more: history at last) or a reload ends the run.
    _play(events, BehaviourConfig(), history_days=days)


def test_a_new_customers_run_goes_steady_and_its_burst_is_watched_on_it():
    pair = fast_and_full()
    for acct, engine in pair:
        for i in range(60):
            acct.send(engine, NOW + i * 5, PLACES[0][1], "JP", CONTACTS[:1 + i % 2])
            if i == 30:
                assert (acct.recent.steady is not None) is engine.fast_path
    (a, _), (b, _) = pair
    assert a.verdicts == b.verdicts and a.baseline == b.baseline
    assert a.recent.steady is not None and a.verdicts[-1].reasons[0].code == "volume"


def test_a_new_customers_run_ends_when_it_reaches_history():
    # Two earlier days of two messages: today's second message gives it history (five messages
    # on three days), and with it the usual contacts vouch: no longer a new customer's answer.
    pair = fast_and_full()
    for acct, engine in pair:
        learn_history(acct.baseline, CONTACTS[:2], days=2, per_day=2, start=NOW - 2 * DAY)
        for i in range(6):
            acct.send(engine, NOW + 9 * 3600 + i, PLACES[0][1], "JP", CONTACTS[:1])
    (a, _), (b, _) = pair
    assert a.verdicts == b.verdicts and a.baseline.has_history()
    assert not a.verdicts[0].vouched and a.verdicts[-1].vouched


@pytest.mark.parametrize("days", [3, 4])
def test_a_steady_run_without_history_is_vouched_for_by_a_long_used_place_only(days):
    # Few messages (history needs 100 here) on three or four earlier days and today: the place is
    # long used (long_used_days = 5) only with four, and only then does the baseline vouch on the
    # run. (familiar_after_days = 7: a familiar place would take the fast path, not this one.)
    cfg = BehaviourConfig(history_messages=100, familiar_after_days=7)
    pair = fast_and_full(cfg)
    for acct, engine in pair:
        learn_history(acct.baseline, CONTACTS[:1], days=days, per_day=1, clients=(PLACES[0][1],),
                      start=NOW - days * DAY, per_message=1)
        for i in range(8):
            acct.send(engine, NOW + 9 * 3600 + i, PLACES[0][1], "JP", CONTACTS[:1])
        assert (acct.recent.steady is not None) is engine.fast_path
    (a, _), (b, _) = pair
    assert a.verdicts == b.verdicts and not a.baseline.has_history(cfg)
    assert {v.vouched for v in a.verdicts[1:]} == {days + 1 >= 5}


@pytest.mark.parametrize("change", ["trust", "home"])
def test_a_new_customers_run_ends_when_staff_trust_it_or_its_home_changes(change):
    from fumidai.behaviour import Permissions

    pair = fast_and_full()
    for acct, engine in pair:
        home = frozenset({"FR"})  # a customer at home in France
        for i in range(40):
            if i == 25:  # in a burst past the volume floor: staff waive the volume signal, or move its home
                if change == "trust":
                    acct.permissions = Permissions(trust={"volume": NOW + DAY})
                else:
                    home = frozenset({"JP"})
            acct.verdicts.append(engine.message(NOW + i, acct.name, acct.baseline, acct.recent, PLACES[3][1], "FR", None,
                                                hashes(CONTACTS[:1]), acct.permissions, 0, home))
    (a, _), (b, _) = pair
    assert a.verdicts == b.verdicts and a.baseline == b.baseline
    assert [r.code for r in a.verdicts[20].reasons] == ["volume"]
    assert [r.code for r in a.verdicts[30].reasons] == ([] if change == "trust" else ["new_country", "volume"])


def test_a_busy_hour_goes_steady_and_its_burst_still_raises_volume():
    # 40 an hour for three days, then today a steady run that turns into a burst: the steady
    # path must count every message and hand the burst to the full path's volume signal.
    fast, full = BehaviourEngine(), BehaviourEngine()
    full.fast_path = False
    a, b = Account("a"), Account("b")
    for acct, engine in ((a, fast), (b, full)):
        learn_history(acct.baseline, CONTACTS[:6], days=10, per_day=4)
        for day in range(1, 4):
            for i in range(40):
                acct.send(engine, NOW + day * DAY + i * 60, PLACES[0][1], "JP", CONTACTS[:2])
        for i in range(300):
            acct.send(engine, NOW + 4 * DAY + i * 5, PLACES[0][1], "JP", CONTACTS[:2])
            if i == 20:  # the run went steady (the full engine never does)
                assert (acct.recent.steady is not None) is (engine is fast)
    assert a.verdicts == b.verdicts and a.baseline == b.baseline
    assert any(r.code == "volume" for v in a.verdicts for r in v.reasons)


def test_a_network_evicted_by_another_nodes_learning_is_new_again_on_the_steady_path():
    events = [("send", 0, CONTACTS[:1], 0.0, 0), ("send", 0, CONTACTS[:1], 1.0, 0),  # steady from home
              ("other", 2, STRANGERS[:1], 0.0, 0), ("other", 3, STRANGERS[:1], 0.0, 0),  # home's /24 pushed out
              ("send", 0, CONTACTS[:1], 1.0, 0)]
    a = _play(events, SMALL)
    assert any(r.code == "new_network" for r in a.verdicts[-1].reasons)


def test_an_account_past_the_hours_kept_messages_stays_steady_and_counts_as_the_full_path():
    # Usually ~300 an hour (a mailing office): today's 400 within the hour stay within its usual,
    # so past RECENT_KEPT each message pushes out the oldest, on the steady path as on the full one.
    fast, full = BehaviourEngine(), BehaviourEngine()
    full.fast_path = False
    a, b = Account("a"), Account("b")
    for acct, engine in ((a, fast), (b, full)):
        learn_history(acct.baseline, CONTACTS[:6], days=10, per_day=4)
        for day in range(1, 4):
            for i in range(300):
                acct.send(engine, NOW + day * DAY + i * 10, PLACES[0][1], "JP", CONTACTS[:2])
        for i in range(400):
            acct.send(engine, NOW + 4 * DAY + i * 8, PLACES[0][1], "JP", CONTACTS[i % 3:i % 3 + 1])
        if engine is fast:
            assert acct.recent.steady is not None
    assert a.verdicts == b.verdicts and a.baseline == b.baseline
    assert list(a.recent.entries) == list(b.recent.entries) and len(a.recent.entries) == 256
    assert (a.recent.messages, a.recent.countries, a.recent.addresses) == (b.recent.messages, b.recent.countries,
                                                                          b.recent.addresses)
    assert all(v.tier == "none" for v in a.verdicts[-400:])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(-100, 4000), st.sampled_from(["JP", "FR"]), st.sampled_from(["a", "b", "c"]),
                          st.integers(0, 3)), max_size=300), st.floats(0, 8000))
def test_an_hour_expired_at_once_leaves_what_dropping_each_message_leaves(messages, later):
    from collections import deque

    from fumidai.behaviour import Recent
    from fumidai.behaviour.signals import RECENT_KEPT

    a, b = Recent(), Recent()
    for t, country, address, new in messages:  # times in any order: a clock may step back
        for r in (a, b):
            r.expire(t)
            r.note(t, country, address, new)
    end = max((m[0] for m in messages), default=0.0) + later
    a.expire(end)
    entries = b.entries  # the plain way: one message at a time
    while entries and (entries[0][0] <= end - 3600 or len(entries) >= RECENT_KEPT):
        b._drop(entries.popleft())
    assert (deque(a.entries), a.messages, a.new_recipients, a.new_messages, a.countries, a.addresses) == (
        deque(b.entries), b.messages, b.new_recipients, b.new_messages, b.countries, b.addresses)
    assert list(a.countries) == list(b.countries) and list(a.addresses) == list(b.addresses)
