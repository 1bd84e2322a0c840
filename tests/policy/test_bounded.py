"""Per-account state stays bounded over many simulated days, and shedding changes no answer."""

from __future__ import annotations

from fumidai.policy import AccountState, Engine, Request
from fumidai.policy.engine import RECENT_DECISIONS, TRACKED_FOR
from fumidai.policy.usage import DAY, RollingWindow, Usage

from .test_engine import T0, limits

M0 = int(T0 // 60)


def test_a_window_nobody_reads_keeps_about_a_day_of_buckets():
    w = RollingWindow()
    for minute in range(M0, M0 + 10 * DAY, 60):  # one message an hour for ten days, never read
        w.add(minute, 1, 2)
    live = 3 * 24  # the last day's buckets
    assert len(w.buckets) <= 2 * live + 48  # the rest is dead space waiting for the next compaction
    assert w.day(M0 + 10 * DAY - 60) == (24, 48)


def message(engine, state, lim, now, inst, country="JP", rcpts=("a@example.net",), stages=("DATA", "END-OF-MESSAGE")):
    for r in rcpts:
        engine.decide(Request("alice", "RCPT", inst, r, 0, "192.0.2.1", country), state, lim, now)
    return [engine.decide(Request("alice", s, inst, "", len(rcpts), "192.0.2.1", country), state, lim, now).action
            for s in stages]


def test_a_week_of_hourly_mail_keeps_the_account_small():
    e, s, lim = Engine(), AccountState(), limits(messages_per_hour=100)
    for hour in range(7 * 24):
        now = T0 + hour * 3600
        message(e, s, lim, now, f"m{hour}", rcpts=(f"r{hour}@example.net",))
        if hour % 6 == 0:
            s.shed(int(now // 60) + 30)  # a sweep half an hour later
    u = s.usage
    # The home country's window is never read by a rule (no cap at home): it expires on write.
    assert len(u.by_country["JP"].buckets) <= 2 * 3 * 24 + 48
    assert u.unique is None  # no unique_recipients_per_day: no hashes kept
    assert len(s.decided) <= 6  # only the messages since the last sweep
    assert len(s.recent) == RECENT_DECISIONS  # what the desk shows stays


def test_distinct_recipients_are_kept_for_a_day_when_limited():
    e, s, lim = Engine(), AccountState(), limits(unique_recipients_per_day=10_000)
    for hour in range(5 * 24):
        message(e, s, lim, T0 + hour * 3600, f"m{hour}", rcpts=(f"r{hour}@example.net",))
    uniq = s.usage.unique
    assert len(uniq.last_seen) <= 25
    assert len(uniq.order) <= 2 * (2 * 25) + 48
    assert s.usage.unique_count(int((T0 + (5 * 24 - 1) * 3600) // 60)) == 24


def test_shed_lets_go_of_a_day_old_country_and_refusals():
    u = Usage()
    u.record(M0, "US", 1, 1, accepted=True)
    u.record(M0, "CN", 1, 1, accepted=False)
    u.record(M0 + DAY - 1, "JP", 1, 1, accepted=True)
    u.shed(M0 + DAY)
    assert set(u.by_country) == {"JP"}
    assert u.refused is None and u.refused_by_country is None
    assert u.day(M0 + DAY) == (1, 1)


def test_shed_keeps_the_marks_of_a_message_in_flight():
    e, s, lim = Engine(), AccountState(), limits(messages_per_hour=1)
    message(e, s, lim, T0, "first")
    assert message(e, s, lim, T0 + 60, "second", stages=("DATA",)) == [e._reply[e.texts.on_limit]]
    s.suspension = None  # staff released it; the message's END-OF-MESSAGE is still to come
    s.shed(M0 + 2)
    again = e.decide(Request("alice", "END-OF-MESSAGE", "second", "", 1, "192.0.2.1", "JP"), s, lim, T0 + 120)
    assert again.action.startswith("REJECT") and again.messages == 0  # the same answer, not counted again


def test_shed_forgets_the_marks_of_a_quiet_account():
    e, s, lim = Engine(), AccountState(), limits()
    for i in range(30):
        message(e, s, lim, T0 + i, f"done{i}")
        e.decide(Request("alice", "RCPT", f"abandoned{i}", "x@example.net"), s, lim, T0 + i)
    s.shed(M0 + TRACKED_FOR)
    assert s.decided == {}
    assert list(s.message_recipients) == ["abandoned29"]  # the newest may still be going on
    assert len(s.recent) == 30
