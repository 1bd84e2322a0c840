"""The activity index (overview, countries, top accounts) against naive sums."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from fumidai.counters.memory import Activity

events = st.lists(
    st.tuples(st.integers(0, 30), st.sampled_from("abcde"), st.sampled_from(["JP", "US", "CN"]),
              st.integers(1, 3), st.booleans()),
    min_size=1, max_size=80,
)


@settings(max_examples=150, deadline=None)
@given(events=events, window=st.sampled_from([1, 5, 7, 60, 1440]))
def test_windows_match_naive_sums(events, window):
    act = Activity()
    log = []
    minute = 100
    for step, account, country, rcpts, accepted in events:
        minute += step
        act.record(minute, account, country, 1, rcpts, accepted)
        log.append((minute, account, country, rcpts, accepted))
    span = min(window, 60)
    inside = [e for e in log if minute - span < e[0] <= minute]
    if window <= 60:
        per_account = act.per_account(minute, window)
        want = {}
        for _, a, _, r, ok in inside:
            c = want.setdefault(a, [0, 0, 0, 0])
            c[0 if ok else 2] += 1
            c[1 if ok else 3] += r
        assert {a: list(c) for a, c in per_account.items()} == want
    inside = [e for e in log if minute - window < e[0] <= minute]
    want_c = {}
    for _, a, c, r, ok in inside:
        w = want_c.setdefault(c, [0, 0, 0, set()])
        if ok:
            w[0] += 1
            w[1] += r
        else:
            w[2] += 1
        w[3].add(a)
    got = act.per_country(minute, window)
    assert got == {c: (w[0], w[1], w[2], len(w[3])) for c, w in want_c.items() if window <= 60 or w[0] or w[2]}


def test_hour_sums_forget_old_minutes():
    act = Activity()
    act.record(0, "a", "JP", 1, 1, True)
    act.record(30, "b", "US", 1, 2, True)
    assert set(act.per_account(59, 60)) == {"a", "b"}
    assert set(act.per_account(60, 60)) == {"b"}
    assert act.per_country(90, 60) == {}
    assert act.per_country(90, 1440) == {"JP": (1, 1, 0, 1), "US": (1, 2, 0, 1)}
