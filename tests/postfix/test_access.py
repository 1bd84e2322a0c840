"""Who may talk to the policy server, and how long a connection may sit there.

A real server on a private loop in this thread; clients are real sockets.
"""

from __future__ import annotations

import asyncio
import grp
import logging
import os
import socket
import stat
import time

import pytest

from fumidai.config import settings_from_dict
from fumidai.postfix.server import PolicyServer, SocketGroupError

from tests.fixtures import postfix_requests

GOOD = b"request=smtpd_access_policy\nprotocol_state=DATA\nsasl_username=alice\nrecipient_count=2\n\n"


class Recorder:
    def __init__(self):
        self.seen = []

    def __call__(self, attrs):
        self.seen.append(attrs)
        return "DUNNO"


class Running:
    """A PolicyServer on its own loop; ``run(coro)`` drives both."""

    def __init__(self, policy=None, **kw):
        """A PolicyServer(**kw), or PolicyServer.from_settings(policy, **kw) for a [policy] section."""
        self.loop = asyncio.new_event_loop()
        self.handler = Recorder()
        self.refusals = []
        if policy is not None:
            self.server = PolicyServer.from_settings(self.handler, policy, on_refused=self.refusals.append, **kw)
        else:
            kw.setdefault("listen", "127.0.0.1:0")
            self.server = PolicyServer(self.handler, on_refused=self.refusals.append, **kw)
        self.run(self.server.start())

    def run(self, coro, timeout=10.0):
        return self.loop.run_until_complete(asyncio.wait_for(coro, timeout))

    def close(self):
        self.run(self.server.stop())
        self.loop.close()


@pytest.fixture
def running():
    made = []

    def start(**kw) -> Running:
        made.append(Running(**kw))
        return made[-1]

    yield start
    for r in made:
        r.close()


async def _connect(address: str):
    host, port = address.rsplit(":", 1)
    return await asyncio.open_connection(host, int(port))


async def _closed_within(reader, seconds: float) -> float | None:
    """Seconds until the server closed the connection (None if it did not), reading everything."""
    start = time.monotonic()
    try:
        while True:
            chunk = await asyncio.wait_for(reader.read(65536), seconds - (time.monotonic() - start))
            if not chunk:
                return time.monotonic() - start
    except ConnectionResetError:
        return time.monotonic() - start
    except asyncio.TimeoutError:
        return None


async def _ask(reader, writer, request: bytes = GOOD) -> bytes:
    writer.write(request)
    return await asyncio.wait_for(reader.readuntil(b"\n\n"), 2)


async def _answers(opening, requests=(GOOD,)) -> list[bytes]:
    """Open a connection (``opening``: an open_connection coroutine), ask each request in turn, close."""
    reader, writer = await opening
    try:
        return [await _ask(reader, writer, request) for request in requests]
    finally:
        writer.close()


def _policy(**keys):
    return settings_from_dict({"policy": {"listen": "127.0.0.1:0", **keys}}).policy


# -- the unix socket ----------------------------------------------------------------------------


def test_unix_socket_is_0660_with_the_configured_group(running, tmp_path):
    group = grp.getgrgid(os.getgid()).gr_name  # a group this process may give the socket to
    path = tmp_path / "policy.sock"
    r = running(listen=f"unix:{path}", socket_group=group)
    st = os.stat(path)
    assert stat.S_ISSOCK(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o660
    assert st.st_gid == os.getgid()

    assert r.run(_answers(asyncio.open_unix_connection(str(path)))) == [b"action=DUNNO\n\n"]


def test_a_missing_socket_group_stops_start_up_naming_the_key(tmp_path):
    path = tmp_path / "policy.sock"
    loop = asyncio.new_event_loop()
    try:
        srv = PolicyServer(lambda a: "DUNNO", f"unix:{path}", socket_group="no-such-group-fumidai")
        with pytest.raises(SocketGroupError, match=r"\[policy\] socket_group: .*no-such-group-fumidai"):
            loop.run_until_complete(srv.start())
    finally:
        loop.close()
    assert not path.exists()


# -- the TCP allow-list -------------------------------------------------------------------------


def test_a_peer_outside_the_allow_list_is_closed_at_once_and_logged_once(running, caplog):
    r = running(allow=["192.0.2.0/24", "::1"])

    async def try_many():
        waits = []
        for _ in range(5):
            reader, writer = await _connect(r.server.address)
            writer.write(GOOD)
            waits.append(await _closed_within(reader, 2))
            writer.close()
        return waits

    with caplog.at_level(logging.WARNING, logger="fumidai.policy"):
        waits = r.run(try_many())
    assert all(w is not None and w < 0.5 for w in waits)
    assert r.handler.seen == []  # nothing forged reached the engine
    assert r.server.refused["peer_not_allowed"] == 5 and r.refusals == ["peer_not_allowed"] * 5
    lines = [rec for rec in caplog.records if "not in [policy] allow" in rec.getMessage()]
    assert len(lines) == 1  # rate-limited: the other four are counted into the next line


def test_allowed_networks_by_cidr(running):
    r = running(allow=["127.0.0.0/8"])
    assert r.run(_answers(_connect(r.server.address))) == [b"action=DUNNO\n\n"]


def test_ipv6_loopback_is_allowed_by_default(running):
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    try:
        r = running(listen="[::1]:0")
    except OSError:
        pytest.skip("::1 is not configured here")

    opening = asyncio.open_connection("::1", int(r.server.address.rsplit(":", 1)[1]))
    assert r.run(_answers(opening)) == [b"action=DUNNO\n\n"]


# -- per-peer cap and idle connections ----------------------------------------------------------


def test_one_peer_cannot_hold_more_than_its_share(running):
    r = running(max_connections_per_peer=2)

    async def scenario():
        first = [await _connect(r.server.address) for _ in range(2)]
        for reader, writer in first:
            assert await _ask(reader, writer) == b"action=DUNNO\n\n"
        reader, writer = await _connect(r.server.address)
        refused_after = await _closed_within(reader, 2)
        writer.close()
        first[0][1].close()
        await asyncio.sleep(0.1)
        reader, writer = await _connect(r.server.address)  # a slot is free again
        answer = await _ask(reader, writer)
        for _, w in first[1:] + [(reader, writer)]:
            w.close()
        return refused_after, answer

    refused_after, answer = r.run(scenario())
    assert refused_after is not None and refused_after < 0.5
    assert answer == b"action=DUNNO\n\n"
    assert r.server.refused["peer_full"] == 1


def test_idle_connection_is_closed_but_a_busy_one_is_not(running):
    r = running(idle_timeout=0.4)

    async def scenario():
        idle_reader, idle_writer = await _connect(r.server.address)
        assert await _ask(idle_reader, idle_writer) == b"action=DUNNO\n\n"
        busy_reader, busy_writer = await _connect(r.server.address)
        closed_idle = asyncio.create_task(_closed_within(idle_reader, 3))
        answers = []
        for _ in range(10):  # one request every 0.1 s for 1 s: never idle for 0.4 s
            answers.append(await _ask(busy_reader, busy_writer))
            await asyncio.sleep(0.1)
        idle_writer.close()
        busy_writer.close()
        return await closed_idle, answers

    closed_idle, answers = r.run(scenario())
    assert closed_idle is not None and 0.3 < closed_idle < 1.2
    assert answers == [b"action=DUNNO\n\n"] * 10


# -- requests that never end ----------------------------------------------------------------------


def test_crlf_request_is_closed_at_once_not_after_read_timeout(running):
    r = running(read_timeout=30)

    async def scenario():
        reader, writer = await _connect(r.server.address)
        writer.write(GOOD.replace(b"\n", b"\r\n"))
        waited = await _closed_within(reader, 5)
        writer.close()
        return waited

    waited = r.run(scenario())
    assert waited is not None and waited < 1
    assert r.handler.seen == [] and r.server.refused["crlf"] == 1


def test_crlf_split_across_writes_is_still_seen(running):
    r = running(read_timeout=30)
    request = GOOD.replace(b"\n", b"\r\n")

    async def scenario():
        reader, writer = await _connect(r.server.address)
        cut = len(request) - 3  # "\r" | "\n\r\n": the blank line arrives in the second write
        writer.write(request[:cut])
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.write(request[cut:])
        waited = await _closed_within(reader, 5)
        writer.close()
        return waited

    waited = r.run(scenario())
    assert waited is not None and waited < 1


def test_slowloris_is_closed_within_the_request_timeout(running):
    r = running(read_timeout=0.5, idle_timeout=60)

    async def scenario():
        reader, writer = await _connect(r.server.address)
        closed = asyncio.create_task(_closed_within(reader, 5))
        started = time.monotonic()
        sent = 0
        try:
            for byte in GOOD[:-2] * 10:  # a byte every 20 ms, the request never completed
                if closed.done():
                    break
                writer.write(bytes([byte]))
                sent += 1
                await asyncio.sleep(0.02)
        except ConnectionError:
            pass
        waited = await closed
        writer.close()
        return waited, time.monotonic() - started, sent

    waited, _, sent = r.run(scenario())
    assert waited is not None and waited < 1.0  # 0.5 s after its first byte, trickling or not
    assert sent < 60
    assert r.server.refused["stalled"] == 1 and r.handler.seen == []


# -- numbers out of range -------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["-1000", "-99999999999999999999", "100001", "１"])
def test_out_of_range_numbers_are_answered_on_error_and_never_handled(running, value, caplog):
    r = running(on_error="DEFER_IF_PERMIT 4.3.0 try later", attributes=("sasl_username", "recipient_count"))
    bad = GOOD.replace(b"recipient_count=2", f"recipient_count={value}".encode())
    with caplog.at_level(logging.WARNING, logger="fumidai.policy"):
        answers = r.run(_answers(_connect(r.server.address), [bad, bad, GOOD]))
    assert answers == [b"action=DEFER_IF_PERMIT 4.3.0 try later\n\n"] * 2 + [b"action=DUNNO\n\n"]
    assert r.handler.seen == [{"sasl_username": "alice", "recipient_count": "2"}]  # only the good one
    assert r.server.refused["out_of_range"] == 2 and r.refusals == ["out_of_range"] * 2
    assert sum("recipient_count" in rec.getMessage() for rec in caplog.records) == 1


def test_every_parsed_number_is_checked_with_the_configured_maxima(running):
    policy = _policy(max_recipients=10, max_size=1000)
    r = running(policy=policy)  # every attribute parsed
    real = postfix_requests()[2]  # Postfix's own DATA request: size=…, client_port=…
    requests = [real]
    for forged in (b"recipient_count=11", b"size=1001", b"client_port=70000", b"encryption_keysize=-1"):
        name = forged.split(b"=")[0]
        lines = [line for line in real[:-2].split(b"\n") if not line.startswith(name + b"=")]
        requests.append(b"\n".join(lines + [forged]) + b"\n\n")
    assert r.run(_answers(_connect(r.server.address), requests)) == [b"action=DUNNO\n\n"] * 5
    assert len(r.handler.seen) == 1 and r.server.refused["out_of_range"] == 4
    assert r.server.max_connections_per_peer == policy.max_connections_per_peer
    assert r.server.socket_group == "postfix"


# -- account names ---------------------------------------------------------------------------------


def test_from_settings_hands_the_handler_canonical_account_names(running):
    r = running(policy=_policy(strip_realms=["example.jp"], on_error="DEFER_IF_PERMIT 4.3.0 bad name"),
                attributes=("sasl_username", "recipient_count"))
    spellings = ["alice", "Alice", "ALICE", "ａｌｉｃｅ", "alice@example.jp", "Alice@EXAMPLE.JP", "ali\u200bce"]
    requests = [GOOD.replace(b"sasl_username=alice", f"sasl_username={s}".encode()) for s in spellings]
    answers = r.run(_answers(_connect(r.server.address), requests))
    assert answers == [b"action=DUNNO\n\n"] * 6 + [b"action=DEFER_IF_PERMIT 4.3.0 bad name\n\n"]
    assert [a["sasl_username"] for a in r.handler.seen] == ["alice"] * 6  # the zero-width one never got through
    assert r.server.refused["bad_account"] == 1 and r.refusals == ["bad_account"]


def test_exact_account_names_keep_case(running):
    r = running(policy=_policy(account_names="exact"), attributes=("sasl_username",))
    r.run(_answers(_connect(r.server.address), [b"sasl_username=Alice\n\n", b"sasl_username=alice\n\n"]))
    assert [a["sasl_username"] for a in r.handler.seen] == ["Alice", "alice"]
