"""One quota across two nodes, with a real Postfix on one of them (issue 12).

Node A is a `fumidai serve` that the throw-away Postfix (conftest.py) asks; node B is a second
node in this process (tests/harness.py: the same service, real sockets) that no Postfix uses:
the test speaks the policy protocol to it directly, as another MTA's smtpd would. Both share
one PostgreSQL store (a fresh database per test) and one Redis (database 15, a key prefix of
the test's own), with the shared quota on. The quota is conftest's 5 messages an hour, and
reaching it suspends the account.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

import pytest

from fumidai.config import settings_from_dict
from fumidai.store import Store, repo

from tests.cluster.conftest import Conversation, prefix, redis_url  # noqa: F401 (fixtures)
from tests.cluster.test_shared_quota import shared_total
from tests.cluster.test_suspensions import until_answer
from tests.harness import ServerThread

from .conftest import HOME_IP, FumidaiServer, Outcome
from .test_postfix import SUSPENDED, assert_refused

pytestmark = [pytest.mark.e2e, pytest.mark.redis, pytest.mark.postgres, pytest.mark.slow]

QUOTA = 5  # conftest.LIMITS_TOML's messages_per_hour
SHARED = {
    "counters": {"backend": "redis", "shared_quota": True,
                 "script_timeout": 2.0},  # a loaded 2-core machine: no per-node fallback by accident
    "actions": {"on_limit": "suspend"},
    "complaints": {"trace_header": ""},  # no trace key to share between the nodes
}


def _toml_table(name: str, values: dict) -> str:
    def value(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        return f'"{v}"' if isinstance(v, str) else str(v)

    return f"[{name}]\n" + "".join(f"{k} = {value(v)}\n" for k, v in values.items())


@pytest.fixture
def two_nodes(e2e_base, ports, geoip_db, pg_url, redis_url, prefix):  # noqa: F811 (fixtures)
    """(A, B): A a `fumidai serve` on the policy port Postfix asks, B a node of this process."""
    store = Store(pg_url)
    store.upgrade()  # before either node starts: neither races the other to make the schema
    store.dispose()
    counters = {**SHARED["counters"], "redis_url": redis_url, "redis_prefix": prefix}

    a = FumidaiServer(e2e_base, ports["policy"], ports["api"], geoip_db)
    text = a.config.read_text().replace(f'url = "sqlite:///{e2e_base}/fumidai.db"', f'url = "{pg_url}"')
    assert pg_url in text, text
    a.config.write_text(text + "\n" + _toml_table("counters", counters) + _toml_table("actions", SHARED["actions"])
                        + _toml_table("complaints", SHARED["complaints"]))
    a.start()

    b = None
    try:
        b = ServerThread(settings_from_dict({
            "storage": {"url": pg_url, "flush_interval": 0.2},
            "geoip": {"database": str(geoip_db), "home_countries": ["JP"]},
            "limits": {"messages_per_hour": QUOTA, "messages_per_day": 50, "abroad": {"messages_per_day": 2}},
            "counters": counters, "actions": SHARED["actions"], "complaints": SHARED["complaints"],
        }), clock=time.time)
        b.start()
        yield a, b
    finally:
        if b is not None:
            b.close()
        a.stop()


def _stored_suspension(pg_url: str, account: str):
    store = Store(pg_url)
    try:
        with store.session() as s:
            return repo.active_suspensions(s, datetime.now(timezone.utc)).get(account)
    finally:
        store.dispose()


def _wait_stored(pg_url: str, account: str, timeout: float = 20):
    """The suspension in the store (A's refusal waited for it; B may still be flushing its view)."""
    deadline = time.monotonic() + timeout
    while (found := _stored_suspension(pg_url, account)) is None:
        if time.monotonic() > deadline:
            raise AssertionError(f"{account!r} not suspended in the store")
        time.sleep(0.1)
    return found


def test_postfix_on_node_a_and_direct_load_on_node_b_share_one_quota(mail, two_nodes, pg_url, prefix):  # noqa: F811
    a, b = two_nodes
    conv_b = Conversation(b.policy.address)
    try:
        # Alternating, back to back: Postfix (A), B, Postfix, B, Postfix: the quota of 5, all let through.
        outcomes = []
        for i in range(QUOTA):
            if i % 2 == 0:
                outcomes.append(mail.send("shared1", HOME_IP))
            else:
                outcomes.append(conv_b.message("shared1", HOME_IP))
        assert outcomes == [Outcome("sent"), "DUNNO", Outcome("sent"), "DUNNO", Outcome("sent")], outcomes
        assert shared_total(prefix, "shared1") == QUOTA

        # The sixth, through Postfix: over the shared quota (A saw only 3 of the 5 itself), so
        # refused at DATA with the suspension text, and the account is suspended.
        assert_refused(mail.send("shared1", HOME_IP), "DATA", SUSPENDED)
        # Suspended on both nodes: B refuses at MAIL from its own copy, and the next message;
        # A refuses Postfix's next submission at its first RCPT TO.
        until_answer(conv_b, "shared1", True, timeout=10)
        b_answer = conv_b.message("shared1", HOME_IP)
        assert b_answer.startswith("REJECT") and SUSPENDED in b_answer, b_answer
        assert_refused(mail.send("shared1", HOME_IP), "RCPT", SUSPENDED)
    finally:
        conv_b.close()

    assert _wait_stored(pg_url, "shared1").by == "auto"
    assert "suspended" in a.cli("account", "show", "shared1")
    assert shared_total(prefix, "shared1") == QUOTA  # nothing refused was counted
    assert mail.wait_delivered("shared1", 3) == 3  # and only what Postfix accepted reached the sink


def test_postfix_and_node_b_at_the_same_time_get_exactly_the_quota(mail, two_nodes, pg_url, prefix):  # noqa: F811
    """Postfix submits one message after another while three connections to B send at once:
    whatever the interleaving, exactly the quota is let through in total."""
    _, b = two_nodes
    account = "shared2"
    postfix_out: list[Outcome] = []
    b_answers: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def through_postfix():
        try:
            start.wait(30)
            for _ in range(4):
                postfix_out.append(mail.send(account, HOME_IP))
        except BaseException as err:  # shown by the assertion below
            errors.append(err)

    def through_b():
        conv = Conversation(b.policy.address)
        try:
            start.wait(30)
            for _ in range(3):
                b_answers.append(conv.message(account, HOME_IP))
        except BaseException as err:
            errors.append(err)
        finally:
            conv.close()

    threads = [threading.Thread(target=through_postfix)] + [threading.Thread(target=through_b) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    assert len(postfix_out) == 4 and len(b_answers) == 9, (postfix_out, b_answers)

    sent = sum(o.stage == "sent" for o in postfix_out)
    b_accepted = b_answers.count("DUNNO")  # let through at DATA, where the message is counted
    assert sent + b_accepted == QUOTA, (postfix_out, b_answers)
    for out in postfix_out:
        if out.stage != "sent":  # the one that crossed it (DATA), or one after the suspension (RCPT)
            assert_refused(out, out.stage, SUSPENDED)
    assert all(x.startswith("REJECT") and SUSPENDED in x for x in b_answers if x != "DUNNO"), b_answers
    assert shared_total(prefix, account) == QUOTA

    # Suspended on both nodes, and in the store.
    conv_b = Conversation(b.policy.address)
    try:
        until_answer(conv_b, account, True, timeout=10)
    finally:
        conv_b.close()
    assert_refused(mail.send(account, HOME_IP), "RCPT", SUSPENDED)
    assert _wait_stored(pg_url, account).by == "auto"
    assert mail.wait_delivered(account, sent) == sent
