"""The Lua script's windows against policy.usage.RollingWindow, for small and big hashes."""

from __future__ import annotations

import random

import pytest

from fumidai.counters.quota_script import LUA
from fumidai.counters.shared_quota import MAX_COUNT, MAX_SKEW, account_keys
from fumidai.policy.usage import RollingWindow

from tests.cluster.conftest import redis_client

pytestmark = pytest.mark.redis

START = 30_000_000  # a minute


def decide(client, sha, keys, minute, quota, rcpts=1, country="JP"):
    """The script's answer for one more message with ``quota`` = (mph, mpd, rph, rpd), -1 = none."""
    return client.evalsha(sha, 3, *keys, "decide", minute, repr(minute * 60.0), country, rcpts, 0,
                          ",".join(map(str, quota)), "reject", "chan", "acct", MAX_SKEW, MAX_COUNT, 0)


@pytest.mark.parametrize("busy", [False, True], ids=["small hash", "big hash"])
def test_the_scripts_hour_and_day_are_rolling_windows(redis_url, prefix, busy):
    """Messages at random minutes over two days; at every probe the script refuses exactly at
    the RollingWindow's hour and day totals (one more would pass them, one fewer does not)."""
    client = redis_client()
    rng = random.Random(7 if busy else 3)
    try:
        sha = client.script_load(LUA)
        keys = account_keys(prefix, "acct")
        window = RollingWindow()
        minute = START
        countries = ("JP", "US", "KR")
        for step in range(400 if busy else 120):
            minute += rng.choice((1, 1, 2, 5, 30)) if busy else rng.choice((1, 7, 60, 200))
            rcpts = rng.randrange(1, 4)
            hm, hr = window.hour(minute)
            dm, dr = window.day(minute)
            # Just enough room: accepted; and it is counted.
            assert decide(client, sha, keys, minute, (hm + 1, dm + 1, hr + rcpts, dr + rcpts), rcpts,
                          rng.choice(countries))[0] == 0
            window.add(minute, 1, rcpts)
            hm, hr = window.hour(minute)
            dm, dr = window.day(minute)
            # No room left on one limit: refused, naming it.
            which = step % 4
            quota = [hm + 1, dm + 1, hr + 1, dr + 1]
            quota[which] -= 1
            got = decide(client, sha, keys, minute, quota)
            assert got[0] == 1 and got[2].decode() == "quota:" + (
                "messages_per_hour", "messages_per_day", "recipients_per_hour", "recipients_per_day")[which], (step, got)
        fields = client.hlen(keys[0])
        if busy:
            assert fields > 256  # the big-hash path ran
        # Old minutes are swept: nothing older than a day stays (beyond a day's minutes and hours).
        assert fields <= 3 * (1440 + 26) + 2
    finally:
        client.close()
