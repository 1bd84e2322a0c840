"""The client speaks the policy protocol exactly as Postfix 3.7 does."""

from __future__ import annotations

import asyncio
import re

import pytest

from fumidai.errors import FumidaiError
from fumidai.sim.client import ATTRIBUTES, PolicyClient, Submission, classify
from tests.conftest import free_port
from tests.fixtures import postfix_requests as fixture_requests


def alice(**kw) -> Submission:
    fields = dict(account="alice", recipients=("rcpt1-1@example.net", "rcpt1-2@example.net"),
                  client_address="127.0.0.5", sender="alice@example.test", client_port=51145,
                  helo_name="e2e-client.test", size=311)
    fields.update(kw)
    return Submission(**fields)


def run(coro):
    return asyncio.run(coro)


def test_attribute_names_and_order_are_postfix_37s():
    for raw in fixture_requests():
        assert raw.endswith(b"\n\n")
        names = [line.split(b"=", 1)[0].decode() for line in raw[:-2].split(b"\n")]
        assert tuple(names) == ATTRIBUTES


def test_one_message_is_byte_for_byte_what_postfix_sent(rule_server):
    captured = fixture_requests()

    async def go():
        async with rule_server(limit=100) as server:
            async with PolicyClient(server.address, server_address="127.0.0.1", server_port=10587,
                                    policy_context="e2e-submission", tls=False) as client:
                result = await client.send(alice())
            return server.raw, result

    sent, result = run(go())
    assert len(sent) == len(captured) == 4
    assert result.outcome == "accepted" and result.accepted_recipients == 2 and result.requests == 4
    # instance and queue_id are made per run; everything else must be identical.
    instance = re.search(rb"\ninstance=([^\n]*)\n", captured[0]).group(1)
    queue_id = re.search(rb"\nqueue_id=([^\n]*)\n", captured[1]).group(1)
    ours_instance = re.search(rb"\ninstance=([^\n]*)\n", sent[0]).group(1)
    ours_queue = re.search(rb"\nqueue_id=([^\n]*)\n", sent[1]).group(1)
    assert re.fullmatch(rb"[0-9a-f]+\.[0-9a-f]+\.[0-9a-f]+\.[0-9a-f]+", ours_instance)
    assert re.fullmatch(rb"[0-9A-F]{11}", ours_queue)
    for ours, theirs in zip(sent, captured):
        normalised = ours.replace(b"instance=" + ours_instance, b"instance=" + instance)
        normalised = normalised.replace(b"queue_id=" + ours_queue, b"queue_id=" + queue_id)
        assert normalised == theirs


def test_instance_is_stable_per_message_and_changes_for_the_next(rule_server):
    async def go():
        async with rule_server(limit=100) as server:
            async with PolicyClient(server.address, connections=1) as client:
                for seq in range(3):
                    await client.send(alice(seq=seq, at=seq * 1.5))
            return server.requests, server.connections

    requests, connections = run(go())
    assert connections == 1  # one persistent connection for every request
    by_message = [requests[i:i + 4] for i in range(0, 12, 4)]
    instances = []
    for message in by_message:
        assert [r["protocol_state"] for r in message] == ["RCPT", "RCPT", "DATA", "END-OF-MESSAGE"]
        assert len({r["instance"] for r in message}) == 1
        assert [r["recipient_count"] for r in message] == ["0", "0", "2", "2"]
        assert message[0]["queue_id"] == "" and len({r["queue_id"] for r in message[1:]}) == 1
        instances.append(message[0]["instance"])
    assert len(set(instances)) == 3


def test_refusal_at_data_ends_the_message(rule_server):
    async def go():
        deferral = "DEFER_IF_PERMIT 4.7.1 Sending quota reached; please try again later"
        async with rule_server(data_answers={"alice": deferral}) as server:
            async with PolicyClient(server.address) as client:
                result = await client.send(alice())
            return server.requests, result

    requests, result = run(go())
    assert [r["protocol_state"] for r in requests] == ["RCPT", "RCPT", "DATA"]  # no END-OF-MESSAGE
    assert result.outcome == "deferred" and result.action.startswith("DEFER_IF_PERMIT 4.7.1")


def test_refused_recipients_are_not_counted_and_all_refused_means_no_data(rule_server):
    r1, r2, r3 = "a@example.net", "b@example.net", "c@example.net"

    async def go():
        answers = {r1: "550 5.1.1 no such user", r2: "DUNNO", r3: "452 4.5.3 Too many recipients"}
        async with rule_server(rcpt_answers=answers) as server:
            async with PolicyClient(server.address) as client:
                partly = await client.send(alice(recipients=(r1, r2, r3), seq=1))
                first = len(server.requests)
                refused = await client.send(alice(recipients=(r1, r3), seq=2))
            return server.requests, first, partly, refused

    requests, first, partly, refused = run(go())
    one = requests[:first]
    assert [r["protocol_state"] for r in one] == ["RCPT", "RCPT", "RCPT", "DATA", "END-OF-MESSAGE"]
    # The queue file exists only once a recipient was accepted.
    assert [r["queue_id"] for r in one[:3]][:2] == ["", ""] and one[2]["queue_id"] != ""
    assert one[3]["recipient_count"] == "1" and partly.accepted_recipients == 1 and partly.outcome == "accepted"
    assert [r["protocol_state"] for r in requests[first:]] == ["RCPT", "RCPT"]
    assert refused.outcome == "rejected" and refused.action.startswith("550")


def test_hold_and_filter_accept_the_message(rule_server):
    async def go():
        async with rule_server(data_answers={"alice": "HOLD quota", "bob": "FILTER smtp:[q.example]:25"}) as server:
            async with PolicyClient(server.address) as client:
                held = await client.send(alice(seq=1))
                filtered = await client.send(alice(account="bob", seq=2))
            return server.requests, held, filtered

    requests, held, filtered = run(go())
    assert [r["protocol_state"] for r in requests].count("END-OF-MESSAGE") == 2
    assert (held.outcome, held.action) == ("held", "HOLD quota")
    assert filtered.outcome == "filtered"


@pytest.mark.parametrize("action, outcome", [
    ("DUNNO", "accepted"), ("OK", "accepted"), ("", "accepted"), ("PREPEND X-Foo: bar", "accepted"),
    ("DEFER_IF_REJECT 4.7.1 x", "accepted"), ("REJECT 5.7.1 suspended", "rejected"), ("554 5.7.1 no", "rejected"),
    ("reject", "rejected"), ("DEFER_IF_PERMIT 4.7.1 later", "deferred"), ("DEFER", "deferred"),
    ("451 4.3.5 Server configuration problem", "deferred"), ("HOLD quota", "held"),
    ("FILTER smtp:[q]:25", "filtered"),
])
def test_classify(action, outcome):
    assert classify(action) == outcome


def test_unreachable_server_is_one_clear_error():
    port = free_port()  # nothing listens there

    async def go():
        async with PolicyClient(f"127.0.0.1:{port}"):
            pass

    with pytest.raises(FumidaiError) as err:
        run(go())
    assert f"cannot reach the policy server at 127.0.0.1:{port}" in str(err.value)
    assert "\n" not in str(err.value)


def test_no_answer_counts_as_smtpds_default_action():
    async def go():
        async def silent(reader, writer):  # reads a request, then hangs up without answering
            await reader.readuntil(b"\n\n")
            writer.close()

        server = await asyncio.start_server(silent, "127.0.0.1", 0)
        try:
            async with PolicyClient(f"127.0.0.1:{server.sockets[0].getsockname()[1]}", timeout=2) as client:
                return await client.send(alice()), client.failures
        finally:
            server.close()
            await server.wait_closed()

    result, failures = run(go())
    assert (result.outcome, result.action, failures) == ("deferred", "451 4.3.5 Server configuration problem", 1)


def test_values_with_newlines_are_refused():
    from fumidai.sim.client import encode_request

    with pytest.raises(ValueError):
        encode_request({"sender": "a@b\nrecipient=evil"})
