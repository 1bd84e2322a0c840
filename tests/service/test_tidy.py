"""The periodic tidy-up frees every per-account table of accounts gone quiet."""

from __future__ import annotations

import pytest

from fumidai.config import load_settings, settings_from_dict
from fumidai.errors import ConfigError

from .conftest import US


def test_tidy_frees_what_idle_accounts_left_behind(make_running):
    r = make_running(limits={"messages_per_hour": 100, "abroad": {"messages_per_day": 1}})
    for i in range(20):
        r.message(f"user{i}")
    r.message("traveller", ip=US)
    assert r.message("traveller", ip=US).startswith("REJECT")  # over the abroad cap: an alert, a limit mark
    svc = r.service
    assert svc._touched and svc._last_alert and svc.limited
    r.clock.advance(2 * 86400)
    r.call(svc.tidy())
    assert svc.counters.states == {}
    assert svc._touched == {} and svc._last_alert == {} and svc.limited == {}
    activity = svc.counters.activity
    assert activity.country_day == {} and activity.country_accounts_day == {} and activity.accounts_day.last_seen == {}
    assert r.message("user0") == "DUNNO"  # and an account coming back starts afresh
    assert svc.account_live("user0")["usage"]["day"] == {"messages": 1, "recipients": 1}


@pytest.mark.parametrize("value", [0, -5, "often"])
def test_a_bad_tidy_interval_stops_start_up_naming_the_key(value):
    with pytest.raises(ConfigError, match=r"storage\.tidy_interval"):
        settings_from_dict({"storage": {"tidy_interval": value}})


def test_the_tidy_interval_comes_from_the_environment_too():
    settings = load_settings(None, {"FUMIDAI_STORAGE__TIDY_INTERVAL": "15"})
    assert settings.storage.tidy_interval == 15.0
