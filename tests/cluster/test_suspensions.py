"""Suspensions as shared state: seen by every node at once, released from any, windows afresh."""

from __future__ import annotations

import time

import pytest

from fumidai.counters.shared_quota import bucket_key, suspension_key

from tests.cluster.conftest import Conversation, redis_client

pytestmark = pytest.mark.redis


def until_answer(conv: Conversation, account: str, want_reject: bool, timeout: float = 5.0) -> float:
    """Ask MAIL until it is (or is not) refused; the seconds it took."""
    started = time.perf_counter()
    while True:
        refused = conv.mail(account).startswith("REJECT")
        if refused == want_reject:
            return time.perf_counter() - started
        if time.perf_counter() - started > timeout:
            raise AssertionError(f"MAIL of {account!r} still {'accepted' if want_reject else 'refused'}")
        time.sleep(0.002)


def test_staff_suspension_on_one_node_is_refused_by_the_others_and_released_from_a_third(cluster, prefix):
    a, b, c = cluster(limits={"messages_per_hour": 5}, actions={"on_limit": "reject"})
    conv_a, conv_b, conv_c = (Conversation(n.policy.address) for n in (a, b, c))
    try:
        for i in range(5):
            assert (conv_a, conv_b, conv_c)[i % 3].message("erin") == "DUNNO"
        assert conv_b.message("erin").startswith("REJECT")  # the shared quota is full

        a.call(a.actions.suspend, "erin", "ops", "hijacked")
        took = [until_answer(conv, "erin", True) for conv in (conv_b, conv_c)]
        print(f"\nstaff suspension on A refused at MAIL on B after {took[0] * 1000:.1f} ms, C {took[1] * 1000:.1f} ms")
        client = redis_client()
        try:
            assert client.get(suspension_key(prefix, "erin")).startswith(b"ops\t")
        finally:
            client.close()

        # Released from C: every node lets the owner send again, and the windows start afresh
        # (the five messages before no longer count): five more go through.
        c.call(c.actions.release, "erin", "ops", "owner called")
        for conv in (conv_a, conv_b):
            until_answer(conv, "erin", False)
        got = [(conv_a, conv_b, conv_c)[i % 3].message("erin") for i in range(6)]
        assert got[:5] == ["DUNNO"] * 5 and got[5].startswith("REJECT"), got
        with c.service.store.session() as s:
            from sqlalchemy import text

            after = s.execute(text("select after from audit where account = 'erin' and action = 'release'")).scalar()
        assert "windows_afresh_from" in str(after)
    finally:
        for conv in (conv_a, conv_b, conv_c):
            conv.close()


def test_release_after_an_automatic_suspension_starts_the_shared_windows_afresh(cluster, prefix):
    a, b, c = cluster(limits={"messages_per_hour": 3}, actions={"on_limit": "suspend"})
    convs = [Conversation(n.policy.address) for n in (a, b, c)]
    try:
        assert [convs[i].message("frank") for i in range(3)] == ["DUNNO"] * 3
        assert convs[0].message("frank").startswith("REJECT")  # suspended by the script on A
        for conv in convs[1:]:
            until_answer(conv, "frank", True)
        assert convs[2].message("frank").startswith("REJECT")
        b.call(b.actions.release, "frank", "ops", "owner called")  # B never suspended it itself
        client = redis_client()
        try:
            assert not client.exists(bucket_key(prefix, "frank"), suspension_key(prefix, "frank"))
        finally:
            client.close()
        for conv in convs:
            until_answer(conv, "frank", False)
        assert convs[0].message("frank") == "DUNNO"
        # A's audit sync reads the release later: it must not wipe what the owner sent since.
        time.sleep(1.2)
        assert [convs[i].message("frank") for i in (1, 2)] == ["DUNNO"] * 2
        assert convs[0].message("frank").startswith("REJECT")
    finally:
        for conv in convs:
            conv.close()


def test_an_automatic_suspension_whose_node_died_before_storing_it_is_stored_once(cluster, prefix):
    """The script set and published it, and its node died before the store write: one of the
    others stores it (a Redis lock picks which), after a grace for the node itself."""
    from fumidai.counters.shared_quota import account_keys, encode_suspension

    nodes = cluster(limits={"messages_per_hour": 5}, actions={"on_limit": "suspend"})
    since = nodes[0].clock()
    client = redis_client()
    try:  # what the dead node's script step did
        client.evalsha(nodes[0].service.shared.quota.sha, 3, *account_keys(prefix, "judy"), "suspend",
                       encode_suspension("auto", "quota:messages_per_hour", since, None), f"{prefix}:suspensions",
                       "judy", 1)
    finally:
        client.close()
    convs = [Conversation(n.policy.address) for n in nodes]
    try:
        for conv in convs:
            until_answer(conv, "judy", True)
        # Another change to the account meanwhile: the audit sync reads a store without the
        # suspension yet, and must not clear the copies.
        from fumidai.policy import Override

        nodes[2].call(nodes[2].actions.set_override, "judy", "ops", Override(limits={"messages_per_hour": 7}), "more")
        time.sleep(0.7)  # every node's sync has run
        assert all(conv.mail("judy").startswith("REJECT") for conv in convs)
        deadline = time.monotonic() + 10
        while True:
            with nodes[0].service.store.session() as s:
                from sqlalchemy import text

                rows = s.execute(text("select count(*) from suspensions where account = 'judy'")).scalar()
            if rows or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        time.sleep(0.5)  # had a second node written it too, it would be there by now
        with nodes[0].service.store.session() as s:
            rows = s.execute(text("select count(*) from suspensions where account = 'judy' and by = 'auto'")).scalar()
        assert rows == 1
        nodes[1].call(nodes[1].actions.release, "judy", "ops", "owner called")
        for conv in convs:
            until_answer(conv, "judy", False)
    finally:
        for conv in convs:
            conv.close()


def test_a_suspension_made_by_the_command_line_reaches_redis_through_the_audit_sync(cluster, prefix):
    """`fumidai account suspend` writes only the store: the nodes' audit sync puts it in Redis."""
    from fumidai.actions.staff import StaffActions

    nodes = cluster(limits={"messages_per_hour": 5})
    command_line = StaffActions(nodes[0].service.store, time.time)  # no live state, as the CLI
    nodes[0].call(command_line.suspend, "kim", "ops", "hijacked")
    client = redis_client()
    try:
        deadline = time.monotonic() + 5
        while not client.exists(suspension_key(prefix, "kim")):
            assert time.monotonic() < deadline, "not in Redis"
            time.sleep(0.05)
    finally:
        client.close()
    convs = [Conversation(n.policy.address) for n in nodes]
    try:
        assert all(conv.message("kim").startswith("REJECT") for conv in convs)
    finally:
        for conv in convs:
            conv.close()
