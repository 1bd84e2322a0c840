"""What a node reads from Redis is range-checked: a hostile writer or a bad clock may make an
account stricter, never lift its quota or plant huge values."""

from __future__ import annotations

import asyncio
import json

import pytest

from fumidai.config import settings_from_dict
from fumidai.counters.redis import RedisReplicator
from fumidai.counters.shared_quota import (MAX_COUNT, Over, SharedSuspension, bucket_key, parse_answer,
                                           parse_message)
from fumidai.policy.names import canonical_account

from tests.cluster.conftest import Conversation, redis_client

NOW = 1_800_000_000.0


def is_account(name: str) -> bool:
    return canonical_account(name) == name


@pytest.mark.parametrize("reply", [
    None, [], [7, "x"], [0, "lift", "quota:messages_per_hour", 0], [1, "", "", 0],
    [1, "reject", "quota:messages_per_hour; DROP", 0], [1, "reject", "x" * 300, 0], [2, b"auto\tx\t1e30\t"],
    [2, b"auto\tx\tnan\t"], [2, b"auto\tx\t1800000000\t1700000000"], [2, b"\x00\tx\t1800000000\t"],
])
def test_unreadable_or_incredible_answers_are_not_trusted(reply):
    assert parse_answer(reply, NOW) is None


def test_credible_answers_are_read():
    assert parse_answer([0, b"", b"", 0], NOW) == Over(True, "", "", False)
    assert parse_answer([1, b"suspend", b"country:CN:messages_per_day", 1], NOW) == Over(
        False, "suspend", "country:CN:messages_per_day", True)
    assert parse_answer([2, b"auto\tquota:messages_per_hour\t1800000000.5\t"], NOW) == SharedSuspension(
        "auto", "quota:messages_per_hour", 1800000000.5, None)


@pytest.mark.parametrize("data", [
    b"S\tALICE\tops\tr\t1800000000\t",  # not canonical: another spelling of alice
    b"S\t\tops\tr\t1800000000\t", b"S\talice\tops\tr\t9e18\t", b"X\talice\t1",
    b"R\talice\t-1\tnode", b"R\talice\t1\tno de", b"R\talice\tone\tnode", b"\xff\xfe",
    b"S\talice\tops\t" + b"r" * 500 + b"\t1800000000\t",
])
def test_hostile_suspension_messages_are_ignored(data):
    assert parse_message(data, NOW, is_account) is None


def test_suspension_messages_are_read():
    assert parse_message(b"R\talice\t42\thost-1:77:0badc0de", NOW, is_account) == ("R", "alice", 42, "host-1:77:0badc0de")
    kind, account, s, _ = parse_message(b"S\talice\tops\thijacked\t1800000000.0\t1800003600.0", NOW, is_account)
    assert (kind, account, s.until) == ("S", "alice", 1800003600.0)


@pytest.mark.redis
def test_planted_bucket_values_do_not_lift_or_block_a_quota(cluster, prefix):
    """Junk in the shared hash (far-future minutes, huge or negative counts, odd fields) is
    dropped by the script; the quota counts the real messages only."""
    (node,) = cluster(n=1, limits={"messages_per_hour": 4}, actions={"on_limit": "reject"})
    minute = int(node.clock() // 60)
    client = redis_client()
    key = bucket_key(prefix, "grace")
    try:
        client.hset(key, mapping={
            f"a:JP:{minute + 10_000}": "1,1",  # far future: a bad clock or a hostile writer
            f"a:JP:{minute}": "-5,-5",  # negative: would lift the quota
            f"a:US:{minute}": f"{MAX_COUNT + 1},1",  # beyond any real count
            "a:jp:1": "1,1", "junk": "x",
        })
        conv = Conversation(node.policy.address)
        try:
            assert [conv.message("grace") for _ in range(4)] == ["DUNNO"] * 4
            assert conv.message("grace").startswith("REJECT")
        finally:
            conv.close()
        assert {f: v for f, v in client.hgetall(key).items() if f.startswith(b"a:")} == {f"a:JP:{minute}".encode(): b"4,4"}
        assert client.hget(key, f"A:JP:{minute // 60}") == b"4,4"
    finally:
        client.close()


@pytest.mark.redis
def test_stream_events_out_of_range_are_skipped(redis_url, prefix):
    """counters/redis.py: counts from far-future or day-old minutes, huge counts, bad country
    codes, non-canonical names and odd node ids are not applied."""
    settings = settings_from_dict({"counters": {"backend": "redis", "redis_url": redis_url,
                                                "redis_prefix": prefix}}).counters
    minute = int(NOW // 60)
    applied: list = []
    rep = RedisReplicator(settings, node="me", is_account=is_account, clock=lambda: NOW)
    rep._apply_count = lambda *a: applied.append(a)
    rep._apply_suspension = lambda *a: applied.append(a)
    good = [0, "alice", minute, "JP", 1, 1, 1]
    bad = [
        [0, "alice", minute + 60, "JP", 1, 1, 1], [0, "alice", minute - 1441, "JP", 1, 1, 1],
        [0, "alice", minute, "JP", 10**9, 1, 1], [0, "alice", minute, "JP", -1, 1, 1],
        [0, "alice", minute, "jp", 1, 1, 1], [0, "Alice", minute, "JP", 1, 1, 1],
        [1, "alice", "x" * 500, NOW], [1, "alice", "r", NOW + 10 * 86400], [1, "alice", "r", True],
    ]
    fields = {b"s": b"0", b"t": repr(NOW).encode(), b"e": json.dumps([good, *bad]).encode()}
    rep._apply(b"other:1:00000000", fields)
    assert applied == [("alice", minute, "JP", 1, 1, True)]
    assert rep.malformed == len(bad)
    rep._apply(b"bad node id!", fields)  # a whole entry from an impossible node id
    assert len(applied) == 1
    asyncio.run(rep._close())
