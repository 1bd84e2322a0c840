"""The policy engine, driven with an explicit clock."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from fumidai.policy import (
    AccountState, Action, Cap, Engine, Limits, Override, Quota, Request, Suspension, Texts, effective_limits,
)

HOME = frozenset({"JP"})
T0 = 1_800_000_000.0  # a fixed epoch, minute-aligned enough for the tests


def limits(**account) -> Limits:
    q = dict(messages_per_hour=None, messages_per_day=None, recipients_per_hour=None, recipients_per_day=None)
    q.update(account)
    return Limits(account=Quota(**q), home_countries=HOME, abroad=Cap(Quota()), countries={})


def send(engine, state, lim, now, *, n_rcpt=1, country="JP", inst=None, stages=("DATA",)):
    """One message as Postfix asks about it: RCPT per recipient, then the counting stages."""
    inst = inst or f"inst-{now}-{id(state)}-{len(state.recent or ())}"
    for i in range(n_rcpt):
        d = engine.decide(Request("alice", "RCPT", inst, f"r{i}@example.net", 0, "192.0.2.1", country), state, lim, now)
        if d.action != "DUNNO":
            return d.action
    action = None
    for stage in stages:
        d = engine.decide(Request("alice", stage, inst, "", n_rcpt, "192.0.2.1", country), state, lim, now)
        action = d.action
        if action.startswith(("REJECT", "DEFER")):
            break
    return action


def test_suspends_at_the_hourly_quota_and_refuses_at_rcpt_afterwards():
    e, s, lim = Engine(), AccountState(), limits(messages_per_hour=3)
    assert [send(e, s, lim, T0 + i) for i in range(3)] == ["DUNNO"] * 3
    crossing = send(e, s, lim, T0 + 3)
    assert crossing.startswith("REJECT 5.7.1") and "suspended" in crossing
    assert s.suspension is not None and s.suspension.by == "auto"
    assert s.suspension.reason == "quota:messages_per_hour"
    # Every later message is refused already at RCPT, and the attempts are still counted.
    d = e.decide(Request("alice", "RCPT", "later", "x@example.net"), s, lim, T0 + 7200)
    assert d.action.startswith("REJECT") and d.reason == "suspended" and not d.accepted
    assert s.usage.refused_day(int((T0 + 7200) // 60))[0] == 2


def test_counts_once_when_asked_at_data_and_end_of_message():
    e, s, lim = Engine(), AccountState(), limits()
    send(e, s, lim, T0, n_rcpt=2, stages=("DATA", "END-OF-MESSAGE"))
    assert s.usage.day(int(T0 // 60)) == (1, 2)


def test_later_stage_gets_the_same_answer_without_counting_again():
    e, s, lim = Engine(Texts(on_limit=Action.HOLD)), AccountState(), limits(messages_per_hour=1)
    send(e, s, lim, T0)
    inst = "held-one"
    assert send(e, s, lim, T0 + 1, inst=inst).startswith("HOLD")
    again = e.decide(Request("alice", "END-OF-MESSAGE", inst, "", 1, "", "JP"), s, lim, T0 + 2)
    assert again.action.startswith("HOLD") and again.messages == 0
    assert s.usage.hour(int(T0 // 60))[0] == 2  # held mail is in the queue: it counts


def test_defer_lets_mail_through_again_when_the_window_has_room():
    e, s, lim = Engine(Texts(on_limit=Action.DEFER)), AccountState(), limits(messages_per_hour=2)
    assert send(e, s, lim, T0) == "DUNNO"
    assert send(e, s, lim, T0 + 60) == "DUNNO"
    assert send(e, s, lim, T0 + 120).startswith("DEFER_IF_PERMIT 4.7.1")
    assert s.suspension is None
    # The first message leaves the 60-minute window one hour after its minute.
    assert send(e, s, lim, T0 + 3540).startswith("DEFER_IF_PERMIT")
    assert send(e, s, lim, T0 + 3600 + 60) == "DUNNO"


def test_recipients_count_separately_from_messages():
    e, s, lim = Engine(Texts(on_limit=Action.REJECT)), AccountState(), limits(recipients_per_hour=10)
    assert send(e, s, lim, T0, n_rcpt=6) == "DUNNO"
    assert send(e, s, lim, T0 + 1, n_rcpt=5).startswith("REJECT")
    assert send(e, s, lim, T0 + 2, n_rcpt=4) == "DUNNO"


def test_abroad_cap_refuses_the_excess_while_home_mail_flows():
    lim = Limits(account=Quota(messages_per_hour=100), home_countries=HOME, abroad=Cap(Quota(messages_per_day=2)))
    e, s = Engine(), AccountState()
    assert send(e, s, lim, T0, country="US") == "DUNNO"
    assert send(e, s, lim, T0 + 1, country="FR") == "DUNNO"
    refused = send(e, s, lim, T0 + 2, country="CN")
    assert refused.startswith("REJECT 5.7.1") and "country" in refused
    assert s.suspension is None
    assert send(e, s, lim, T0 + 3, country="JP") == "DUNNO"


def test_country_cap_with_its_own_action():
    lim = Limits(account=Quota(), home_countries=HOME, abroad=Cap(Quota()),
                 countries={"CN": Cap(Quota(messages_per_day=1), Action.SUSPEND)})
    e, s = Engine(), AccountState()
    assert send(e, s, lim, T0, country="CN") == "DUNNO"
    assert send(e, s, lim, T0 + 1, country="CN").startswith("REJECT")
    assert s.suspension is not None and s.suspension.reason == "country:CN:messages_per_day"


def test_unknown_country_follows_the_setting():
    lim = Limits(account=Quota(), home_countries=HOME, abroad=Cap(Quota(messages_per_day=0)))
    assert send(Engine(unknown_is_abroad=True), AccountState(), lim, T0, country="ZZ").startswith("REJECT")
    assert send(Engine(unknown_is_abroad=False), AccountState(), lim, T0, country="ZZ") == "DUNNO"


def test_override_raises_the_quota_until_it_expires():
    defaults = limits(messages_per_hour=1)
    o = Override(limits={"messages_per_hour": 5}, expires_at=T0 + 600)
    e, s = Engine(Texts(on_limit=Action.REJECT)), AccountState()
    for i in range(5):
        assert send(e, s, effective_limits(defaults, o, T0 + i), T0 + i) == "DUNNO"
    later = T0 + 3700
    assert send(e, s, effective_limits(defaults, o, later), later) == "DUNNO"
    assert send(e, s, effective_limits(defaults, o, later + 1), later + 1).startswith("REJECT")


def test_override_home_countries():
    defaults = Limits(account=Quota(), home_countries=HOME, abroad=Cap(Quota(messages_per_day=0)))
    o = Override(home_countries=frozenset({"JP", "DE"}))
    e, s = Engine(), AccountState()
    assert send(e, s, effective_limits(defaults, o, T0), T0, country="DE") == "DUNNO"
    assert send(e, s, defaults, T0 + 1, country="DE").startswith("REJECT")


def test_recipients_per_message_refuses_the_extra_recipient_at_rcpt():
    e, s, lim = Engine(), AccountState(), limits(recipients_per_message=2)
    d = [e.decide(Request("alice", "RCPT", "m1", f"r{i}@x"), s, lim, T0).action for i in range(3)]
    assert d[:2] == ["DUNNO", "DUNNO"] and d[2].startswith("452 4.5.3")
    assert e.decide(Request("alice", "DATA", "m1", "", 2), s, lim, T0).action == "DUNNO"


def test_unique_recipients_per_day():
    e, s, lim = Engine(Texts(on_limit=Action.REJECT)), AccountState(), limits(unique_recipients_per_day=3)
    assert send(e, s, lim, T0, n_rcpt=3) == "DUNNO"
    assert send(e, s, lim, T0 + 1, n_rcpt=3) == "DUNNO"  # the same three people again
    assert send(e, s, lim, T0 + 2, n_rcpt=4).startswith("REJECT")  # a fourth, new one


def test_filter_and_hold_replies():
    e = Engine(Texts(on_limit=Action.FILTER, filter_transport="smtp:[q.example]:25"))
    s, lim = AccountState(), limits(messages_per_hour=0)
    assert send(e, s, lim, T0) == "FILTER smtp:[q.example]:25"


def test_expired_suspension_lets_mail_through():
    e, s, lim = Engine(), AccountState(), limits()
    s.suspension = Suspension("bob", "test", T0, until=T0 + 60)
    assert e.decide(Request("alice", "RCPT", "a", "x@y"), s, lim, T0 + 30).action.startswith("REJECT")
    assert e.decide(Request("alice", "RCPT", "b", "x@y"), s, lim, T0 + 61).action == "DUNNO"


@settings(max_examples=150, deadline=None)
@given(
    limit=st.integers(min_value=0, max_value=8),
    gaps=st.lists(st.integers(min_value=0, max_value=900), min_size=1, max_size=60),
    rcpts=st.lists(st.integers(min_value=1, max_value=4), min_size=60, max_size=60),
)
def test_rolling_hour_never_lets_more_than_the_limit_through(limit, gaps, rcpts):
    """In every 60-minute span, accepted messages and recipients stay within their limits."""
    e = Engine(Texts(on_limit=Action.DEFER))
    s = AccountState()
    lim = limits(messages_per_hour=limit, recipients_per_hour=limit * 2)
    accepted = []  # (minute, recipients)
    now = T0
    for gap, n in zip(gaps, rcpts):
        now += gap
        if send(e, s, lim, now, n_rcpt=n) == "DUNNO":
            accepted.append((int(now // 60), n))
    for start, _ in accepted:
        span = [(m, n) for m, n in accepted if start <= m < start + 60]
        assert len(span) <= limit
        assert sum(n for _, n in span) <= limit * 2


def test_limited_since_marks_the_start_of_a_run_of_refusals():
    e, s = Engine(Texts(on_limit=Action.DEFER)), AccountState()
    lim = limits(messages_per_hour=1)
    send(e, s, lim, T0)
    send(e, s, lim, T0 + 10)
    send(e, s, lim, T0 + 100)
    assert s.limited_since == T0 + 10 and s.limited_at == T0 + 100
    send(e, s, lim, T0 + 1000)  # a new run after a quiet spell
    assert s.limited_since == T0 + 1000
