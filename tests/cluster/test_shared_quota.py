"""One quota across three nodes: concurrent senders get exactly the quota, no more."""

from __future__ import annotations

import pytest

from fumidai.counters.shared_quota import bucket_key

from tests.cluster.conftest import CN, JP, Conversation, at_once, redis_client

pytestmark = pytest.mark.redis


def shared_total(prefix: str, account: str) -> int:
    client = redis_client()
    try:
        return sum(int(v.split(b",")[0]) for f, v in client.hgetall(bucket_key(prefix, account)).items()
                   if f.startswith(b"a:"))
    finally:
        client.close()


def send_all(nodes, account: str, per_node: int, ip: str = JP) -> list[str]:
    """per_node messages through every node at once, each on its own connection."""
    convs = [Conversation(node.policy.address) for node in nodes for _ in range(per_node)]
    try:
        return at_once(lambda c: c.message(account, ip), [(c,) for c in convs])
    finally:
        for c in convs:
            c.close()


def test_thirty_at_once_across_three_nodes_get_exactly_the_quota(cluster, prefix):
    nodes = cluster(limits={"messages_per_hour": 10}, actions={"on_limit": "reject"})
    answers = send_all(nodes, "alice", 10)
    assert all(isinstance(a, str) for a in answers), answers
    assert answers.count("DUNNO") == 10, answers
    assert all(a.startswith("REJECT") for a in answers if a != "DUNNO"), answers
    assert shared_total(prefix, "alice") == 10
    # Every node now refuses the next one, whichever it is.
    for node in nodes:
        c = Conversation(node.policy.address)
        try:
            assert c.message("alice").startswith("REJECT")
        finally:
            c.close()
    assert shared_total(prefix, "alice") == 10


def test_alternating_nodes_back_to_back_get_exactly_the_quota(cluster):
    nodes = cluster(limits={"messages_per_hour": 10}, actions={"on_limit": "reject"})
    convs = [Conversation(n.policy.address) for n in nodes]
    try:
        answers = [convs[i % 3].message("bob") for i in range(20)]
    finally:
        for c in convs:
            c.close()
    assert answers[:10] == ["DUNNO"] * 10
    assert all(a.startswith("REJECT") for a in answers[10:]), answers


def test_recipient_quota_and_country_cap_are_shared(cluster):
    nodes = cluster(limits={"messages_per_hour": 100, "recipients_per_hour": 12, "country": {"CN": {"messages_per_day": 2}}},
                    actions={"on_limit": "reject"})
    convs = [Conversation(n.policy.address) for n in nodes]
    try:
        # The CN cap: 2 a day across all nodes; home mail is not limited by it.
        cn = [convs[i % 3].message("carol", CN) for i in range(4)]
        assert cn[:2] == ["DUNNO"] * 2 and all(a.startswith("REJECT") for a in cn[2:]), cn
        assert convs[2].message("carol", JP) == "DUNNO"
        # 3 recipients used; 9 more fit in the hour, across nodes: 3 messages of 3, then no more.
        got = [convs[i % 3].message("carol", JP, recipients=3) for i in range(4)]
        assert got[:3] == ["DUNNO"] * 3 and got[3].startswith("REJECT"), got
    finally:
        for c in convs:
            c.close()


def test_automatic_suspension_at_the_shared_quota_is_made_once(cluster):
    nodes = cluster(limits={"messages_per_hour": 10}, actions={"on_limit": "suspend"})
    answers = send_all(nodes, "dave", 10)
    assert answers.count("DUNNO") == 10, answers
    for node in nodes:
        node.flush()
    with nodes[0].service.store.session() as s:
        from sqlalchemy import text

        rows = s.execute(text("select count(*) from suspensions where account = 'dave'")).scalar()
        audits = s.execute(text("select count(*) from audit where account = 'dave' and action = 'auto_suspend'")).scalar()
    assert rows == 1 and audits == 1
    for node in nodes:  # every node refuses it at MAIL now, from its own copy
        c = Conversation(node.policy.address)
        try:
            assert c.mail("dave").startswith("REJECT")
        finally:
            c.close()


def test_metrics_show_the_shared_quota(cluster):
    from fumidai.api.metrics import ReplicationCollector

    (node,) = cluster(n=1, limits={"messages_per_hour": 1}, actions={"on_limit": "reject"})
    conv = Conversation(node.policy.address)
    try:
        assert conv.message("lee") == "DUNNO" and conv.message("lee").startswith("REJECT")
    finally:
        conv.close()
    found = {m.name: m.samples[0].value for m in ReplicationCollector(node.service).collect()}
    assert found["fumidai_shared_quota_available"] == 1
    assert found["fumidai_shared_quota_calls"] == 2 and found["fumidai_shared_quota_refused"] == 1
