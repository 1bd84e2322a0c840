"""Baselines and cohorts shared between two nodes through the behaviour stream (real Redis, db 15)."""

from __future__ import annotations

import json

import pytest

from fumidai.config import settings_from_dict
from fumidai.counters.behaviour_stream import BehaviourStream
from fumidai.geo.build import build_from_ranges
from tests.counters.test_redis import prefix, redis_url, wait  # noqa: F401  (fixtures)
from tests.service.conftest import CN, JP, US, Clock, Running

pytestmark = pytest.mark.redis

DAY = 86400.0
CONTACTS = [f"friend{i}@example.net" for i in range(6)]


@pytest.fixture(scope="module")
def geo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("geo") / "test.mmdb"
    build_from_ranges([("192.0.2.0/24", "JP"), ("198.51.100.0/24", "US"), ("203.0.113.0/24", "CN")], path)
    return path


@pytest.fixture
def two_nodes(tmp_path, geo_db, prefix):  # noqa: F811
    """(A, B): two services on one store and one Redis; the store is flushed too rarely to carry anything."""
    started = []

    def make(url: str, **sections):
        data = {
            "storage": {"url": f"sqlite:///{tmp_path}/fumidai.db", "flush_interval": 60},
            "geoip": {"database": str(geo_db), "home_countries": ["JP"]},
            "counters": {"backend": "redis", "redis_url": url, "redis_prefix": prefix},
        }
        for key, value in sections.items():
            data.setdefault(key, {}).update(value)
        clock = Clock()
        for _ in range(2):
            started.append(Running(settings_from_dict(data), clock, geo_db))
        return started[-2], started[-1]

    yield make
    for r in started:
        try:
            r.close()
        except Exception:
            pass


def send(r: Running, account: str, ip: str, recipients: list[str]) -> str:
    r._n += 1
    common = dict(sasl_username=account, client_address=ip, instance=f"{r._n:x}.share.0")
    for rcpt in recipients:
        action = r.ask("RCPT", recipient=rcpt, **common)
        if action != "DUNNO":
            return action
    return r.ask("DATA", recipient_count=str(len(recipients)), **common)


def learned(r: Running, account: str) -> int:
    def read():
        b = r.service.baselines.get(account)
        return b.messages if b is not None else 0

    return r.call(read)


def knows(r: Running, account: str, recipient: str) -> bool:
    def read():
        b = r.service.baselines.get(account)
        return b is not None and b.knows(r.service.engine.recipient_hash(recipient))

    return r.call(read)


def cohort(r: Running, address: str) -> int:
    return r.call(lambda: r.service.behaviour.cohorts.accounts(address))


def learn_history_on(a: Running, b: Running, accounts, days: int = 6) -> None:
    """A week of ordinary mail from home, all of it sent through A; B learns it from the stream."""
    for _ in range(days):
        for account in accounts:
            for k in range(3):
                assert send(a, account, JP, CONTACTS[k:k + 3]) == "DUNNO"
        wait(lambda: all(learned(b, acc) == learned(a, acc) for acc in accounts), timeout=10)
        a.clock.advance(DAY)


def test_one_address_logging_in_as_three_accounts_on_each_node_is_a_cohort_of_six_on_both(redis_url, two_nodes):
    a, b = two_nodes(redis_url)
    accounts = [f"member{i}" for i in range(6)]
    learn_history_on(a, b, accounts)
    assert learned(b, "member5") == learned(a, "member5") > 0  # the baselines themselves are shared

    stuffer = "203.0.113.77"  # CN, new to every one of them
    for account in accounts[:3]:
        send(a, account, stuffer, [f"target-{account}@mailbox.example"])
    wait(lambda: cohort(b, stuffer) == 3)
    for account in accounts[3:]:
        send(b, account, stuffer, [f"target-{account}@mailbox.example"])
    assert cohort(b, stuffer) == 6
    wait(lambda: cohort(a, stuffer) == 6)

    # B's last verdict counted all six, with the reason in words.
    risk = b.call(lambda: b.service.account_live("member5"))["risk"]
    texts = [r["text"] for r in risk["reasons"] if r["code"] == "cohort"]
    assert texts and "6 accounts" in texts[0], risk
    assert a.service.shared_behaviour.stream.malformed == 0 == b.service.shared_behaviour.stream.malformed


def test_a_travellers_correspondents_learned_on_one_node_vouch_on_the_other(redis_url, two_nodes):
    a, b = two_nodes(redis_url, limits={"abroad": {"messages_per_day": 1}})
    learn_history_on(a, b, ["traveller"])
    new = [f"colleague{i}@partner.example" for i in range(4)]
    # At home on A, the traveller adds four new people to mail mostly to usual contacts (learned).
    for person in new:
        assert send(a, "traveller", JP, CONTACTS[:3] + [person]) == "DUNNO"
    assert all(knows(a, "traveller", p) for p in new)
    wait(lambda: all(knows(b, "traveller", p) for p in new))

    # Abroad, through B, to those four only: usual contacts vouch, past the abroad cap of 1.
    assert [send(b, "traveller", US, new) for _ in range(3)] == ["DUNNO"] * 3
    assert b.call(lambda: b.service.account_live("traveller"))["risk"]["level"] in ("none", "watch")


def test_a_stranger_through_b_is_still_held(redis_url, two_nodes):
    """Sharing teaches B what A accepted, not more: strangers from abroad stay strangers."""
    a, b = two_nodes(redis_url)
    learn_history_on(a, b, ["victim"], days=4)
    spam = [send(b, "victim", CN, [f"t{i}-{j}@mailbox.example" for j in range(10)]) for i in range(3)]
    assert any(s.startswith(("HOLD", "REJECT", "FILTER")) for s in spam), spam
    # What B refused to learn does not reach A either.
    assert not knows(a, "victim", "t0-0@mailbox.example")


class _Seen:
    def __init__(self):
        self.learned, self.cohorts = [], []

    def learn(self, *args):
        self.learned.append(args)

    def cohort(self, *args):
        self.cohorts.append(args)


def hostile_stream(now: float) -> tuple[BehaviourStream, _Seen]:
    settings = settings_from_dict({"counters": {"backend": "redis", "redis_prefix": "unused"}}).counters
    s = BehaviourStream(settings, lambda: now, node="reader")
    seen = _Seen()
    s._apply_learn, s._apply_cohort = seen.learn, seen.cohort
    return s, seen


@pytest.mark.parametrize("event", [
    ["l", "", 1e9, None, "JP", [1]],  # empty account
    ["l", "x" * 400, 1e9, None, "JP", [1]],  # oversized account
    ["l", "a", 1e9 + 10 * DAY, None, "JP", [1]],  # time far ahead
    ["l", "a", 1e9 - 10 * DAY, None, "JP", [1]],  # stale
    ["l", "a", float("nan"), None, "JP", [1]],
    ["l", "a", "1e9", None, "JP", [1]],  # a string time
    ["l", "a", 1e9, 1 << 30, "JP", [1]],  # a network key between the IPv4 and IPv6 ranges
    ["l", "a", 1e9, -1, "JP", [1]],
    ["l", "a", 1e9, True, "JP", [1]],  # bool is not a key
    ["l", "a", 1e9, None, "jp", [1]],
    ["l", "a", 1e9, None, "JPN", [1]],
    ["l", "a", 1e9, None, "JP", []],
    ["l", "a", 1e9, None, "JP", [1 << 64]],
    ["l", "a", 1e9, None, "JP", [-1]],
    ["l", "a", 1e9, None, "JP", [1.5]],
    ["l", "a", 1e9, None, "JP", list(range(1001))],
    ["l", "a", 1e9, None, "JP"],  # short
    ["c", "not an address", "a", 1e9],
    ["c", "203.0.113.1", "", 1e9],
    ["c", "203.0.113.1", "a", None],
    ["x", 1, 2, 3],
    "l",
    [],
    None,
])
def test_hostile_observations_are_skipped_and_counted(event):
    now = 1e9
    s, seen = hostile_stream(now)
    good = ["l", "a", now, 0x0A0B0C, "JP", [(7 << 32) | 9]]
    s.apply_entry({b"n": b"w", b"e": json.dumps([event, good]).encode()})
    assert s.malformed == 1 and s.applied == 1
    assert seen.learned == [("a", now, 0x0A0B0C, "JP", ((7 << 32) | 9,))] and not seen.cohorts


@pytest.mark.parametrize("raw", [b"not json", b"{}", b"[1,", b"\xff\xfe"])
def test_an_unreadable_entry_is_skipped(raw):
    s, seen = hostile_stream(1e9)
    s.apply_entry({b"n": b"w", b"e": raw})
    s.apply_entry({b"n": b"w"})  # no events at all
    assert s.malformed == 2 and not seen.learned and not seen.cohorts


def test_events_from_the_stream_create_baselines_only_up_to_a_bound(redis_url, two_nodes):
    """A hostile writer to Redis names any account it likes: B learns accounts new to it only
    while it holds fewer than the bound; the ones it has keep learning."""
    a, b = two_nodes(redis_url)
    assert send(a, "known", JP, CONTACTS[:1]) == "DUNNO"
    wait(lambda: learned(b, "known") == 1)
    b.call(lambda: setattr(b.service.shared_behaviour, "max_baselines", len(b.service.baselines)))
    for i in range(5):
        assert send(a, f"stranger{i}", JP, CONTACTS[:1]) == "DUNNO"
    assert send(a, "known", JP, CONTACTS[1:2]) == "DUNNO"
    wait(lambda: learned(b, "known") == 2)
    assert all(learned(b, f"stranger{i}") == 0 for i in range(5))
    assert b.call(lambda: b.service.shared_behaviour.refused_new) == 5
