"""The rolling window against a naive model: any order of adds and reads."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from fumidai.policy.usage import DAY, HOUR, RollingWindow, UniqueRecipients

ops = st.lists(
    st.tuples(st.integers(min_value=0, max_value=200), st.integers(min_value=0, max_value=5), st.booleans()),
    min_size=1, max_size=200,
)


@settings(max_examples=200, deadline=None)
@given(ops=ops, late=st.lists(st.integers(min_value=0, max_value=3000), max_size=10))
def test_window_matches_a_naive_sum(ops, late):
    w = RollingWindow()
    added: list[tuple[int, int, int]] = []
    minute = 0
    for step, n, read in ops:
        minute += step
        if read:
            for span, got in ((HOUR, w.hour(minute)), (DAY, w.day(minute))):
                want = (sum(m for t, m, _ in added if minute - span < t <= minute),
                        sum(r for t, _, r in added if minute - span < t <= minute))
                assert got == want
        else:
            w.add(minute, 1, n)
            added.append((minute, 1, n))
    # Late counts (replayed from the store, or from another node) land in their minute.
    for back in late:
        t = max(0, minute - back)
        if t > minute - DAY:  # a late count older than the window is not asked for
            w.add(t, 1, 1)
            added.append((t, 1, 1))
    assert w.day(minute) == (sum(m for t, m, _ in added if t > minute - DAY), sum(r for t, _, r in added if t > minute - DAY))
    assert w.hour(minute) == (sum(m for t, m, _ in added if t > minute - HOUR), sum(r for t, _, r in added if t > minute - HOUR))
    assert w.at(minute) == (sum(m for t, m, _ in added if t == minute), sum(r for t, _, r in added if t == minute))


def test_unique_recipients_forget_after_a_day():
    u = UniqueRecipients()
    u.add(0, {1, 2})
    u.add(100, {2, 3})
    assert u.count(100) == 3 and u.new_among(100, {3, 4}) == 1
    assert u.count(DAY) == 2  # 1 was last seen at minute 0; 2 was seen again at 100
    assert u.count(DAY + 100) == 0
