"""Strikes: suspend at the threshold within the window, alert below it, nothing outside it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fumidai.reputation.strikes import Verdict, decide

DAY = 86400.0
NOW = 1_800_000_000.0


def test_nothing_without_complaints():
    assert decide([], NOW).verdict is Verdict.NOTHING


def test_one_and_two_complaints_alert_and_the_third_suspends():
    times = [(11, NOW - 3600), (12, NOW - 600), (13, NOW)]
    assert decide(times[:1], NOW).verdict is Verdict.ALERT
    two = decide(times[:2], NOW)
    assert (two.verdict, two.complaint_ids, two.reason) == (Verdict.ALERT, (11, 12), "2 of 3 complaints within 86400 s")
    three = decide(times, NOW)
    assert (three.verdict, three.reason, three.complaint_ids) == (Verdict.SUSPEND, "complaints", (11, 12, 13))


def test_complaints_older_than_the_window_do_not_count():
    times = [(1, NOW - DAY - 1), (2, NOW - DAY), (3, NOW - 10), (4, NOW - 5)]
    d = decide(times, NOW, suspend_after=3, window=DAY)
    assert d.verdict is Verdict.ALERT and d.complaint_ids == (3, 4)  # exactly a window ago is outside
    # Twenty seconds earlier every one is inside: 1 and 2 by age, 3 and 4 dated "in the future" count as now.
    assert decide(times, NOW - 20, suspend_after=3, window=DAY).complaint_ids == (1, 2, 3, 4)


def test_threshold_of_one_suspends_at_the_first():
    assert decide([(5, NOW)], NOW, suspend_after=1).verdict is Verdict.SUSPEND


def test_bad_threshold_is_refused():
    with pytest.raises(ValueError):
        decide([], NOW, suspend_after=0)


@given(st.lists(st.floats(min_value=0, max_value=3 * DAY), max_size=12), st.integers(min_value=1, max_value=6))
def test_suspends_exactly_when_enough_fall_inside_the_window(ages, threshold):
    complaints = [(i, NOW - age) for i, age in enumerate(ages)]
    inside = sum(1 for age in ages if age < DAY)
    d = decide(complaints, NOW, threshold, DAY)
    assert d.verdict is (Verdict.SUSPEND if inside >= threshold else Verdict.ALERT if inside else Verdict.NOTHING)
    assert len(d.complaint_ids) == inside
