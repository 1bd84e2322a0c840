"""The in-process counters stay bounded over many simulated days; prune frees idle accounts."""

from __future__ import annotations

from fumidai.counters.memory import Activity, MemoryCounters
from fumidai.policy import Suspension
from fumidai.policy.usage import DAY

M0 = 30_000_000


def test_the_activity_index_keeps_about_a_day_when_nobody_reads_it():
    act = Activity()
    accounts = [f"a{i}" for i in range(50)]
    for hour in range(10 * 24):
        for i, account in enumerate(accounts):
            act.record(M0 + hour * 60 + i, account, "JP" if i % 5 else "US", 1, 1, True)
    day_entries = 24 * len(accounts)
    assert len(act.accounts_day.order) <= day_entries + len(accounts)
    assert len(act.country_accounts_day["JP"].order) <= day_entries
    assert len(act.country_accounts_5m["JP"].order) <= 6  # one account a minute, five minutes
    assert len(act.country_day["JP"].buckets) <= 2 * 3 * 24 * 60 + 48
    last = M0 + (10 * 24 - 1) * 60 + len(accounts) - 1
    assert act.per_country(last, DAY)["US"][3] == 10  # the readings are unchanged


def test_prune_forgets_idle_accounts_and_sheds_the_others():
    c = MemoryCounters()
    for account, country in (("gone", "US"), ("kept", "JP"), ("stopped", "CN")):
        st = c.state(account)
        st.usage.record(M0, country, 1, 1, True)
        c.record(M0, account, country, 1, 1, True)
    c.state("stopped").suspension = Suspension("auto", "quota:messages_per_hour", M0 * 60.0)
    kept = c.state("kept")
    kept.usage.record(M0 + DAY, "JP", 1, 1, True)  # still sending a day later, now only from home
    kept.usage.record(M0 + 10, "FR", 1, 1, True)
    c.record(M0 + DAY, "kept", "JP", 1, 1, True)
    assert c.prune(M0 + DAY + 11) == 1
    assert set(c.states) == {"kept", "stopped"}  # a suspension is kept whatever its age
    assert set(kept.usage.by_country) == {"JP"}
    assert set(c.activity.country_day) == {"JP"}
    assert set(c.activity.country_accounts_day) == {"JP"}
    assert c.activity.active_today(M0 + DAY + 11) == {"kept": M0 + DAY}
