"""The policy server at the protocol level, with the exact bytes Postfix 3.7 sent."""

from __future__ import annotations

import asyncio
import socket

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fumidai.postfix import codec
from fumidai.postfix.codec import (
    MAX_ATTRIBUTES,
    MAX_LINE,
    AttributeReader,
    NumberOutOfRange,
    ProtocolError,
    encode_reply,
    numeric_limits,
    parse_request,
)
from fumidai.postfix.server import PolicyServer

from tests.fixtures import postfix_requests


def test_fixture_requests_parse():
    reqs = postfix_requests()
    assert [r.decode().split("protocol_state=")[1].split("\n")[0] for r in reqs] == ["RCPT", "RCPT", "DATA", "END-OF-MESSAGE"]
    attrs = parse_request(reqs[2][:-2])
    assert attrs["sasl_username"] == "alice" and attrs["recipient_count"] == "2" and attrs["recipient"] == ""
    assert attrs["instance"] == "b96.6b09e901.866ba.0"


@pytest.mark.parametrize(
    "block",
    [b"no equals sign", b"=value", b"name=" + b"x" * 9000, b"a=\xff\xfe", b"\n".join(b"k%d=v" % i for i in range(200)), b"a=b\x00c"],
    ids=["no-equals", "empty-name", "long-line", "not-utf8", "too-many", "nul"],
)
def test_malformed_blocks_are_refused(block):
    with pytest.raises(ProtocolError):
        parse_request(block)


def test_reply_is_one_line():
    assert encode_reply("REJECT a\nb") == b"action=REJECT a b\n\n"


class Recorder:
    def __init__(self):
        self.seen = []

    def __call__(self, attrs):
        self.seen.append(attrs)
        return "DUNNO" if attrs.get("protocol_state") != "DATA" else "REJECT 5.7.1 test"


@pytest.fixture
def server_loop():
    """A real server on a loopback port, run on a private event loop in this thread."""
    loop = asyncio.new_event_loop()
    rec = Recorder()
    srv = PolicyServer(rec, "127.0.0.1:0", read_timeout=0.5)
    loop.run_until_complete(srv.start())
    try:
        yield loop, srv, rec
    finally:
        loop.run_until_complete(srv.stop())
        loop.close()


async def _exchange(address: str, chunks: list[bytes], expect_replies: int, timeout=2.0) -> tuple[bytes, bool]:
    host, port = address.rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port))
    for c in chunks:
        writer.write(c)
        await writer.drain()
        await asyncio.sleep(0.01)
    data = b""
    closed = False
    try:
        while data.count(b"\n\n") < expect_replies:
            more = await asyncio.wait_for(reader.read(65536), timeout)
            if not more:
                closed = True
                break
            data += more
        if not closed and expect_replies == 0:
            closed = (await asyncio.wait_for(reader.read(1), timeout)) == b""
    except (ConnectionResetError, asyncio.TimeoutError):
        closed = True
    writer.close()
    return data, closed


def test_many_requests_on_one_connection_one_reply_each(server_loop):
    loop, srv, rec = server_loop
    reqs = postfix_requests()
    # All four in one write, then again split at awkward places: framing must not care.
    blob = b"".join(reqs)
    pieces = [blob[:7], blob[7:600], blob[600:601], blob[601:]]
    data, closed = loop.run_until_complete(_exchange(srv.address, [blob] + pieces, 8))
    assert data == (b"action=DUNNO\n\n" * 2 + b"action=REJECT 5.7.1 test\n\n" + b"action=DUNNO\n\n") * 2
    assert not closed
    assert [a["protocol_state"] for a in rec.seen] == ["RCPT", "RCPT", "DATA", "END-OF-MESSAGE"] * 2


def test_malformed_request_closes_without_reply_and_others_go_on(server_loop):
    loop, srv, rec = server_loop
    good = postfix_requests()[0]

    async def both():
        bad = asyncio.create_task(_exchange(srv.address, [good, b"garbage line\n\n"], 2))
        ok = asyncio.create_task(_exchange(srv.address, [good, good], 2))
        return await bad, await ok

    (bad_data, bad_closed), (ok_data, ok_closed) = loop.run_until_complete(both())
    assert bad_data == b"action=DUNNO\n\n" and bad_closed  # the good one answered, the bad one not
    assert ok_data == b"action=DUNNO\n\n" * 2 and not ok_closed
    assert srv.dropped == 1


def test_stalled_request_is_closed(server_loop):
    loop, srv, _ = server_loop
    data, closed = loop.run_until_complete(_exchange(srv.address, [b"request=smtpd_access_policy\nprotocol_state=RCP"], 0))
    assert data == b"" and closed


def test_oversized_request_is_closed(server_loop):
    loop, srv, _ = server_loop
    data, closed = loop.run_until_complete(_exchange(srv.address, [b"a=b\n" * 20000], 0))
    assert data == b"" and closed


def test_unix_socket(tmp_path):
    loop = asyncio.new_event_loop()
    path = tmp_path / "policy.sock"
    srv = PolicyServer(lambda attrs: "DUNNO", f"unix:{path}")
    loop.run_until_complete(srv.start())
    try:
        async def talk():
            reader, writer = await asyncio.open_unix_connection(str(path))
            writer.write(postfix_requests()[0])
            reply = await reader.readuntil(b"\n\n")
            writer.close()
            return reply

        assert loop.run_until_complete(talk()) == b"action=DUNNO\n\n"
    finally:
        loop.run_until_complete(srv.stop())
        loop.close()
    assert not path.exists()


def _naive_parse(block: bytes) -> dict[str, str]:
    """The protocol's rules line by line: what the fast checks must agree with."""
    if not block or b"\x00" in block:
        raise ProtocolError("bad")
    text = block.decode("utf-8")  # UnicodeDecodeError is a ValueError, as ProtocolError is
    lines = text.split("\n")
    if len(lines) > MAX_ATTRIBUTES or any(len(line.encode()) > MAX_LINE for line in lines):
        raise ProtocolError("bad")
    attrs = {}
    for line in lines:
        name, eq, value = line.partition("=")
        if not eq or not name:
            raise ProtocolError("bad")
        attrs[name] = value
    return attrs


_line = st.one_of(
    st.tuples(st.sampled_from(["sasl_username", "recipient", "instance", "x", ""]), st.sampled_from(["=", ""]),
              st.text(alphabet="ab=\n\x00é", max_size=6)).map("".join),
    st.text(alphabet="a=\n", max_size=4),
)


@pytest.fixture(params=["c", "python"])
def parser(request):
    """Each test of the parser runs on the C parser and on its Python twin."""
    if request.param == "c" and codec._parse_c is None:
        pytest.skip("the C parser is not built")
    saved = codec._parse_c
    if request.param == "python":
        codec._parse_c = None
    yield request.param
    codec._parse_c = saved


def test_the_c_parser_is_built():
    # setup.py marks it optional; on this platform a silent fallback would be a regression.
    assert codec._parse_c is not None


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(block=st.lists(_line, min_size=0, max_size=6).map("\n".join).map(str.encode))
def test_parsers_agree_with_the_naive_rules(parser, block):
    try:
        expected = _naive_parse(block)
    except ValueError:
        with pytest.raises(ProtocolError):
            parse_request(block)
        with pytest.raises(ProtocolError):
            AttributeReader(["sasl_username"])(block)
        return
    assert parse_request(block) == expected
    wanted = ["sasl_username", "recipient", "instance", "missing"]
    assert AttributeReader(wanted)(block) == {k: v for k, v in expected.items() if k in wanted}


@pytest.mark.parametrize(
    "block",
    [b"no equals sign", b"=value", b"name=" + b"x" * 9000, b"a=\xff\xfe", b"\n".join(b"k%d=v" % i for i in range(200)),
     b"a=b\x00c", b"a=b\n", b"\na=b", b"a=b\n\nc=d"],
    ids=["no-equals", "empty-name", "long-line", "not-utf8", "too-many", "nul", "trailing-newline", "leading-newline",
         "empty-line"],
)
def test_malformed_blocks_are_refused_by_both(parser, block):
    with pytest.raises(ProtocolError):
        parse_request(block)
    with pytest.raises(ProtocolError):
        AttributeReader(["a"])(block)


def test_limits_are_inclusive(parser):
    at_limit = b"\n".join(b"k%d=v" % i for i in range(MAX_ATTRIBUTES))
    assert len(parse_request(at_limit)) == MAX_ATTRIBUTES
    longest = b"n=" + b"x" * (MAX_LINE - 2)
    assert parse_request(longest)["n"] == "x" * (MAX_LINE - 2)
    assert parse_request("a=日本\nb=c=d".encode()) == {"a": "日本", "b": "c=d"}


def test_attribute_reader_reads_postfix_requests_like_the_full_parser(parser):
    names = ["sasl_username", "protocol_state", "client_address", "recipient_count", "instance", "recipient"]
    read = AttributeReader(names)
    for req in postfix_requests():
        full = parse_request(req[:-2])
        assert len(full) > 20 and read(req[:-2]) == {k: full[k] for k in names}


# -- numbers: range-checked by both parsers alike ---------------------------------------------

_LIMITS = {"recipient_count": 100, "size": 5000}


def _naive_numbers_ok(attrs: dict[str, str]) -> bool:
    """Empty, or ASCII digits 0-9 worth at most the limit (the last value of a repeated name)."""
    for name, top in _LIMITS.items():
        value = attrs.get(name)
        if value and not (all(c in "0123456789" for c in value) and int(value) <= top):
            return False
    return True


_number = st.one_of(st.integers(-5, 6000).map(str), st.text(alphabet="0123456789-+ _１٣e", max_size=24),
                    st.just("99999999999999999999999999"), st.just("0" * 40 + "7"))
_number_line = st.tuples(st.sampled_from(["recipient_count", "size", "client_port"]), _number).map("=".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.one_of(_number_line, st.just("sasl_username=alice"), st.just("instance=1.2")), min_size=1,
                      max_size=5))
def test_parsers_agree_on_number_ranges(parser, lines):
    block = "\n".join(lines).encode()
    expected = _naive_parse(block)
    wanted = ["sasl_username", "recipient_count"]
    if _naive_numbers_ok(expected):
        assert parse_request(block, _LIMITS) == expected
    else:
        with pytest.raises(NumberOutOfRange):
            parse_request(block, _LIMITS)
    subset = {k: v for k, v in expected.items() if k in wanted}
    if _naive_numbers_ok(subset):
        assert AttributeReader(wanted, _LIMITS)(block) == subset
    else:
        with pytest.raises(NumberOutOfRange):
            AttributeReader(wanted, _LIMITS)(block)
    assert parse_request(block) == expected  # no limits: no checks


@pytest.mark.parametrize("value", ["-1", "-99999999999999999999", "100001", "1e3", " 5", "+5", "1_000", "５", "٣", "5\r"])
def test_forged_recipient_counts_are_out_of_range(parser, value):
    block = f"sasl_username=alice\nrecipient_count={value}".encode()
    with pytest.raises(NumberOutOfRange, match="recipient_count"):
        AttributeReader(["sasl_username", "recipient_count"], numeric_limits())(block)


def test_number_limits_are_inclusive(parser):
    top = numeric_limits(max_recipients=100000, max_size=10 * 2**30)
    ok = f"recipient_count=100000\nsize={10 * 2**30}\nclient_port=65535\nrecipient_count=".encode()
    assert parse_request(ok, top)["size"] == str(10 * 2**30)
    for bad in (b"size=10737418241", b"client_port=65536", b"encryption_keysize=65537"):
        with pytest.raises(NumberOutOfRange):
            parse_request(bad, top)
    # A framing error is reported as such, even with a bad number beside it.
    with pytest.raises(ProtocolError) as err:
        parse_request(b"recipient_count=-1\nno equals", top)
    assert not isinstance(err.value, NumberOutOfRange)
