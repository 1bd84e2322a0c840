"""The enforcement backend end to end over the policy protocol, with the real store."""

from __future__ import annotations

import asyncio
import time

import pytest

from fumidai.policy import Override
from fumidai.service import Service
from fumidai.store import repo

from tests.fixtures import postfix_attrs

from .conftest import CN, FR, JP, US, Clock

QUOTA = {"messages_per_hour": 3, "messages_per_day": 100}


def test_over_quota_is_suspended_and_refused_at_rcpt_others_untouched(make_running):
    r = make_running(limits=QUOTA)
    assert [r.message("alice") for _ in range(3)] == ["DUNNO"] * 3
    crossing = r.message("alice")
    assert crossing == "REJECT 5.7.1 Sending from this account is suspended; please contact support"
    # Every later request is refused already at RCPT.
    assert r.ask("RCPT", sasl_username="alice", instance="later.0").startswith("REJECT 5.7.1")
    r.clock.advance(7200)  # the window has room again, but the suspension holds until released
    assert r.ask("RCPT", sasl_username="alice", instance="later.1").startswith("REJECT 5.7.1")
    # bob is untouched.
    assert [r.message("bob") for _ in range(3)] == ["DUNNO"] * 3
    # The suspension, its alert and the attempts reach the store.
    r.flush()
    with r.service.store.session() as s:
        assert repo.active_suspension(s, "alice", _dt(r.clock())).by == "auto"
        alerts = repo.alerts_after(s, 0, 10)
        assert [(a.account, a.kind, a.reason) for a in alerts] == [("alice", "auto_suspend", "quota:messages_per_hour")]
    live = r.service.account_live("alice")
    assert live["status"] == "suspended" and live["usage"]["refused_day"]["messages"] == 3


def test_unauthenticated_requests_get_the_configured_answer(make_running):
    r = make_running(policy={"unauthenticated": "REJECT 5.7.0 authentication required"})
    assert r.ask("RCPT", sasl_username="") == "REJECT 5.7.0 authentication required"


def test_abroad_is_capped_while_home_mail_flows(make_running):
    r = make_running(limits={"abroad": {"messages_per_day": 2}})
    assert r.message("carol", ip=US) == "DUNNO"
    assert r.message("carol", ip=FR) == "DUNNO"
    refused = r.message("carol", ip=CN)
    assert refused == "REJECT 5.7.1 Sending from this country is limited for this account"
    assert r.message("carol", ip=JP) == "DUNNO"
    assert r.message("carol", ip=US).startswith("REJECT")
    assert r.service.account_live("carol")["status"] == "limited"


def test_override_raises_the_quota_until_it_expires(make_running):
    r = make_running(limits=QUOTA, actions={"on_limit": "reject"})
    expires = r.clock() + 1800
    r.call(r.actions.set_override("dave", "bob", Override(limits={"messages_per_hour": 6}, expires_at=expires), "newsletter"))
    assert [r.message("dave") for _ in range(6)] == ["DUNNO"] * 6
    assert r.message("dave").startswith("REJECT 5.7.1 Sending limit")
    r.clock.advance(3700)  # the override has expired and the hour has passed
    assert [r.message("dave") for _ in range(3)] == ["DUNNO"] * 3
    assert r.message("dave").startswith("REJECT")
    with r.service.store.session() as s:
        entry = repo.audit_after(s, "dave", 0, 10)[0]
        assert entry.action == "set_limits" and entry.actor == "bob" and entry.after["limits"] == {"messages_per_hour": 6}


def test_defer_answers_4xx_then_lets_mail_through_when_the_window_has_room(make_running):
    r = make_running(limits=QUOTA, actions={"on_limit": "defer"})
    assert [r.message("erin") for _ in range(3)] == ["DUNNO"] * 3
    assert r.message("erin") == "DEFER_IF_PERMIT 4.7.1 Sending quota reached; please try again later"
    r.clock.advance(3660)
    assert r.message("erin") == "DUNNO"


def test_suspension_and_counts_survive_a_restart(make_running):
    r = make_running(limits=QUOTA)
    assert [r.message("frank") for _ in range(2)] == ["DUNNO"] * 2
    r.call(r.actions.suspend("grace", "bob", "hijacked"))
    r.restart()  # stop flushes; start rebuilds from the store
    assert r.ask("RCPT", sasl_username="grace").startswith("REJECT 5.7.1")
    assert r.message("frank") == "DUNNO"
    assert r.message("frank").startswith("REJECT")  # 2 before + 1 after the restart = 3


def test_staff_actions_take_effect_on_the_next_request(make_running):
    r = make_running()
    assert r.message("heidi") == "DUNNO"
    r.call(r.actions.suspend("heidi", "bob", "reported by the owner"))
    assert r.ask("RCPT", sasl_username="heidi").startswith("REJECT 5.7.1")
    r.call(r.actions.release("heidi", "bob", "password changed"))
    assert r.message("heidi") == "DUNNO"
    with r.service.store.session() as s:
        assert [e.action for e in repo.audit_after(s, "heidi", 0, 10)] == ["suspend", "release"]


def test_actions_from_the_command_line_reach_the_running_server(make_running):
    """`fumidai account suspend` writes the store; the server picks it up from the audit log."""
    r = make_running()
    with r.service.store.session() as s:
        repo.suspend(s, "ivan", "cli:ops", "seen in the logs", now=_dt(r.clock()))
    _eventually(lambda: r.ask("RCPT", sasl_username="ivan").startswith("REJECT"))
    with r.service.store.session() as s:
        repo.release(s, "ivan", "cli:ops", "fixed", now=_dt(r.clock()))
    _eventually(lambda: r.ask("RCPT", sasl_username="ivan") == "DUNNO")


def test_malformed_requests_are_refused_without_harm(make_running):
    r = make_running()
    import socket

    host, port = r.policy.address.rsplit(":", 1)
    with socket.create_connection((host, int(port))) as bad:
        bad.sendall(b"this is not a policy request\n\n")
        bad.settimeout(2)
        assert bad.recv(100) == b""  # closed, no reply
    assert r.message("judy") == "DUNNO"  # the server goes on, other connections too


def test_counting_happens_once_per_message(make_running):
    r = make_running(limits={"unique_recipients_per_day": 100})
    r.message("ken", recipients=3)
    live = r.service.account_live("ken")
    assert live["usage"]["hour"] == {"messages": 1, "recipients": 3}
    assert live["usage"]["unique_recipients_day"] == 3
    assert live["usage"]["countries"][0]["country"] == "JP"


def test_distinct_recipients_are_not_kept_without_their_limit(make_running):
    r = make_running()
    r.message("lena", recipients=3)
    assert r.service.account_live("lena")["usage"]["unique_recipients_day"] is None
    assert r.service.counters.get("lena").usage.unique is None


@pytest.mark.postgres
def test_same_enforcement_on_postgresql(make_running, pg_url):
    r = make_running(url=pg_url, limits=QUOTA)
    assert [r.message("leo") for _ in range(3)] == ["DUNNO"] * 3
    assert r.message("leo").startswith("REJECT")
    r.restart()
    assert r.ask("RCPT", sasl_username="leo").startswith("REJECT")


def test_live_views(make_running):
    r = make_running(limits=QUOTA)
    for _ in range(2):
        r.message("mia", recipients=2)
    r.message("noah", ip=US)
    ov = r.service.overview(60, 10)
    assert ov["totals"]["messages"] == 3 and ov["totals"]["active_accounts"] == 2
    assert ov["top"][0]["account"] == "mia" and ov["top"][0]["quota_used"] == pytest.approx(2 / 3, abs=1e-3)
    assert {c["country"]: c["messages"] for c in ov["countries"]} == {"JP": 2, "US": 1}
    series = r.service.series("mia", 3600, 60)
    assert len(series["points"]) == 60 and series["points"][-1]["by_country"] == {"JP": 2}


def _dt(epoch):
    from fumidai.service.clock import to_datetime

    return to_datetime(epoch)


def _eventually(check, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def test_tidy_forgets_idle_accounts_but_not_suspended_ones(make_running):
    r = make_running(limits=QUOTA)
    r.message("olga")
    r.call(r.actions.suspend("pete", "bob", "hijacked"))
    r.flush()
    r.clock.advance(2 * 86400)
    r.call(r.service.tidy())
    assert "olga" not in r.service.counters.states
    assert "pete" in r.service.counters.states
    assert r.ask("RCPT", sasl_username="pete").startswith("REJECT")
    assert r.message("olga") == "DUNNO"


def test_imported_home_countries_apply_to_the_running_server(make_running):
    r = make_running(limits={"abroad": {"messages_per_day": 1}})
    with r.service.store.session() as s:
        repo.upsert_accounts(s, [{"account": "quinn", "home_countries": ["US"]},
                                 {"account": "rosa", "home_countries": ["JP"]}])
    _eventually(lambda: "quinn" in r.service.homes)
    assert "rosa" not in r.service.homes  # the default home needs no entry
    assert [r.message("quinn", ip=US) for _ in range(3)] == ["DUNNO"] * 3  # the US is home for quinn
    assert r.message("quinn", ip=JP) == "DUNNO"
    assert r.message("quinn", ip=FR).startswith("REJECT")  # abroad for quinn: JP used the one allowed


class _Recording(dict):
    """A request that notes which attributes were read."""

    def __init__(self, attrs, seen):
        super().__init__(attrs)
        self.seen = seen

    def get(self, key, default=None):
        self.seen.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.seen.add(key)
        return super().__getitem__(key)


def test_the_policy_path_reads_only_the_attributes_the_server_parses(make_running):
    # `fumidai serve` parses only Service.ATTRIBUTES: anything else the path read would be missing.
    r = make_running(limits={"messages_per_hour": 1, "recipients_per_message": 1, "abroad": {"messages_per_day": 0}})
    seen: set[str] = set()
    svc = r.service
    for stage, changes in [("RCPT", {}), ("RCPT", {"recipient": "second@example.net"}), ("DATA", {}),
                           ("END-OF-MESSAGE", {}), ("DATA", {"instance": "x.1", "client_address": "198.51.100.10"}),
                           ("DATA", {"instance": "x.2"}), ("RCPT", {"instance": "x.3"}), ("RCPT", {"protocol_state": "MAIL"}),
                           ("RCPT", {"sasl_username": ""})]:
        r.call(_call_on_loop(lambda a=postfix_attrs(stage, **changes): svc.handle(_Recording(a, seen))))
    assert {"sasl_username", "protocol_state", "recipient", "recipient_count", "instance", "client_address"} <= seen
    assert seen <= set(Service.ATTRIBUTES)


async def _call_on_loop(fn):
    return fn()


def test_a_timed_suspension_that_ended_is_no_longer_counted_or_listed(make_running):
    r = make_running()
    r.call(r.actions.suspend("olga", "bob", "a day off the air", until=r.clock() + 600))

    async def suspended_now():
        overview = r.service.overview(60, 10)
        _, rows = await r.service.ranked_rows(60, "account", "suspended")
        return overview["totals"]["suspended_accounts"], [row["account"] for row in rows]

    assert r.call(suspended_now()) == (1, ["olga"])
    r.clock.advance(601)
    assert r.call(suspended_now()) == (0, [])
    assert r.message("olga") == "DUNNO"
